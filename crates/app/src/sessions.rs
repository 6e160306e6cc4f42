//! Sign-in and sessions.
//!
//! Browser sessions and API tokens are one mechanism: a random 256-bit token
//! given to the client, of which only the SHA-256 is stored. Password hashing
//! (Argon2id, about 19 MiB and tens of milliseconds each) runs on tokio's
//! blocking pool, never on the async workers, so a burst of sign-ins does not
//! stall other requests.
//!
//! The failed-sign-in limit is counted atomically: an attempt reserves its
//! failure in the write transaction *before* the password is checked, so
//! guesses sent in parallel are counted exactly like guesses sent one after
//! another; a correct password clears the count again.
//!
//! Security timers (session limits, lock-outs) run on real time, not on the
//! settable business clock: setting the date must not lengthen a lock-out.

use crate::{Actor, App, AppError};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use chrono::Utc;
use std::sync::LazyLock;
use tsunagaru_domain::{AuditAction, NewAuditEvent, Username};
use tsunagaru_store::{NewSession, Session, SessionKind, StoreError, User};

/// Hashes a password with Argon2id (RFC 9106 defaults: m=19 MiB, t=2, p=1).
/// Blocking: call [`hash_password`] from async code.
pub fn hash_password_blocking(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .expect("Argon2 with default parameters hashes any password")
}

fn verify_password_blocking(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// Hashes a password on the blocking pool.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_password_blocking(&password))
        .await
        .map_err(|e| AppError::Internal(format!("password hashing: {e}")))
}

/// Verifies a password on the blocking pool (against a dummy hash when there
/// is no account, so that the answer takes as long either way).
pub(crate) async fn verify_password(
    password: String,
    hash: Option<String>,
) -> Result<bool, AppError> {
    tokio::task::spawn_blocking(move || match hash {
        Some(hash) => verify_password_blocking(&password, &hash),
        None => {
            verify_password_blocking(&password, &DUMMY_HASH);
            false
        }
    })
    .await
    .map_err(|e| AppError::Internal(format!("password check: {e}")))
}

static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_password_blocking("tsunagaru-no-such-user"));

/// A random token, hex-encoded (256 bits).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    hex::encode(bytes)
}

/// Why a sign-in failed, in the words shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInError {
    BadCredentials,
    Locked {
        minutes: u32,
    },
    /// The password was right; the second factor is awaited. `challenge`
    /// carries the sign-in to its second step for five minutes (the
    /// browser's form; an API client sends the code with the password).
    SecondFactorRequired {
        challenge: String,
    },
    BadSecondFactor,
    /// The second step came too late, or for no sign-in.
    ChallengeExpired,
    Internal(String),
}

impl SignInError {
    pub fn message(&self) -> String {
        match self {
            SignInError::BadCredentials => "ユーザー名またはパスワードが違います。".to_owned(),
            SignInError::Locked { minutes } => format!(
                "ログインに続けて失敗したため、このユーザー名は一時的にログインできません。{minutes}分ほどおいてからお試しください。"
            ),
            SignInError::SecondFactorRequired { .. } => {
                "確認コードを入力してください（認証アプリの6桁の数字、または回復コード）。"
                    .to_owned()
            }
            SignInError::BadSecondFactor => {
                "確認コードが違います。認証アプリに表示されている最新の6桁を入力してください（一度使ったコードは使えません）。".to_owned()
            }
            SignInError::ChallengeExpired => {
                "確認コードの入力時間（5分）を過ぎました。ユーザー名とパスワードからもう一度入力してください。".to_owned()
            }
            SignInError::Internal(_) => {
                "処理中にエラーが発生しました。時間をおいてもう一度お試しください。".to_owned()
            }
        }
    }
}

impl From<AppError> for SignInError {
    fn from(e: AppError) -> Self {
        SignInError::Internal(e.to_string())
    }
}

impl From<tsunagaru_store::StoreError> for SignInError {
    fn from(e: tsunagaru_store::StoreError) -> Self {
        SignInError::Internal(e.to_string())
    }
}

/// A successful sign-in: the token to hand to the client.
pub struct SignedIn {
    pub user: User,
    pub token: String,
    pub csrf_token: String,
}

/// `sha256(token)` as stored.
pub fn token_hash(token: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// How long the second step of a sign-in may wait for its code.
const CHALLENGE_MINUTES: i64 = 5;

impl App {
    /// Checks a username and password (and, for a user with a second
    /// factor, `code`), applying the lock-out rule, and opens a session of
    /// `kind`. Every attempt writes one audit event; nothing typed in the
    /// password or code fields is logged or audited. A right password
    /// without a code leaves the attempt counted until the code is given.
    pub async fn sign_in(
        &self,
        username_input: &str,
        password: &str,
        code: Option<&str>,
        kind: SessionKind,
    ) -> Result<SignedIn, SignInError> {
        let repo = &self.repo;
        let now = Utc::now();
        let Ok(username) = Username::parse(username_input) else {
            // No account can have this name, so there is nothing to lock; the
            // input is not logged (people type passwords into the wrong box).
            verify_password(password.to_owned(), None).await?;
            repo.append_audit(
                NewAuditEvent::new(AuditAction::LoginFailed, "(形式の正しくないユーザー名)")
                    .detail(kind.code()),
            )
            .await?;
            return Err(SignInError::BadCredentials);
        };
        let key = username.as_str();
        // Reserve this attempt's failure before checking the password.
        let reserved = self.reserve_attempt(key, &kind, now).await?;
        let credentials = repo.user_credentials(&username).await?;
        let hash = credentials
            .as_ref()
            .filter(|c| c.user.active)
            .map(|c| c.password_hash.clone());
        let verified = verify_password(password.to_owned(), hash).await?;
        let Some(credentials) = credentials.filter(|_| verified) else {
            return Err(self
                .failed_attempt(key, &kind, reserved, "", SignInError::BadCredentials)
                .await?);
        };
        let user = credentials.user;
        let factor = if user.totp_enabled {
            match code.map(str::trim).filter(|c| !c.is_empty()) {
                None => {
                    let challenge = new_token();
                    repo.create_sign_in_challenge(&token_hash(&challenge), user.id, &kind, now)
                        .await?;
                    repo.append_audit(
                        NewAuditEvent::new(AuditAction::LoginFailed, key)
                            .record("user", user.id)
                            .detail(format!(
                                "{}: パスワード確認済み、確認コード待ち",
                                kind.code()
                            )),
                    )
                    .await?;
                    return Err(SignInError::SecondFactorRequired { challenge });
                }
                Some(code) => match self.check_second_factor(user.id, code, now).await? {
                    Some(factor) => Some(factor),
                    None => {
                        return Err(self
                            .failed_attempt(
                                key,
                                &kind,
                                reserved,
                                "確認コード違い、",
                                SignInError::BadSecondFactor,
                            )
                            .await?);
                    }
                },
            }
        } else {
            None
        };
        self.open_session(user, kind, factor).await
    }

    /// The second step of a browser's sign-in: the code for the sign-in
    /// `challenge` stands for. Counted toward the lock like any attempt.
    pub async fn complete_sign_in(
        &self,
        challenge: &str,
        code: &str,
        kind: SessionKind,
    ) -> Result<SignedIn, SignInError> {
        let repo = &self.repo;
        let now = Utc::now();
        let challenge_hash = token_hash(challenge);
        let Some(waiting) = repo.sign_in_challenge(&challenge_hash).await? else {
            return Err(SignInError::ChallengeExpired);
        };
        let user = repo.user(waiting.user_id).await?.filter(|u| u.active);
        let (Some(user), true, true) = (
            user,
            waiting.kind == kind.code(),
            now - waiting.created_at <= chrono::Duration::minutes(CHALLENGE_MINUTES),
        ) else {
            repo.delete_sign_in_challenge(&challenge_hash).await?;
            return Err(SignInError::ChallengeExpired);
        };
        let key = user.username.clone();
        let reserved = match self.reserve_attempt(&key, &kind, now).await {
            Ok(reserved) => reserved,
            Err(locked) => {
                repo.delete_sign_in_challenge(&challenge_hash).await?;
                return Err(locked);
            }
        };
        let Some(factor) = self.check_second_factor(user.id, code, now).await? else {
            let failure = self
                .failed_attempt(
                    &key,
                    &kind,
                    reserved,
                    "確認コード違い、",
                    SignInError::BadSecondFactor,
                )
                .await?;
            if matches!(failure, SignInError::Locked { .. }) {
                repo.delete_sign_in_challenge(&challenge_hash).await?;
            }
            return Err(failure);
        };
        repo.delete_sign_in_challenge(&challenge_hash).await?;
        self.open_session(user, kind, Some(factor)).await
    }

    /// Counts one more attempt for `key` before anything is checked; a name
    /// locked already is refused, and the refusal audited.
    async fn reserve_attempt(
        &self,
        key: &str,
        kind: &SessionKind,
        now: chrono::DateTime<Utc>,
    ) -> Result<tsunagaru_domain::LoginThrottle, SignInError> {
        let policy = self.pack().login;
        match self.repo.reserve_login_attempt(key, &policy, now).await? {
            Ok(reserved) => Ok(reserved),
            Err(_locked) => {
                self.repo
                    .append_audit(
                        NewAuditEvent::new(AuditAction::LoginFailed, key)
                            .detail(format!("{}: ロック中", kind.code())),
                    )
                    .await?;
                Err(SignInError::Locked {
                    minutes: policy.lockout_minutes,
                })
            }
        }
    }

    /// Audits a failed attempt (already counted): the lock if this one set
    /// it, else `error`.
    async fn failed_attempt(
        &self,
        key: &str,
        kind: &SessionKind,
        reserved: tsunagaru_domain::LoginThrottle,
        what: &str,
        error: SignInError,
    ) -> Result<SignInError, SignInError> {
        let policy = self.pack().login;
        let now = Utc::now();
        let locked = reserved.is_locked(now);
        let event = if locked {
            NewAuditEvent::new(AuditAction::LoginLocked, key).detail(format!(
                "{}: {what}{}回続けて失敗、{}分停止",
                kind.code(),
                policy.max_failures,
                policy.lockout_minutes
            ))
        } else {
            NewAuditEvent::new(AuditAction::LoginFailed, key).detail(format!(
                "{}: {what}{}回目の失敗",
                kind.code(),
                reserved.failures
            ))
        };
        self.repo.append_audit(event).await?;
        Ok(if locked {
            SignInError::Locked {
                minutes: policy.lockout_minutes,
            }
        } else {
            error
        })
    }

    /// Opens a session for a user who proved who they are, audited.
    async fn open_session(
        &self,
        user: User,
        kind: SessionKind,
        factor: Option<crate::second_factor::Factor>,
    ) -> Result<SignedIn, SignInError> {
        let repo = &self.repo;
        let policy = self.pack().login;
        let now = Utc::now();
        repo.clear_login_throttle(&user.username).await?;
        // Housekeeping: ended sessions are removed, not left to be found.
        repo.purge_sessions(
            now - chrono::Duration::minutes(i64::from(policy.session_idle_minutes)),
            now - chrono::Duration::hours(i64::from(policy.session_absolute_hours)),
        )
        .await?;
        let token = new_token();
        let csrf_token = new_token();
        let detail = match factor {
            Some(factor) => format!("{}（{}）", kind.code(), factor.label()),
            None => kind.code().to_owned(),
        };
        repo.create_session(
            NewSession {
                token_hash: token_hash(&token),
                user_id: user.id,
                kind: kind.clone(),
                csrf_token: csrf_token.clone(),
                created_at: now,
            },
            NewAuditEvent::new(AuditAction::LoginSucceeded, user.username.clone())
                .by_user(user.id)
                .record("user", user.id)
                .detail(detail),
        )
        .await?;
        Ok(SignedIn {
            user,
            token,
            csrf_token,
        })
    }
}

/// Why a token gives no signed-in user.
#[derive(Debug)]
pub enum NoSession {
    /// No such session (or of another kind, or its user is inactive).
    Missing,
    /// The session ran past its idle or absolute limit; it is removed.
    Expired,
    Internal(String),
}

impl From<StoreError> for NoSession {
    fn from(e: StoreError) -> Self {
        NoSession::Internal(e.to_string())
    }
}

impl App {
    /// Resolves a token to a live session of `kind` and its active user;
    /// touches the session (at most once a minute, to spare the disk).
    /// Session limits run on real time, not on the business clock.
    pub async fn resume_session(
        &self,
        token: &str,
        kind: SessionKind,
    ) -> Result<(Session, User), NoSession> {
        let hash = token_hash(token);
        let (session, user) = self
            .repo
            .session_with_user(&hash)
            .await?
            .ok_or(NoSession::Missing)?;
        if session.kind != kind.code() {
            return Err(NoSession::Missing);
        }
        let now = Utc::now();
        let times = tsunagaru_domain::SessionTimes {
            created_at: session.created_at,
            last_seen_at: session.last_seen_at,
        };
        if !times.is_alive(now, &self.pack().login) {
            self.repo.delete_session(&hash, None).await?;
            return Err(NoSession::Expired);
        }
        if !user.active {
            return Err(NoSession::Missing);
        }
        if now - session.last_seen_at > chrono::Duration::seconds(60) {
            self.repo.touch_session(&hash, now).await?;
        }
        Ok((session, user))
    }

    /// The CSRF token of a browser session, if the session exists.
    pub async fn session_csrf_token(&self, token: &str) -> Result<Option<String>, AppError> {
        Ok(self
            .repo
            .session(&token_hash(token))
            .await?
            .map(|s| s.csrf_token))
    }

    /// Ends the actor's session (sign-out), audited.
    pub async fn sign_out(&self, actor: &Actor, session: &Session) -> Result<(), AppError> {
        self.repo
            .delete_session(
                &session.token_hash,
                Some(actor.audit(AuditAction::Logout).record("user", actor.id())),
            )
            .await?;
        Ok(())
    }
}

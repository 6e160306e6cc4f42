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
    Locked { minutes: u32 },
    Internal(String),
}

impl SignInError {
    pub fn message(&self) -> String {
        match self {
            SignInError::BadCredentials => "ユーザー名またはパスワードが違います。".to_owned(),
            SignInError::Locked { minutes } => format!(
                "ログインに続けて失敗したため、このユーザー名は一時的にログインできません。{minutes}分ほどおいてからお試しください。"
            ),
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

impl App {
    /// Checks a username and password, applying the lock-out rule, and opens
    /// a session of `kind`. Every attempt writes one audit event; nothing
    /// typed in the password field is logged or audited.
    pub async fn sign_in(
        &self,
        username_input: &str,
        password: &str,
        kind: SessionKind,
    ) -> Result<SignedIn, SignInError> {
        let repo = &self.repo;
        let policy = self.pack.login;
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
        let reserved = match repo.reserve_login_attempt(key, &policy, now).await? {
            Ok(reserved) => reserved,
            Err(_locked) => {
                repo.append_audit(
                    NewAuditEvent::new(AuditAction::LoginFailed, key)
                        .detail(format!("{}: ロック中", kind.code())),
                )
                .await?;
                return Err(SignInError::Locked {
                    minutes: policy.lockout_minutes,
                });
            }
        };
        let credentials = repo.user_credentials(&username).await?;
        let hash = credentials
            .as_ref()
            .filter(|c| c.user.active)
            .map(|c| c.password_hash.clone());
        let verified = verify_password(password.to_owned(), hash).await?;
        let Some(credentials) = credentials.filter(|_| verified) else {
            let event = if reserved.is_locked(now) {
                NewAuditEvent::new(AuditAction::LoginLocked, key).detail(format!(
                    "{}: {}回続けて失敗、{}分停止",
                    kind.code(),
                    policy.max_failures,
                    policy.lockout_minutes
                ))
            } else {
                NewAuditEvent::new(AuditAction::LoginFailed, key).detail(format!(
                    "{}: {}回目の失敗",
                    kind.code(),
                    reserved.failures
                ))
            };
            repo.append_audit(event).await?;
            return Err(if reserved.is_locked(now) {
                SignInError::Locked {
                    minutes: policy.lockout_minutes,
                }
            } else {
                SignInError::BadCredentials
            });
        };
        let user = credentials.user;
        repo.clear_login_throttle(key).await?;
        // Housekeeping: ended sessions are removed, not left to be found.
        repo.purge_sessions(
            now - chrono::Duration::minutes(i64::from(policy.session_idle_minutes)),
            now - chrono::Duration::hours(i64::from(policy.session_absolute_hours)),
        )
        .await?;
        let token = new_token();
        let csrf_token = new_token();
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
                .detail(kind.code()),
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
        let session = self.repo.session(&hash).await?.ok_or(NoSession::Missing)?;
        if session.kind != kind.code() {
            return Err(NoSession::Missing);
        }
        let now = Utc::now();
        let times = tsunagaru_domain::SessionTimes {
            created_at: session.created_at,
            last_seen_at: session.last_seen_at,
        };
        if !times.is_alive(now, &self.pack.login) {
            self.repo.delete_session(&hash, None).await?;
            return Err(NoSession::Expired);
        }
        let user = self
            .repo
            .user(session.user_id)
            .await?
            .filter(|u| u.active)
            .ok_or(NoSession::Missing)?;
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

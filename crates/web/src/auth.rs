//! Sign-in, sessions and the signed-in user.
//!
//! Browser sessions and API tokens are the same thing stored the same way: a
//! random 256-bit token given to the client, of which only the SHA-256 is
//! stored. A session ends after 30 minutes unused or 12 hours after sign-in
//! (the pack's `[login]` settings), whichever comes first.

use crate::AppState;
use crate::error::{ApiError, PageError};
use argon2::{Argon2, PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use chrono::{Duration, Utc};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;
use tsunagaru_domain::{AuditAction, LoginThrottle, NewAuditEvent, Role, Username};
use tsunagaru_store::{NewSession, Session, SessionKind, StoreError, User};

pub const SESSION_COOKIE: &str = "tsunagaru_session";

/// Hashes a password with Argon2id (RFC 9106 defaults: m=19 MiB, t=2, p=1).
pub fn hash_password(password: &str) -> String {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .expect("Argon2 with default parameters hashes any password")
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), hash)
        .is_ok()
}

/// Verified against when the username does not exist, so that the answer
/// takes as long as for a real user and does not reveal which names exist.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| hash_password("tsunagaru-no-such-user"));

/// A random token, hex-encoded (256 bits).
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    hex::encode(bytes)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Why a sign-in failed, in the words shown to the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignInError {
    BadCredentials,
    Locked { minutes: u32 },
    Store(String),
}

impl SignInError {
    pub fn message(&self) -> String {
        match self {
            SignInError::BadCredentials => "ユーザー名またはパスワードが違います。".to_owned(),
            SignInError::Locked { minutes } => format!(
                "ログインに続けて失敗したため、このユーザー名は一時的にログインできません。{minutes}分ほどおいてからお試しください。"
            ),
            SignInError::Store(_) => {
                "処理中にエラーが発生しました。時間をおいてもう一度お試しください。".to_owned()
            }
        }
    }
}

impl From<StoreError> for SignInError {
    fn from(e: StoreError) -> Self {
        SignInError::Store(e.to_string())
    }
}

/// A successful sign-in: the token to hand to the client.
pub struct SignedIn {
    pub user: User,
    pub token: String,
    pub csrf_token: String,
}

/// Checks a username and password, applying the lock-out rule, and opens a
/// session of `kind`. Every attempt writes an audit event.
pub async fn sign_in(
    state: &AppState,
    username_input: &str,
    password: &str,
    kind: SessionKind,
) -> Result<SignedIn, SignInError> {
    let repo = &state.repo;
    let policy = state.pack.login;
    let now = Utc::now();
    let Ok(username) = Username::parse(username_input) else {
        // No account can have this name, so there is nothing to lock; the
        // input is not logged (people type passwords into the wrong box).
        verify_password(password, &DUMMY_HASH);
        repo.append_audit(
            NewAuditEvent::new(AuditAction::LoginFailed, "(形式の正しくないユーザー名)")
                .detail(kind.code()),
        )
        .await?;
        return Err(SignInError::BadCredentials);
    };
    let key = username.as_str();
    let throttle = repo.login_throttle(key).await?;
    if throttle.is_locked(now) {
        repo.append_audit(
            NewAuditEvent::new(AuditAction::LoginFailed, key)
                .detail(format!("{}: ロック中", kind.code())),
        )
        .await?;
        return Err(SignInError::Locked {
            minutes: policy.lockout_minutes,
        });
    }
    let credentials = repo.user_credentials(&username).await?;
    let verified = match &credentials {
        Some(c) => verify_password(password, &c.password_hash) && c.user.active,
        None => {
            verify_password(password, &DUMMY_HASH);
            false
        }
    };
    let Some(credentials) = credentials.filter(|_| verified) else {
        let next = throttle.after_failure(now, &policy);
        let event = if next.is_locked(now) {
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
                next.failures
            ))
        };
        repo.record_login_attempt(key, next, Some(event)).await?;
        return Err(if next.is_locked(now) {
            SignInError::Locked {
                minutes: policy.lockout_minutes,
            }
        } else {
            SignInError::BadCredentials
        });
    };
    let user = credentials.user;
    if throttle != LoginThrottle::default() {
        repo.record_login_attempt(key, LoginThrottle::default(), None)
            .await?;
    }
    // Housekeeping: ended sessions are removed, not left to be found.
    repo.purge_sessions(
        now - Duration::minutes(i64::from(policy.session_idle_minutes)),
        now - Duration::hours(i64::from(policy.session_absolute_hours)),
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

/// The signed-in user of a request, with their session.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub session: Session,
}

impl CurrentUser {
    pub fn role(&self) -> Role {
        self.user.role
    }

    pub fn audit(&self, action: AuditAction) -> NewAuditEvent {
        NewAuditEvent::new(action, self.user.username.clone()).by_user(self.user.id)
    }
}

/// Why a request has no signed-in user.
pub enum NoUser {
    Missing,
    Expired,
    Store(StoreError),
}

/// Resolves a token to a live session and an active user; touches the
/// session (at most once a minute, to spare the disk).
pub async fn resolve_session(
    state: &AppState,
    token: &str,
    kind: SessionKind,
) -> Result<CurrentUser, NoUser> {
    let hash = token_hash(token);
    let session = state
        .repo
        .session(&hash)
        .await
        .map_err(NoUser::Store)?
        .ok_or(NoUser::Missing)?;
    if session.kind != kind.code() {
        return Err(NoUser::Missing);
    }
    let now = Utc::now();
    let times = tsunagaru_domain::SessionTimes {
        created_at: session.created_at,
        last_seen_at: session.last_seen_at,
    };
    if !times.is_alive(now, &state.pack.login) {
        state
            .repo
            .delete_session(&hash, None)
            .await
            .map_err(NoUser::Store)?;
        return Err(NoUser::Expired);
    }
    let user = state
        .repo
        .user(session.user_id)
        .await
        .map_err(NoUser::Store)?
        .ok_or(NoUser::Missing)?;
    if !user.active {
        return Err(NoUser::Missing);
    }
    if now - session.last_seen_at > Duration::seconds(60) {
        state
            .repo
            .touch_session(&hash, now)
            .await
            .map_err(NoUser::Store)?;
    }
    Ok(CurrentUser { user, session })
}

pub fn cookie_value<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A signed-in browser user (session cookie). Without one, the page
/// redirects to the sign-in form.
pub struct WebUser(pub CurrentUser);

impl FromRequestParts<AppState> for WebUser {
    type Rejection = PageError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = cookie_value(parts, SESSION_COOKIE)
            .ok_or(PageError::SignInRequired { expired: false })?;
        match resolve_session(state, token, SessionKind::Web).await {
            Ok(user) => Ok(WebUser(user)),
            Err(NoUser::Missing) => Err(PageError::SignInRequired { expired: false }),
            Err(NoUser::Expired) => Err(PageError::SignInRequired { expired: true }),
            Err(NoUser::Store(e)) => Err(e.into()),
        }
    }
}

/// A signed-in API client (`Authorization: Bearer <token>`).
pub struct ApiUser(pub CurrentUser);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .ok_or_else(ApiError::unauthorized)?;
        match resolve_session(state, token, SessionKind::Api).await {
            Ok(user) => Ok(ApiUser(user)),
            Err(NoUser::Store(e)) => Err(e.into()),
            Err(_) => Err(ApiError::unauthorized()),
        }
    }
}

/// `Set-Cookie` for the session: HttpOnly, SameSite=Lax, Secure over TLS.
pub fn session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax{secure}")
}

pub fn clear_cookie(name: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

/// Whether cookies must be `Secure` for this request.
pub fn is_secure(state: &AppState, parts: &axum::http::HeaderMap) -> bool {
    state.config.secure_cookies
        || parts
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

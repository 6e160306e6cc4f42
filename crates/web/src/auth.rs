//! Sign-in, sessions and the signed-in user.
//!
//! Browser sessions and API tokens are the same thing stored the same way: a
//! random 256-bit token given to the client, of which only the SHA-256 is
//! stored. A session ends after 30 minutes unused or 12 hours after sign-in
//! (the pack's `[login]` settings), whichever comes first.

use crate::AppState;
use crate::error::{ApiError, PageError};
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use tsunagaru_domain::Role;
use tsunagaru_store::{Session, SessionKind, User};

pub const SESSION_COOKIE: &str = "tsunagaru_session";

pub use tsunagaru_app::sessions::{SignInError, hash_password, new_token, token_hash};

/// The signed-in user of a request, with their session.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub user: User,
    pub session: Session,
}

impl CurrentUser {
    /// The actor of calls into the application layer.
    pub fn actor(&self) -> tsunagaru_app::Actor {
        tsunagaru_app::Actor::user(&self.user, &self.session)
    }

    pub fn role(&self) -> Role {
        self.user.role
    }
}

/// Why a request has no signed-in user.
pub use tsunagaru_app::sessions::NoSession as NoUser;

/// Resolves a token to a live session and an active user (`App::resume_session`).
pub async fn resolve_session(
    state: &AppState,
    token: &str,
    kind: SessionKind,
) -> Result<CurrentUser, NoUser> {
    let (session, user) = state.app.resume_session(token, kind).await?;
    Ok(CurrentUser { user, session })
}

pub fn cookie_value<'a>(headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// What a user asked for a new password may still reach: setting it, and
/// signing out (the path as the nested router sees it, or in full).
/// A form of these that failed is shown again from `/forms/failed/…`
/// (bound to the session that posted it).
fn may_pass_before_change(parts: &Parts) -> bool {
    let path = parts.uri.path();
    path.ends_with("/me/password")
        || path.ends_with("/logout")
        || path.starts_with("/forms/failed/")
}

/// What a user the pack requires a second factor of may reach before
/// enrolling: the enrolment, the password form, and signing out.
fn may_pass_before_enrolment(parts: &Parts) -> bool {
    let path = parts.uri.path();
    path == "/me"
        || path.ends_with("/v1/me")
        || path.ends_with("/me/totp")
        || path.ends_with("/me/totp/confirm")
        || may_pass_before_change(parts)
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
        let token = cookie_value(&parts.headers, SESSION_COOKIE)
            .ok_or(PageError::SignInRequired { expired: false })?;
        match resolve_session(state, token, SessionKind::Web).await {
            Ok(user) if user.user.must_change_password && !may_pass_before_change(parts) => {
                Err(PageError::PasswordChangeRequired)
            }
            Ok(user)
                if state.app.must_enrol_second_factor(&user.user)
                    && !may_pass_before_enrolment(parts) =>
            {
                Err(PageError::SecondFactorEnrolmentRequired)
            }
            Ok(user) => Ok(WebUser(user)),
            Err(NoUser::Missing) => Err(PageError::SignInRequired { expired: false }),
            Err(NoUser::Expired) => Err(PageError::SignInRequired { expired: true }),
            Err(NoUser::Internal(detail)) => Err(tsunagaru_app::AppError::Internal(detail).into()),
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
            Ok(user) if user.user.must_change_password && !may_pass_before_change(parts) => {
                Err(ApiError::password_change_required())
            }
            Ok(user)
                if state.app.must_enrol_second_factor(&user.user)
                    && !may_pass_before_enrolment(parts) =>
            {
                Err(ApiError::enrolment_required())
            }
            Ok(user) => Ok(ApiUser(user)),
            Err(NoUser::Internal(detail)) => Err(tsunagaru_app::AppError::Internal(detail).into()),
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

//! 利用者管理: creating staff accounts and stopping or resuming them, for
//! administrators only.

use crate::sessions::hash_password;
use crate::{Actor, App, AppError, FieldError};
use serde::Deserialize;
use tsunagaru_domain::{AuditAction, Role, Username};
use tsunagaru_store::{LoginLock, NewUser, Session, StoreError};

/// What an admin typed to create a user (form or API).
#[derive(Debug, Default, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UserInput {
    #[cfg_attr(
        feature = "openapi",
        schema(min_length = 3, max_length = 32, pattern = r"^[A-Za-z0-9._-]+$")
    )]
    pub username: String,
    #[cfg_attr(feature = "openapi", schema(format = Password, min_length = 12, max_length = 128))]
    pub password: String,
    /// The form asks twice; the API does not.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = Password))]
    pub password_confirmation: Option<String>,
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, pattern = r"\S")
    )]
    pub display_name: String,
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<tsunagaru_domain::openapi::RecordId>))]
    pub agency_ids: Vec<i64>,
    #[cfg_attr(feature = "openapi", schema(schema_with = tsunagaru_domain::openapi::codes::<tsunagaru_domain::Role>))]
    pub role: String,
}

/// Problems per field, gathered before answering.
#[derive(Default)]
struct Problems(Vec<FieldError>);

impl Problems {
    fn add(&mut self, field: &str, message: String) {
        self.0.push(FieldError {
            field: field.to_owned(),
            message,
        });
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<Problems> for AppError {
    fn from(p: Problems) -> Self {
        AppError::Invalid(p.0)
    }
}

impl App {
    /// Checks the input and creates the user, writing the audit event with it.
    /// Problems come back per field, in Japanese.
    pub async fn create_user(&self, admin: &Actor, input: &UserInput) -> Result<i64, AppError> {
        if !crate::policy::may_manage_users(admin) {
            return Err(AppError::forbidden("利用者を登録できるのは管理者です"));
        }
        self.require_recent_authentication(admin)?;
        let mut errors = Problems::default();
        let username = Username::parse(&input.username).map_err(|e| e.to_string());
        if let Err(e) = &username {
            errors.add("username", e.clone());
        }
        let display_name = input.display_name.trim();
        if display_name.is_empty() {
            errors.add("display_name", "氏名を入力してください".into());
        } else if display_name.chars().count() > 100 {
            errors.add("display_name", "氏名は100文字以内で入力してください".into());
        }
        let role = input
            .role
            .parse::<Role>()
            .map_err(|e| errors.add("role", e))
            .ok();
        let known = self.agencies().await?;
        let mut agency_ids = input.agency_ids.clone();
        agency_ids.sort_unstable();
        agency_ids.dedup();
        if let Some(unknown) = agency_ids
            .iter()
            .find(|id| !known.iter().any(|a| a.id == **id && a.active))
        {
            errors.add(
                "agency_ids",
                format!("所属機関 ID {unknown} は登録されていません"),
            );
        }
        if agency_ids.is_empty() && matches!(role, Some(Role::Staff | Role::Csw)) {
            errors.add(
                "agency_ids",
                "受付職員と事務局・CSWは所属機関を1つ以上選んでください".into(),
            );
        }
        for problem in self
            .pack()
            .password_policy
            .check(&input.password, username.as_ref().ok())
        {
            errors.add("password", problem.to_string());
        }
        if input
            .password_confirmation
            .as_ref()
            .is_some_and(|c| c != &input.password)
        {
            errors.add("password", "パスワード（確認）が一致しません".into());
        }
        let (Ok(username), Some(role), true) = (username, role, errors.is_empty()) else {
            return Err(errors.into());
        };
        let Ok(password_hash) = hash_password(input.password.clone()).await else {
            errors.add(
                "password",
                "パスワードを処理できませんでした。もう一度お試しください".into(),
            );
            return Err(errors.into());
        };
        let new = NewUser {
            username,
            display_name: display_name.to_owned(),
            role,
            password_hash,
            agency_ids,
        };
        let audit = admin.audit(AuditAction::UserCreated).detail(format!(
            "ユーザー名 {} / 役割 {} / 所属 {:?}",
            new.username,
            role.code(),
            new.agency_ids
        ));
        match self.repo.create_user(new, audit).await {
            Ok(id) => Ok(id),
            // The username is taken.
            Err(StoreError::Conflict(c)) => {
                errors.add("username", crate::error::conflict_message(&c));
                Err(errors.into())
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Stops or resumes a user's account (not one's own stop).
    pub async fn set_user_active(
        &self,
        admin: &Actor,
        id: i64,
        active: bool,
    ) -> Result<(), AppError> {
        if !crate::policy::may_manage_users(admin) {
            return Err(AppError::forbidden("利用者を管理できるのは管理者です"));
        }
        self.require_recent_authentication(admin)?;
        if id == admin.id() && !active {
            return Err(AppError::invalid(
                "active",
                "自分自身の利用を停止することはできません。",
            ));
        }
        let action = if active {
            "利用再開"
        } else {
            "利用停止"
        };
        let changed = self
            .repo
            .set_user_active(
                id,
                active,
                admin.audit(AuditAction::UserUpdated).detail(action),
            )
            .await?;
        if changed {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The names locked now after repeated failed sign-ins (administrators).
    pub async fn login_locks(&self, admin: &Actor) -> Result<Vec<LoginLock>, AppError> {
        if !crate::policy::may_manage_users(admin) {
            return Err(AppError::forbidden("ログイン停止を見られるのは管理者です"));
        }
        // Locks run on real time, as `sign_in` counts them.
        Ok(self.repo.login_locks(chrono::Utc::now()).await?)
    }

    /// Lifts a sign-in lock before it expires (administrators; audited).
    /// A name without a lock is not found.
    pub async fn lift_login_lock(&self, admin: &Actor, username: &str) -> Result<(), AppError> {
        if !crate::policy::may_manage_users(admin) {
            return Err(AppError::forbidden(
                "ログイン停止を解除できるのは管理者です",
            ));
        }
        self.require_recent_authentication(admin)?;
        let name = Username::parse(username).map_err(|_| AppError::NotFound)?;
        let lifted = self
            .repo
            .lift_login_lock(
                name.as_str(),
                admin
                    .audit(AuditAction::LockLifted)
                    .detail(format!("ユーザー名 {name}")),
            )
            .await?;
        if lifted {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// A user's sessions, the latest used first (administrators); the
    /// tokens themselves are never shown.
    pub async fn user_sessions(
        &self,
        admin: &Actor,
        user_id: i64,
    ) -> Result<Vec<Session>, AppError> {
        if !crate::policy::may_manage_users(admin) {
            return Err(AppError::forbidden("セッションを見られるのは管理者です"));
        }
        if self.repo.user(user_id).await?.is_none() {
            return Err(AppError::NotFound);
        }
        // Session limits run on real time, as `resume_session` checks them.
        let now = chrono::Utc::now();
        let policy = self.pack().login;
        Ok(self
            .repo
            .sessions_of_user(user_id)
            .await?
            .into_iter()
            .filter(|s| {
                tsunagaru_domain::SessionTimes {
                    created_at: s.created_at,
                    last_seen_at: s.last_seen_at,
                }
                .is_alive(now, &policy)
            })
            .collect())
    }

    /// Ends every session of a user, pages and API alike (administrators;
    /// audited); how many there were.
    pub async fn end_user_sessions(&self, admin: &Actor, user_id: i64) -> Result<u64, AppError> {
        if !crate::policy::may_manage_users(admin) {
            return Err(AppError::forbidden("セッションを終了できるのは管理者です"));
        }
        self.require_recent_authentication(admin)?;
        if self.repo.user(user_id).await?.is_none() {
            return Err(AppError::NotFound);
        }
        Ok(self
            .repo
            .end_sessions_of_user(user_id, admin.audit(AuditAction::SessionsEnded))
            .await?)
    }

    /// The signed-in user sets a new password: the current one first, then
    /// the pack's rules; the user's other sessions end, this one stays
    /// (`session_token_hash`). Audited.
    pub async fn change_own_password(
        &self,
        actor: &Actor,
        session_token_hash: &str,
        input: &PasswordChange,
    ) -> Result<(), AppError> {
        let user = self
            .repo
            .user(actor.id())
            .await?
            .ok_or(AppError::NotFound)?;
        let username = Username::parse(&user.username).map_err(|_| AppError::NotFound)?;
        let credentials = self
            .repo
            .user_credentials(&username)
            .await?
            .ok_or(AppError::NotFound)?;
        let mut errors = Problems::default();
        let current_ok = crate::sessions::verify_password(
            input.current_password.clone(),
            Some(credentials.password_hash.clone()),
        )
        .await?;
        if !current_ok {
            errors.add("current_password", "現在のパスワードが違います".into());
        }
        for problem in self
            .pack()
            .password_policy
            .check(&input.new_password, Some(&username))
        {
            errors.add("new_password", problem.to_string());
        }
        if current_ok && input.new_password == input.current_password {
            errors.add(
                "new_password",
                "新しいパスワードは今のパスワードと違うものにしてください".into(),
            );
        }
        if input
            .new_password_confirmation
            .as_ref()
            .is_some_and(|c| c != &input.new_password)
        {
            errors.add(
                "new_password_confirmation",
                "確認のパスワードが一致しません".into(),
            );
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let hash = hash_password(input.new_password.clone()).await?;
        self.repo
            .set_password(
                user.id,
                &hash,
                Some(session_token_hash),
                actor
                    .audit(AuditAction::UserUpdated)
                    .detail("パスワードの変更（ほかのセッションを終了）"),
            )
            .await?;
        Ok(())
    }

    /// An administrator asks a user for a new password: until they set it,
    /// they can do nothing else, and their sessions end now. Audited.
    pub async fn require_password_change(
        &self,
        admin: &Actor,
        user_id: i64,
    ) -> Result<(), AppError> {
        if !crate::policy::may_manage_users(admin) {
            return Err(AppError::forbidden(
                "パスワードの変更を求められるのは管理者です",
            ));
        }
        self.require_recent_authentication(admin)?;
        if user_id == admin.id() {
            return Err(AppError::invalid(
                "user_id",
                "自分自身にはパスワードの変更を求められません。自分のパスワードは「パスワードの変更」で変えてください",
            ));
        }
        let changed = self
            .repo
            .require_password_change(
                user_id,
                admin
                    .audit(AuditAction::UserUpdated)
                    .detail("パスワードの変更を要求"),
            )
            .await?;
        if !changed {
            return Err(AppError::NotFound);
        }
        self.repo
            .end_sessions_of_user(user_id, admin.audit(AuditAction::SessionsEnded))
            .await?;
        Ok(())
    }
}

/// A new password as typed (form or API).
#[derive(Debug, Default, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordChange {
    #[cfg_attr(feature = "openapi", schema(format = Password))]
    pub current_password: String,
    #[cfg_attr(feature = "openapi", schema(format = Password, min_length = 12, max_length = 128))]
    pub new_password: String,
    /// The form asks twice; the API does not.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(format = Password))]
    pub new_password_confirmation: Option<String>,
}

//! First start: load the pack, create the admin, optionally demo users.

use crate::sessions::{hash_password, new_token};
use tsunagaru_domain::{AuditAction, NewAuditEvent, Role, Username};
use tsunagaru_pack::Pack;
use tsunagaru_store::{NewUser, PackLoadReport, Repository, StoreError};

/// Loads the pack if the database has none yet, or none with its files
/// stored (a database from before packs were stored: servers follow the
/// stored files). Returns the report when it loaded.
pub async fn ensure_pack(
    repo: &dyn Repository,
    pack: &Pack,
) -> Result<Option<PackLoadReport>, StoreError> {
    if repo.loaded_municipality().await?.is_some() && repo.pack_version().await?.is_some() {
        return Ok(None);
    }
    load_pack(repo, pack, "system").await.map(Some)
}

/// Loads or re-loads the pack (the admin command `tsunagaru pack reload`).
pub async fn load_pack(
    repo: &dyn Repository,
    pack: &Pack,
    actor: &str,
) -> Result<PackLoadReport, StoreError> {
    let audit = NewAuditEvent::new(AuditAction::PackLoaded, actor)
        .record("pack", &pack.municipality.code)
        .detail(format!("{} の自治体パック", pack.municipality.name));
    repo.load_pack(pack, audit).await
}

/// What creating the first admin produced.
pub enum AdminBootstrap {
    /// An admin already exists.
    Exists,
    /// Created with the password from the environment.
    CreatedWithGivenPassword,
    /// Created with this random password, to be shown once.
    CreatedWithRandomPassword(String),
}

/// Creates the user `admin` if it does not exist.
pub async fn ensure_admin(
    repo: &dyn Repository,
    pack: &Pack,
    given: Option<String>,
) -> Result<AdminBootstrap, String> {
    let username = Username::parse("admin").expect("a valid username");
    if repo
        .user_credentials(&username)
        .await
        .map_err(|e| e.to_string())?
        .is_some()
    {
        return Ok(AdminBootstrap::Exists);
    }
    let (password, outcome) = match given {
        Some(password) => {
            let problems = pack.password_policy.check(&password, Some(&username));
            if !problems.is_empty() {
                let reasons: Vec<String> = problems.iter().map(ToString::to_string).collect();
                return Err(format!(
                    "TSUNAGARU_ADMIN_PASSWORD がパスワードの規則を満たしません: {}",
                    reasons.join(" / ")
                ));
            }
            (password, AdminBootstrap::CreatedWithGivenPassword)
        }
        None => {
            let password = random_password();
            (
                password.clone(),
                AdminBootstrap::CreatedWithRandomPassword(password),
            )
        }
    };
    let user = NewUser {
        username,
        display_name: "システム管理者".into(),
        role: Role::Admin,
        password_hash: hash_password(password.clone())
            .await
            .map_err(|e| e.to_string())?,
        agency_ids: Vec::new(),
    };
    repo.create_user(
        user,
        NewAuditEvent::new(AuditAction::AdminBootstrapped, "system").detail("初回起動時の管理者"),
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(outcome)
}

/// A random password that meets any sensible policy: four character classes, 24 characters.
pub fn random_password() -> String {
    let token = new_token();
    format!("Tg-{}-{}-9x", &token[..10], &token[10..20])
}

/// `--demo`: obviously fictional users for trying the system. Every agency
/// that takes consultations gets two staff users; the 事務局 gets a CSW; plus
/// one 市職員 and one auditor. All share one password, returned to be shown.
pub async fn create_demo_users(
    repo: &dyn Repository,
) -> Result<Option<(String, Vec<String>)>, StoreError> {
    let first = Username::parse("demo-city").expect("a valid username");
    if repo.user_credentials(&first).await?.is_some() {
        return Ok(None);
    }
    let password = random_password();
    let hash = hash_password(password.clone())
        .await
        .map_err(|e| StoreError::Database(e.to_string()))?;
    let agencies = repo.agencies().await?;
    let mut users: Vec<(String, String, Role, Vec<i64>)> = vec![
        (
            "demo-city".into(),
            "見本 市子（デモ・地域福祉課）".into(),
            Role::City,
            vec![],
        ),
        (
            "demo-auditor".into(),
            "見本 監太（デモ・監査）".into(),
            Role::Auditor,
            vec![],
        ),
    ];
    for (n, agency) in agencies.iter().filter(|a| a.active).enumerate() {
        if agency.secretariat {
            users.push((
                "demo-csw".into(),
                "見本 協子（デモ・CSW）".into(),
                Role::Csw,
                vec![agency.id],
            ));
        } else if agency.consultation {
            for i in 1..=2 {
                users.push((
                    format!("demo-{:02}-{i}", n + 1),
                    format!(
                        "見本 {}（デモ・{}）",
                        if i == 1 { "一郎" } else { "花子" },
                        agency.name
                    ),
                    Role::Staff,
                    vec![agency.id],
                ));
            }
        }
    }
    let mut names = Vec::new();
    for (username, display_name, role, agency_ids) in users {
        let username = Username::parse(&username).expect("demo usernames are valid");
        names.push(username.to_string());
        let audit =
            NewAuditEvent::new(AuditAction::UserCreated, "system").detail("--demo の見本ユーザー");
        repo.create_user(
            NewUser {
                username,
                display_name,
                role,
                password_hash: hash.clone(),
                agency_ids,
            },
            audit,
        )
        .await?;
    }
    Ok(Some((password, names)))
}

//! The audit chain and pack re-loads, straight on the database.

use crate::common;

use common::{Backend, Store, TestApp};
use tsunagaru_pack::{Pack, PackSources};
use tsunagaru_store::{VerifyError, verify_audit_log};
use tsunagaru_web::bootstrap;

async fn an_intact_log_verifies(backend: Backend) {
    let app = TestApp::new(backend).await;
    app.admin_token().await;
    let count = verify_audit_log(app.repo()).await.unwrap();
    assert_eq!(count, 3, "pack loaded, admin created, admin signed in");
}

async fn the_log_refuses_update_and_delete_through_sql(backend: Backend) {
    let app = TestApp::new(backend).await;
    let update = app
        .store
        .execute_raw("UPDATE audit_events SET detail = 'x' WHERE seq = 1")
        .await;
    assert!(update.unwrap_err().to_string().contains("append-only"));
    let delete = app
        .store
        .execute_raw("DELETE FROM audit_events WHERE seq = 1")
        .await;
    assert!(delete.unwrap_err().to_string().contains("append-only"));
}

/// Drops the append-only guard, as someone with direct database access could.
async fn drop_guard(store: &Store) {
    match store {
        Store::Sqlite(_) => store
            .execute_raw(
                "DROP TRIGGER audit_events_no_update; DROP TRIGGER audit_events_no_delete;",
            )
            .await
            .unwrap(),
        Store::Postgres(_) => store
            .execute_raw("ALTER TABLE audit_events DISABLE TRIGGER USER")
            .await
            .unwrap(),
    }
}

async fn an_edited_row_is_named_by_verify(backend: Backend) {
    let app = TestApp::new(backend).await;
    for _ in 0..3 {
        app.admin_token().await;
    }
    drop_guard(&app.store).await;
    app.store
        .execute_raw("UPDATE audit_events SET actor = 'someone' WHERE seq = 3")
        .await
        .unwrap();
    match verify_audit_log(app.repo()).await {
        Err(VerifyError::Broken(b)) => {
            assert_eq!(b.seq, 3);
            assert!(b.to_string().contains("通番 3"), "{b}");
        }
        other => panic!("expected a broken chain, got {other:?}"),
    }
}

async fn a_deleted_row_is_named_by_verify(backend: Backend) {
    let app = TestApp::new(backend).await;
    for _ in 0..3 {
        app.admin_token().await;
    }
    drop_guard(&app.store).await;
    app.store
        .execute_raw("DELETE FROM audit_events WHERE seq = 2")
        .await
        .unwrap();
    match verify_audit_log(app.repo()).await {
        Err(VerifyError::Broken(b)) => assert_eq!(b.seq, 2),
        other => panic!("expected a broken chain, got {other:?}"),
    }
    let app = TestApp::new(backend).await;
    app.admin_token().await;
    drop_guard(&app.store).await;
    app.store
        .execute_raw("DELETE FROM audit_events WHERE seq = 3")
        .await
        .unwrap();
    assert!(
        matches!(
            verify_audit_log(app.repo()).await,
            Err(VerifyError::Broken(_))
        ),
        "the newest row too"
    );
}

async fn reloading_the_pack_keeps_ids_users_and_the_rest(backend: Backend) {
    let app = TestApp::new(backend).await;
    let before = app.repo().agencies().await.unwrap();
    let user = app
        .create_user("keeps-agency", "staff", &[before[4].id])
        .await;
    let report = bootstrap::load_pack(app.repo(), &Pack::morioka(), "test")
        .await
        .unwrap();
    assert_eq!(
        (
            report.agencies_added,
            report.agencies_updated,
            report.agencies_deactivated
        ),
        (0, before.iter().filter(|a| !a.is_department).count(), 0)
    );
    assert_eq!(
        app.repo().agencies().await.unwrap(),
        before,
        "same ids, same data"
    );

    // A municipality edits its pack: renames one agency, drops another.
    let mut sources = PackSources::morioka();
    sources.agencies_toml = sources
        .agencies_toml
        .replace(r#"name = "夢IT工房""#, r#"name = "夢IT工房（移転）""#);
    let start = sources
        .agencies_toml
        .find(r#"key = "activity3-04-hidamari""#)
        .unwrap();
    let block_start = sources.agencies_toml[..start]
        .rfind("[[agencies]]")
        .unwrap();
    let block_end = start + sources.agencies_toml[start..].find("[[agencies]]").unwrap();
    sources
        .agencies_toml
        .replace_range(block_start..block_end, "");
    // …and a department (No.32, referenced by nothing else).
    let line_start = sources.departments_csv.find("\n32,").unwrap() + 1;
    let line_end = line_start + sources.departments_csv[line_start..].find('\n').unwrap() + 1;
    sources
        .departments_csv
        .replace_range(line_start..line_end, "");
    let edited = Pack::parse(&sources).unwrap();
    let report = bootstrap::load_pack(app.repo(), &edited, "test")
        .await
        .unwrap();
    assert_eq!(
        report.agencies_deactivated, 2,
        "the agency and the department"
    );
    let after = app.repo().agencies().await.unwrap();
    assert_eq!(after.len(), before.len(), "nothing is deleted");
    let renamed = after
        .iter()
        .find(|a| a.key == "activity3-02-yume-it")
        .unwrap();
    assert_eq!(renamed.name, "夢IT工房（移転）");
    assert!(
        !after
            .iter()
            .find(|a| a.key == "activity3-04-hidamari")
            .unwrap()
            .active
    );
    assert!(
        !after
            .iter()
            .find(|a| a.key == "department-32")
            .unwrap()
            .active,
        "a dropped department receives no more handoffs"
    );
    // The dropped 第3号 agency leaves the directory of community resources.
    let resources = app.repo().resources().await.unwrap();
    let hidamari = resources
        .iter()
        .find(|r| r.key.as_deref() == Some("activity3-04-hidamari"))
        .unwrap();
    assert!(!hidamari.active);
    assert!(
        resources
            .iter()
            .any(|r| r.name == "夢IT工房（移転）" && r.active)
    );
    assert_eq!(
        app.repo().user(user).await.unwrap().unwrap().agency_ids,
        vec![before[4].id]
    );
    assert!(
        app.audit_actions()
            .await
            .iter()
            .filter(|(a, _)| a == "pack_loaded")
            .count()
            == 3
    );
    verify_audit_log(app.repo()).await.unwrap();
}

async fn the_first_start_creates_the_admin_once(backend: Backend) {
    let app = TestApp::new(backend).await;
    let pack = Pack::morioka();
    assert!(matches!(
        bootstrap::ensure_admin(app.repo(), &pack, None)
            .await
            .unwrap(),
        bootstrap::AdminBootstrap::Exists
    ));
    let weak = bootstrap::ensure_admin(app.repo(), &pack, Some("admin".into())).await;
    assert!(weak.is_ok(), "an existing admin is left alone");
    let (password, names) = bootstrap::create_demo_users(app.repo())
        .await
        .unwrap()
        .unwrap();
    assert!(names.len() >= 17 * 2, "{} demo users", names.len());
    assert!(pack.password_policy.check(&password, None).is_empty());
    app.token("demo-csw", &password).await;
    assert!(
        bootstrap::create_demo_users(app.repo())
            .await
            .unwrap()
            .is_none(),
        "only once"
    );
}

/// A database loaded before packs were stored (no `pack_sources` row)
/// takes the given pack at its next start, so that every server follows the
/// stored files from then on; a database that has them is left alone.
async fn a_database_without_stored_files_takes_the_pack_at_start(backend: Backend) {
    let app = TestApp::new(backend).await;
    assert_eq!(app.repo().pack_version().await.unwrap(), Some(1));
    assert!(
        bootstrap::ensure_pack(app.repo(), &Pack::morioka())
            .await
            .unwrap()
            .is_none(),
        "stored already: nothing to load"
    );
    app.store
        .execute_raw("DELETE FROM pack_sources")
        .await
        .unwrap();
    assert!(
        bootstrap::ensure_pack(app.repo(), &Pack::morioka())
            .await
            .unwrap()
            .is_some()
    );
    let (version, sources) = app.repo().stored_pack().await.unwrap().unwrap();
    assert_eq!(version, 1);
    assert_eq!(sources.unwrap(), PackSources::morioka());
}

on_both_backends!(
    a_database_without_stored_files_takes_the_pack_at_start,
    an_intact_log_verifies,
    the_log_refuses_update_and_delete_through_sql,
    an_edited_row_is_named_by_verify,
    a_deleted_row_is_named_by_verify,
    reloading_the_pack_keeps_ids_users_and_the_rest,
    the_first_start_creates_the_admin_once,
);

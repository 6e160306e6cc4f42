//! Intakes written in batches (a data migration, `tsunagaru synth`): from the
//! command line only, every named agency and user on record, no date after
//! today, one transaction and one audit event per batch, and the records as
//! a saved sheet leaves them (found, in scope, their phones indexed).

use crate::common;

use axum::http::StatusCode;
use chrono::Days;
use common::{Backend, TestApp, USER_PASSWORD, test_today};
use serde_json::json;
use tsunagaru_app::{Actor, AppError};
use tsunagaru_domain::Role;
use tsunagaru_domain::handoff::Purpose;
use tsunagaru_domain::intake::IntakeInput;
use tsunagaru_domain::intake::Urgency;
use tsunagaru_store::{HandoffNotes, ImportedIntake, ImportedNote, IntakeContext, NewHandoff};

fn intake(
    n: usize,
    agency_id: i64,
    user_id: i64,
    received_on: chrono::NaiveDate,
) -> ImportedIntake {
    let input: IntakeInput = serde_json::from_value(json!({
        "method": "phone", "received_on": received_on.to_string(),
        "person": {"name": format!("移行 {n}郎"), "kana": "いこう たろう", "sex": "male",
                   "birth_date": "1960-04-01",
                   "phones": [{"kind": "home", "number": format!("019-8{:02}-{:04}", n % 100, n)}]},
        "concerns": [{"category": "income", "main": true}],
        "chief_complaint": "紙の受付簿から移した相談"
    }))
    .unwrap();
    ImportedIntake {
        sheet: input.parse(test_today()).unwrap(),
        ctx: IntakeContext {
            agency_id,
            user_id,
            town: None,
            existing_person_id: None,
            outreach_target_id: None,
            event_id: None,
        },
        notes: vec![ImportedNote {
            noted_on: received_on,
            method: "電話".into(),
            content: "移行した経過記録".into(),
        }],
        handoffs: Vec::new(),
    }
}

/// A handoff from agency 1 to agency 2 (the import sets its consultation
/// and person to the intake's own).
fn handoff(sent_by: i64, sent_on: chrono::NaiveDate) -> NewHandoff {
    NewHandoff {
        consultation_id: 0,
        person_id: 0,
        from_agency_id: 1,
        to_agency_id: 2,
        purpose: Purpose::Refer,
        continue_at_origin: true,
        urgency: Urgency::WithinMonth,
        told_contact_name: None,
        told_contact_phone: None,
        notes: HandoffNotes::default(),
        consent_override_reason: None,
        self_consent_reason: None,
        sender_phone: None,
        sent_on,
        sent_by,
    }
}

async fn imported_count(app: &TestApp) -> usize {
    app.audit_actions()
        .await
        .iter()
        .filter(|(action, _)| action == "intakes_imported")
        .count()
}

async fn a_batch_is_written_whole_from_the_command_line_only(backend: Backend) {
    let app = TestApp::new(backend).await;
    let worker = app.create_user("iko-staff", "staff", &[1]).await;
    let token = app.token("iko-staff", USER_PASSWORD).await;
    let today = test_today();
    let mut batch: Vec<ImportedIntake> = (0..30)
        .map(|n| intake(n, 1, worker, today - Days::new(n as u64 * 40)))
        .collect();
    // One was handed to agency 2 on paper, with the reason given then.
    batch[6].handoffs.push(NewHandoff {
        self_consent_reason: Some("本人の了解を口頭で得て紙で送付済み".into()),
        ..handoff(worker, today - Days::new(240))
    });
    let cli = Actor::command_line(Role::Admin);

    // No session may send a batch, whatever its role.
    let user = app.repo().user(worker).await.unwrap().unwrap();
    let signed_in = Actor {
        user_id: Some(user.id),
        name: user.username.clone(),
        role: Role::Admin,
        agency_ids: user.agency_ids.clone(),
        authenticated_at: Some(today.and_hms_opt(9, 0, 0).unwrap().and_utc()),
    };
    assert!(matches!(
        app.state.app.import_intakes(&signed_in, &batch).await,
        Err(AppError::Forbidden(_))
    ));
    assert!(matches!(
        app.state.app.settle_after_import(&signed_in).await,
        Err(AppError::Forbidden(_))
    ));

    // An agency or a user not on record, or a day after today, is named and
    // nothing of the batch is written.
    let mut unknown_agency = batch.clone();
    unknown_agency[29].ctx.agency_id = 9_999;
    let mut unknown_user = batch.clone();
    unknown_user[3].ctx.user_id = 9_999;
    // A worker of another agency can neither have taken a sheet here nor
    // have sent a handoff from here.
    let elsewhere = app.create_user("iko-other", "staff", &[2]).await;
    let mut other_agency = batch.clone();
    other_agency[8].ctx.user_id = elsewhere;
    let mut other_sender = batch.clone();
    other_sender[6].handoffs[0].sent_by = elsewhere;
    let mut unknown_method = batch.clone();
    unknown_method[2].notes[0].method = "立ち話".into();
    let mut tomorrow = batch.clone();
    tomorrow[5].notes[0].noted_on = today + Days::new(1);
    // A handoff of a sheet whose 本人 has not consented, with no reason.
    let mut unconsented = batch.clone();
    unconsented[4].handoffs.push(handoff(worker, today));
    for (bad, field) in [
        (unknown_agency, "intakes[29].agency_id"),
        (unknown_user, "intakes[3].user_id"),
        (other_agency, "intakes[8].user_id"),
        (other_sender, "intakes[6].handoffs[0].sent_by"),
        (unknown_method, "intakes[2].notes[0].method"),
        (tomorrow, "intakes[5].notes[0].noted_on"),
        (unconsented, "intakes[4].handoffs[0].self_consent_reason"),
    ] {
        match app.state.app.import_intakes(&cli, &bad).await {
            Err(AppError::Invalid(errors)) => assert_eq!(errors[0].field, field),
            other => panic!("{field}: {other:?}"),
        }
    }
    assert_eq!(imported_count(&app).await, 0);
    let found = app
        .get("/api/v1/persons?q=%E7%A7%BB%E8%A1%8C", Some(&token))
        .await;
    assert_eq!(found.json()["persons"], json!([]), "nothing written");

    // The batch: one event naming every consultation, and the records as a
    // saved sheet leaves them.
    let written = app.state.app.import_intakes(&cli, &batch).await.unwrap();
    assert_eq!(written.len(), 30);
    let events = app.repo().audit_events(0, 10_000).await.unwrap();
    let event = events
        .iter()
        .find(|e| e.action == "intakes_imported")
        .expect("one event for the batch");
    assert_eq!(imported_count(&app).await, 1);
    assert_eq!(event.actor, "cli");
    let named: Vec<i64> = event
        .record_id
        .as_deref()
        .unwrap_or_default()
        .split(',')
        .map(|id| id.parse().unwrap())
        .collect();
    assert_eq!(
        named,
        written
            .iter()
            .map(|w| w.consultation_id)
            .collect::<Vec<_>>()
    );
    app.assert_scope_index_agrees().await;
    // Found by name and by the whole phone number, in the agency's scope.
    let found = app
        .get(
            "/api/v1/persons?q=%E7%A7%BB%E8%A1%8C&limit=100",
            Some(&token),
        )
        .await;
    assert_eq!(found.status, StatusCode::OK);
    assert_eq!(found.json()["persons"].as_array().unwrap().len(), 30);
    // Settled after the load (the index merged), the search answers the same.
    app.state.app.settle_after_import(&cli).await.unwrap();
    let settled = app
        .get(
            "/api/v1/persons?q=%E7%A7%BB%E8%A1%8C&limit=100",
            Some(&token),
        )
        .await;
    assert_eq!(settled.json(), found.json());
    let by_phone = app
        .get("/api/v1/persons?phone=019-807-0007", Some(&token))
        .await;
    assert_eq!(by_phone.json()["persons"].as_array().unwrap().len(), 1);
    app.create_user("other-staff", "staff", &[2]).await;
    let other = app.token("other-staff", USER_PASSWORD).await;
    // Agency 2 finds only the person handed to it.
    let theirs = app
        .get("/api/v1/persons?q=%E7%A7%BB%E8%A1%8C", Some(&other))
        .await
        .json();
    let theirs: Vec<i64> = theirs["persons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(theirs, vec![written[6].person_id]);
    // The person page shows the sheet and the note.
    let person = app
        .get(
            &format!("/api/v1/persons/{}", written[7].person_id),
            Some(&token),
        )
        .await;
    assert_eq!(person.status, StatusCode::OK, "{}", person.body);
    let body = person.body;
    assert!(body.contains("紙の受付簿から移した相談"), "{body}");
    assert!(body.contains("移行した経過記録"), "{body}");
}

on_both_backends!(a_batch_is_written_whole_from_the_command_line_only);

//! The worker's desk (the home page): what the user has in hand, the persons
//! they opened lately, and what came to their agencies since their last
//! sign-in. Every row is one the user may see by the same rules as its own
//! page; reading the desk names persons, so it writes one audit event.

use crate::handoffs::handoff_side_of;
use crate::{Actor, App, AppError, policy};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use tsunagaru_domain::AuditAction;
use tsunagaru_store::{Arrival, Case, DeskSheet, Handoff, Person};

/// A sheet taken without handoff or case stays on the desk this long.
pub const RECENT_SHEET_DAYS: i64 = 30;
/// How many persons the desk lists as recently opened.
pub const RECENT_PERSONS: usize = 8;
/// How many arrivals the desk lists at most.
pub const ARRIVALS_SHOWN: i64 = 30;

/// A row of the desk that names a person.
#[derive(Debug, Clone)]
pub struct Named<T> {
    pub item: T,
    pub person_name: String,
}

impl<T> Named<T> {
    /// Each row with the name of its person, as read for them all at once.
    fn each(
        items: Vec<T>,
        names: &HashMap<i64, String>,
        person_of: impl Fn(&T) -> i64,
    ) -> Vec<Named<T>> {
        items
            .into_iter()
            .map(|item| Named {
                person_name: names.get(&person_of(&item)).cloned().unwrap_or_default(),
                item,
            })
            .collect()
    }
}

/// The worker's desk.
#[derive(Debug, Clone, Default)]
pub struct Desk {
    /// Sheets the user took that are still in hand, newest first.
    pub sheets: Vec<Named<DeskSheet>>,
    /// Handoffs the user received (受領) and has not reported on.
    pub handoffs: Vec<Named<Handoff>>,
    /// Open cases the user leads.
    pub cases: Vec<Named<Case>>,
    /// Persons the user opened lately, the latest first.
    pub recent_persons: Vec<Person>,
    /// The user's sign-in before this one (`None` on a first sign-in).
    pub since: Option<DateTime<Utc>>,
    /// What came since then, newest first.
    pub arrivals: Vec<Named<Arrival>>,
    /// For the 事務局: plans whose 次回見直し日 is within a week or passed.
    pub reviews: Vec<crate::meetings::ReviewReminder>,
    /// For those who schedule meetings: the 年度's meeting cadence.
    pub cadence: Option<tsunagaru_domain::case::Cadence>,
}

impl Desk {
    pub fn is_empty(&self) -> bool {
        self.sheets.is_empty() && self.handoffs.is_empty() && self.cases.is_empty()
    }
}

impl App {
    /// The actor's desk. "Since" is the sign-in to the pages before the
    /// current one (`on_pages`), or the last one (an API session reads what
    /// came since the worker last signed in to the pages). Users who do not
    /// work with persons get an empty desk (and no audit event, as nothing
    /// is read).
    pub async fn desk(&self, actor: &Actor, on_pages: bool) -> Result<Desk, AppError> {
        if !policy::works_with_persons(actor) {
            return Ok(Desk::default());
        }
        let rows = self
            .repo
            .desk_of(
                actor.id(),
                self.today() - Duration::days(RECENT_SHEET_DAYS - 1),
            )
            .await?;
        let mut desk = Desk::default();
        // Taken by the user for an agency they may have left since.
        let sheets: Vec<DeskSheet> = rows
            .sheets
            .into_iter()
            .filter(|s| actor.belongs_to(s.agency_id))
            .collect();
        let persons = self
            .visible_persons(
                actor,
                &sheets.iter().map(|s| s.person_id).collect::<Vec<_>>(),
            )
            .await?;
        for sheet in sheets {
            if let Some(p) = persons.get(&sheet.person_id) {
                desk.sheets.push(Named {
                    person_name: p.name.clone(),
                    item: sheet,
                });
            }
        }
        let handoffs: Vec<Handoff> = rows
            .handoffs
            .into_iter()
            .filter(|h| handoff_side_of(actor, h).is_some())
            .collect();
        // Led by the user, but seen only as the case's page would show it
        // (the user may have left its agencies since).
        let mut cases = Vec::new();
        for case in rows.cases {
            if let Some(case) = self.case_if_visible(actor, case).await? {
                cases.push(case);
            }
        }
        let names = self
            .person_names(
                handoffs
                    .iter()
                    .map(|h| h.person_id)
                    .chain(cases.iter().map(|c| c.person_id)),
            )
            .await?;
        desk.handoffs = Named::each(handoffs, &names, |h| h.person_id);
        desk.cases = Named::each(cases, &names, |c| c.person_id);
        desk.recent_persons = self.recent_persons(actor).await?;
        desk.since = self.previous_sign_in(actor, on_pages).await?;
        if let Some(since) = desk.since {
            let arrivals: Vec<Arrival> = self
                .repo
                .arrivals(&actor.agency_ids, since, ARRIVALS_SHOWN)
                .await?
                .into_iter()
                .filter(|a| handoff_side_of(actor, &a.handoff).is_some())
                .collect();
            let names = self
                .person_names(arrivals.iter().map(|a| a.handoff.person_id))
                .await?;
            desk.arrivals = Named::each(arrivals, &names, |a| a.handoff.person_id);
        }
        desk.reviews = self.review_reminders(actor).await?;
        desk.cadence = self.meeting_cadence(actor).await?;
        self.repo
            .append_audit(actor.audit(AuditAction::DeskViewed).detail(format!(
                "相談 {} 件・引継ぎ {} 件・ケース {} 件・最近の対象者 {} 名・新着 {} 件・見直し {} 件",
                desk.sheets.len(),
                desk.handoffs.len(),
                desk.cases.len(),
                desk.recent_persons.len(),
                desk.arrivals.len(),
                desk.reviews.len()
            )))
            .await?;
        Ok(desk)
    }

    /// The persons the actor opened lately, as the audit trail records their
    /// views, still in the actor's scope today.
    async fn recent_persons(&self, actor: &Actor) -> Result<Vec<Person>, AppError> {
        let views = self
            .repo
            .audit_events_of(actor.id(), AuditAction::PersonViewed, 200)
            .await?;
        let mut ids: Vec<i64> = Vec::new();
        for id in views.iter().filter_map(|e| {
            (e.record_type.as_deref() == Some("person"))
                .then(|| e.record_id.as_deref()?.parse::<i64>().ok())
                .flatten()
        }) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        let mut persons = Vec::new();
        for id in ids {
            if persons.len() == RECENT_PERSONS {
                break;
            }
            if let Some(p) = self.visible_person(actor, id).await? {
                persons.push(p);
            }
        }
        Ok(persons)
    }

    /// When the actor signed in to the pages before the current sign-in
    /// (`on_pages`), or last.
    async fn previous_sign_in(
        &self,
        actor: &Actor,
        on_pages: bool,
    ) -> Result<Option<DateTime<Utc>>, AppError> {
        let sign_ins = self
            .repo
            .audit_events_of(actor.id(), AuditAction::LoginSucceeded, 20)
            .await?;
        Ok(sign_ins
            .iter()
            .filter(|e| e.detail == "web")
            .nth(usize::from(on_pages))
            .map(|e| e.at))
    }
}

//! What meetings produce, as each actor may see it: what a meeting that
//! requires the 守秘義務の確認 (the 支援会議) produced — its agenda, the tasks
//! its decisions created, the record of them on a case — reaches only that
//! meeting's members who pledged (`policy::sees_meeting_output`).

use crate::{Actor, App, AppError, policy};
use std::collections::HashMap;
use tsunagaru_domain::case::MeetingKind;
use tsunagaru_store::{CaseEvent, Task};

/// Whether the actor sees each meeting's output, asked once per meeting.
struct MeetingOutput<'a> {
    app: &'a App,
    actor: &'a Actor,
    known: HashMap<i64, bool>,
}

impl MeetingOutput<'_> {
    async fn visible(&mut self, meeting_id: Option<i64>) -> Result<bool, AppError> {
        let Some(id) = meeting_id else {
            return Ok(true);
        };
        if let Some(v) = self.known.get(&id) {
            return Ok(*v);
        }
        let v = self.app.sees_meeting_output(self.actor, id).await?;
        self.known.insert(id, v);
        Ok(v)
    }
}

impl App {
    fn meeting_output<'a>(&'a self, actor: &'a Actor) -> MeetingOutput<'a> {
        MeetingOutput {
            app: self,
            actor,
            known: HashMap::new(),
        }
    }

    /// Keeps the tasks the actor may see (home page, API, case page).
    pub async fn tasks_visible(
        &self,
        actor: &Actor,
        tasks: Vec<Task>,
    ) -> Result<Vec<Task>, AppError> {
        let mut output = self.meeting_output(actor);
        let mut out = Vec::with_capacity(tasks.len());
        for task in tasks {
            if output.visible(task.meeting_id).await? {
                out.push(task);
            }
        }
        Ok(out)
    }

    /// A case's tasks and its record (経過) as the actor may see them.
    pub async fn case_tasks_and_events(
        &self,
        actor: &Actor,
        case_id: i64,
    ) -> Result<(Vec<Task>, Vec<CaseEvent>), AppError> {
        let mut output = self.meeting_output(actor);
        let mut tasks = Vec::new();
        for task in self.repo.tasks_of_case(case_id).await? {
            if output.visible(task.meeting_id).await? {
                tasks.push(task);
            }
        }
        let mut events = Vec::new();
        for event in self.repo.case_events(case_id).await? {
            if output.visible(event.meeting_id).await? {
                events.push(event);
            }
        }
        Ok((tasks, events))
    }

    /// Whether the actor sees what this meeting produced.
    pub async fn sees_meeting_output(
        &self,
        actor: &Actor,
        meeting_id: i64,
    ) -> Result<bool, AppError> {
        let Some(meeting) = self.repo.meeting(meeting_id).await? else {
            return Ok(false);
        };
        let requires_pledge =
            MeetingKind::parse(&meeting.row.kind).is_none_or(MeetingKind::requires_pledge);
        let pledged = actor
            .user_id
            .and_then(|id| meeting.member(id))
            .is_some_and(|m| m.pledged_at.is_some());
        Ok(policy::sees_meeting_output(requires_pledge, pledged))
    }
}

//! What meetings produce, as each actor may see it.

use crate::{Actor, App, AppError, policy};
use std::collections::HashMap;
use tsunagaru_domain::case::MeetingKind;
use tsunagaru_store::Task;

impl App {
    /// Keeps the tasks the actor may see: a task created by a decision of a
    /// meeting that requires the pledge (支援会議) only for that meeting's
    /// members who pledged, in every list (home page, API, case page).
    pub async fn tasks_visible(
        &self,
        actor: &Actor,
        tasks: Vec<Task>,
    ) -> Result<Vec<Task>, AppError> {
        let mut sees: HashMap<i64, bool> = HashMap::new();
        let mut out = Vec::with_capacity(tasks.len());
        for task in tasks {
            let Some(meeting_id) = task.meeting_id else {
                out.push(task);
                continue;
            };
            let visible = match sees.get(&meeting_id) {
                Some(v) => *v,
                None => {
                    let v = self.sees_meeting_output(actor, meeting_id).await?;
                    sees.insert(meeting_id, v);
                    v
                }
            };
            if visible {
                out.push(task);
            }
        }
        Ok(out)
    }

    /// Whether the actor sees what this meeting produced
    /// (`policy::sees_meeting_output`).
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

//! Every "who may" rule, once, as plain functions over the actor and the
//! record. No I/O: the area modules load what a rule needs and ask it.
//!
//! The rules (SYSTEM.md §5):
//! - staff see a person only through their agency's involvement: it took a
//!   consultation, a handoff to it stands (not withdrawn, not returned), it
//!   has a role in a case;
//! - a protected person's whereabouts reach only the named viewers, and only
//!   a named viewer changes who is named or lifts the protection;
//! - a sheet's household is the sheet's 受付機関's; another agency sees 本人
//!   and the members who consented, unless a handoff of that sheet to it
//!   carries an override; only the 受付機関 changes consent;
//! - 支援会議 material reaches only that meeting's pledged members.

use crate::Actor;
use tsunagaru_domain::Role;
use tsunagaru_domain::handoff::HandoffState;

/// Whether the actor's role works with persons at all (staff, 事務局, city).
pub fn works_with_persons(actor: &Actor) -> bool {
    actor.role.works_with_persons()
}

/// Whether a handoff in `state` still makes the receiving agency involved
/// with the person. A withdrawn or returned (misdirected) handoff does not; a
/// completed one keeps the history visible.
pub fn handoff_involves_receiver(state: HandoffState) -> bool {
    state.involves_receiver()
}

/// Which side of a handoff the actor is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandoffSide {
    Sender,
    Receiver,
    /// Both agencies are the actor's.
    Both,
}

/// The actor's side of a handoff from `from` to `to` in `state`, or `None`
/// when the handoff is not theirs to see (answer 404). The receiving side
/// loses it once it is withdrawn or returned.
pub fn handoff_side(actor: &Actor, from: i64, to: i64, state: HandoffState) -> Option<HandoffSide> {
    if !works_with_persons(actor) {
        return None;
    }
    let sender = actor.belongs_to(from);
    let receiver = actor.belongs_to(to) && handoff_involves_receiver(state);
    match (sender, receiver) {
        (true, true) => Some(HandoffSide::Both),
        (true, false) => Some(HandoffSide::Sender),
        (false, true) => Some(HandoffSide::Receiver),
        (false, false) => None,
    }
}

/// Whether the actor sees a person's address and phones.
pub fn sees_whereabouts(actor: &Actor, protected: bool, viewers: &[i64]) -> bool {
    !protected || actor.user_id.is_some_and(|id| viewers.contains(&id))
}

/// Why a change of protection is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProtectionDenied {
    /// The person is protected and the actor is not named on it.
    NotNamed,
}

impl ProtectionDenied {
    pub fn message(&self) -> &'static str {
        match self {
            ProtectionDenied::NotNamed => {
                "保護の設定を変更できるのは、閲覧を許可された利用者だけです"
            }
        }
    }
}

/// The named viewers after the actor sets protection to `protect` asking for
/// `requested`: on a protected person only a currently named viewer may
/// change the list or lift it; whoever protects a person is named
/// themselves. Lifting the protection clears the list.
pub fn protection_change(
    actor: &Actor,
    currently_protected: bool,
    current_viewers: &[i64],
    protect: bool,
    requested: &[i64],
) -> Result<Vec<i64>, ProtectionDenied> {
    if currently_protected && !sees_whereabouts(actor, true, current_viewers) {
        return Err(ProtectionDenied::NotNamed);
    }
    if !protect {
        return Ok(Vec::new());
    }
    let mut viewers: Vec<i64> = requested.to_vec();
    if let Some(id) = actor.user_id {
        viewers.push(id);
    }
    viewers.sort_unstable();
    viewers.dedup();
    Ok(viewers)
}

/// The protection of a merged record: the stricter of the two, and the union
/// of the named viewers of those that were protected.
pub fn merged_protection(a: (bool, &[i64]), b: (bool, &[i64])) -> (bool, Vec<i64>) {
    let mut viewers: Vec<i64> = Vec::new();
    for (protected, named) in [a, b] {
        if protected {
            viewers.extend_from_slice(named);
        }
    }
    viewers.sort_unstable();
    viewers.dedup();
    (a.0 || b.0, viewers)
}

/// Merging touches both records: on a protected one the actor must be named.
pub fn may_merge(actor: &Actor, a: (bool, &[i64]), b: (bool, &[i64])) -> bool {
    sees_whereabouts(actor, a.0, a.1) && sees_whereabouts(actor, b.0, b.1)
}

/// Only the sheet's 受付機関 changes or overrides the consent it recorded.
pub fn may_change_consent(actor: &Actor, sheet_agency_id: i64) -> bool {
    works_with_persons(actor) && actor.belongs_to(sheet_agency_id)
}

/// Only the sheet's 受付機関 corrects or voids (取消) the sheet it took;
/// another agency that sees it (a handoff) reads it as taken.
pub fn may_correct_sheet(actor: &Actor, sheet_agency_id: i64) -> bool {
    works_with_persons(actor) && actor.belongs_to(sheet_agency_id)
}

/// Whether one household member of a sheet taken by `sheet_agency_id` is
/// shown to the actor: all of them to the sheet's own agency; to anyone else
/// 本人 and the members who consented, unless a handoff of this sheet to the
/// actor's agency carries a consent override.
pub fn member_shared(
    actor: &Actor,
    sheet_agency_id: i64,
    is_self: bool,
    consented: bool,
    overridden_for_actor: bool,
) -> bool {
    actor.belongs_to(sheet_agency_id) || is_self || consented || overridden_for_actor
}

/// Whether the actor sees what a meeting produced (its material, decisions
/// and the tasks they created): for a meeting that requires the 守秘義務の確認
/// (the 支援会議), only its members who pledged, wherever it is shown (the
/// meeting page, task lists, the case page); for others, anyone who sees the
/// record it is attached to.
pub fn sees_meeting_output(requires_pledge: bool, pledged_member: bool) -> bool {
    !requires_pledge || pledged_member
}

/// Whether the actor sees a case: their agency is involved in it, or they
/// sit on a meeting that requires consent with the case on its agenda and
/// 本人 consents now. A 支援会議 gives no access outside itself.
pub fn sees_case(actor: &Actor, case_agency_ids: &[i64], via_consenting_meeting: bool) -> bool {
    works_with_persons(actor)
        && (case_agency_ids.iter().any(|a| actor.belongs_to(*a)) || via_consenting_meeting)
}

/// Whether the actor works a case they see: its lead CSW or the staff of
/// its 事務局.
pub fn may_work_case(actor: &Actor, lead_user_id: i64, secretariat_agency_id: i64) -> bool {
    works_with_persons(actor)
        && (actor.user_id == Some(lead_user_id) || actor.belongs_to(secretariat_agency_id))
}

/// How the actor may meet a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingAccess {
    /// Not a member: its existence is not disclosed (404).
    Hidden,
    /// A member of a meeting that requires the 守秘義務の確認 who has not
    /// pledged yet: the pledge first (403 with the reason).
    PledgeFirst,
    /// A member who may open the material.
    Open,
}

/// `member`: `None` if the actor is not a member, else whether they pledged.
pub fn meeting_access(actor: &Actor, member: Option<bool>, requires_pledge: bool) -> MeetingAccess {
    match member {
        _ if !sits_on_meetings(actor) => MeetingAccess::Hidden,
        None => MeetingAccess::Hidden,
        Some(false) if requires_pledge => MeetingAccess::PledgeFirst,
        Some(_) => MeetingAccess::Open,
    }
}

/// Who schedules meetings: the 多機関協働 team (`is_team`) and city staff.
pub fn may_schedule_meetings(actor: &Actor, is_team: bool) -> bool {
    actor.role == Role::City || (works_with_persons(actor) && is_team)
}

/// Whether the actor sees an アウトリーチ target: their agency works it, or
/// they are the 事務局 (`is_team`).
pub fn sees_target(actor: &Actor, target_agency_id: i64, is_team: bool) -> bool {
    works_with_persons(actor) && (actor.belongs_to(target_agency_id) || is_team)
}

/// Who adds 支援メニュー and records support for hosts: the 事務局.
pub fn may_manage_menus(actor: &Actor, is_team: bool) -> bool {
    works_with_persons(actor) && is_team
}

/// Who registers community resources (拠点): those who work with persons,
/// and administrators (who keep the directory).
pub fn may_register_resources(actor: &Actor) -> bool {
    works_with_persons(actor) || actor.role == Role::Admin
}

/// Who records events (出前相談会) and ties consultations to them.
pub fn may_record_events(actor: &Actor) -> bool {
    works_with_persons(actor)
}

/// Who marks a task done: a user of the agency it was given to who may see
/// it (`sees_output`: a 支援会議's task only after the pledge).
pub fn may_complete_task(actor: &Actor, task_agency_id: i64, sees_output: bool) -> bool {
    sits_on_meetings(actor) && actor.belongs_to(task_agency_id) && sees_output
}

/// Who sits on meetings and sees the tasks given to their organisation:
/// those who work with persons, and the 相談支援包括化推進員.
pub fn sits_on_meetings(actor: &Actor) -> bool {
    actor.role.sits_on_meetings()
}

/// Whether the actor's last proof of identity still covers a privileged
/// action (user management, protection changes, consent overrides, merges,
/// exports) at `now`: within ten minutes, or no session acts (the command
/// line on the server).
pub fn covers_privileged_action(actor: &Actor, now: chrono::DateTime<chrono::Utc>) -> bool {
    actor
        .authenticated_at
        .is_none_or(|at| tsunagaru_domain::login::recently_authenticated(at, now))
}

/// Who writes intakes in batches (a data migration, a synthetic data set):
/// the command line on the server only. A batch skips the duplicate checks
/// a worker answers sheet by sheet, so no session may send one.
pub fn may_import(actor: &Actor) -> bool {
    actor.user_id.is_none() && actor.authenticated_at.is_none()
}

/// Who manages staff accounts.
pub fn may_manage_users(actor: &Actor) -> bool {
    actor.role.can_manage_users()
}

/// Who keeps the directory's contact details (電話・FAX・メール・受付時間・
/// 内線 of agencies and 関係各課): the administrator.
pub fn may_edit_directory(actor: &Actor) -> bool {
    actor.role.can_manage_users()
}

/// Who reads the directory's internal notes (where in the plan a row comes
/// from, 「出典 3(2)エ(ウ)」): the administrator, who keeps the pack.
pub fn reads_source_notes(actor: &Actor) -> bool {
    actor.role.can_manage_users()
}

/// Who reads the audit log.
pub fn reads_audit_log(actor: &Actor) -> bool {
    actor.role.can_read_audit_log()
}

/// Who records 研修会・意見交換会: city staff and the 事務局 (`is_team`).
pub fn may_record_trainings(actor: &Actor, is_team: bool) -> bool {
    actor.role == Role::City || (works_with_persons(actor) && is_team)
}

/// Whose work the actor's 事業実績 counts: the whole city for city staff
/// and the 事務局 (`is_team`), their own agencies' for agency staff; `None`
/// for roles that do not work with persons (administration, audit).
pub fn report_scope(actor: &Actor, is_team: bool) -> Option<tsunagaru_store::ReportScope> {
    use tsunagaru_store::ReportScope;
    match actor.role {
        Role::City => Some(ReportScope::City),
        _ if works_with_persons(actor) && is_team => Some(ReportScope::City),
        _ if works_with_persons(actor) => Some(ReportScope::Agencies(actor.agency_ids.clone())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tsunagaru_domain::Role;

    /// (who, protected now, viewers now, protect, requested) → result
    type ProtectionRow<'a> = (
        &'a Actor,
        bool,
        &'a [i64],
        bool,
        &'a [i64],
        Result<Vec<i64>, ProtectionDenied>,
    );
    /// (one record, the other) → the merged record's protection
    type MergeRow<'a> = ((bool, &'a [i64]), (bool, &'a [i64]), (bool, Vec<i64>));

    fn actor(id: i64, role: Role, agencies: &[i64]) -> Actor {
        Actor {
            user_id: Some(id),
            name: format!("u{id}"),
            role,
            agency_ids: agencies.to_vec(),
            authenticated_at: None,
        }
    }

    #[test]
    fn privileged_actions_need_a_proof_of_identity_within_ten_minutes() {
        use chrono::{Duration, TimeZone, Utc};
        let now = Utc.with_ymd_and_hms(2026, 12, 2, 10, 0, 0).unwrap();
        // (proved this long ago, covers a privileged action now)
        let table: [(Option<i64>, bool); 5] = [
            (Some(0), true),
            (Some(9 * 60 + 59), true),
            (Some(10 * 60), true),
            (Some(10 * 60 + 1), false),
            (None, true),
        ];
        for (ago, covers) in table {
            let mut admin = actor(1, Role::Admin, &[]);
            admin.authenticated_at = ago.map(|s| now - Duration::seconds(s));
            assert_eq!(covers_privileged_action(&admin, now), covers, "{ago:?}");
        }
    }

    #[test]
    fn handoff_involvement_by_state() {
        use HandoffState::*;
        let table = [
            (Sent, true),
            (Received, true),
            (InProgress, true),
            (Reported, true),
            (Completed, true),
            (Returned, false),
            (Withdrawn, false),
        ];
        for (state, involved) in table {
            assert_eq!(handoff_involves_receiver(state), involved, "{state:?}");
        }
    }

    #[test]
    fn handoff_sides() {
        use HandoffState::*;
        let sender = actor(1, Role::Staff, &[10]);
        let receiver = actor(2, Role::Staff, &[20]);
        let both = actor(3, Role::Staff, &[10, 20]);
        let stranger = actor(4, Role::Staff, &[30]);
        let admin = actor(5, Role::Admin, &[10, 20]);
        let table = [
            (&sender, Sent, Some(HandoffSide::Sender)),
            (&sender, Withdrawn, Some(HandoffSide::Sender)),
            (&receiver, Sent, Some(HandoffSide::Receiver)),
            (&receiver, Completed, Some(HandoffSide::Receiver)),
            (&receiver, Withdrawn, None),
            (&receiver, Returned, None),
            (&both, Received, Some(HandoffSide::Both)),
            (&both, Returned, Some(HandoffSide::Sender)),
            (&stranger, Sent, None),
            (&admin, Sent, None),
        ];
        for (who, state, side) in table {
            assert_eq!(
                handoff_side(who, 10, 20, state),
                side,
                "{} {state:?}",
                who.name
            );
        }
    }

    #[test]
    fn only_a_named_viewer_changes_protection() {
        let named = actor(1, Role::Staff, &[10]);
        let colleague = actor(2, Role::Staff, &[10]);
        // (who, protected now, viewers now, protect, requested) → result
        let table: [ProtectionRow; 7] = [
            // Anyone in scope may protect an unprotected person, and is named.
            (&colleague, false, &[], true, &[], Ok(vec![2])),
            (&colleague, false, &[], true, &[1], Ok(vec![1, 2])),
            // A colleague cannot name themselves, remove others or lift it.
            (
                &colleague,
                true,
                &[1],
                true,
                &[1, 2],
                Err(ProtectionDenied::NotNamed),
            ),
            (
                &colleague,
                true,
                &[1],
                true,
                &[2],
                Err(ProtectionDenied::NotNamed),
            ),
            (
                &colleague,
                true,
                &[1],
                false,
                &[],
                Err(ProtectionDenied::NotNamed),
            ),
            // A named viewer may add a colleague, or lift it.
            (&named, true, &[1], true, &[2], Ok(vec![1, 2])),
            (&named, true, &[1], false, &[1], Ok(vec![])),
        ];
        for (who, protected, viewers, protect, requested, expected) in table {
            assert_eq!(
                protection_change(who, protected, viewers, protect, requested),
                expected,
                "{} {protected} {viewers:?} → {protect} {requested:?}",
                who.name
            );
        }
    }

    #[test]
    fn a_merge_keeps_the_stricter_protection_and_all_named_viewers() {
        let table: [MergeRow; 4] = [
            ((false, &[]), (false, &[]), (false, vec![])),
            ((false, &[]), (true, &[3]), (true, vec![3])),
            ((true, &[1, 2]), (true, &[2, 3]), (true, vec![1, 2, 3])),
            ((true, &[1]), (false, &[9]), (true, vec![1])),
        ];
        for (a, b, expected) in table {
            assert_eq!(merged_protection(a, b), expected, "{a:?} + {b:?}");
        }
    }

    #[test]
    fn merging_a_protected_record_needs_the_actor_named_on_it() {
        let named = actor(1, Role::Staff, &[10]);
        let colleague = actor(2, Role::Staff, &[10]);
        assert!(may_merge(&named, (true, &[1]), (false, &[])));
        assert!(!may_merge(&colleague, (true, &[1]), (false, &[])));
        assert!(!may_merge(&colleague, (false, &[]), (true, &[1])));
        assert!(may_merge(&colleague, (false, &[]), (false, &[])));
    }

    #[test]
    fn household_members_shared_by_sheet() {
        let taker = actor(1, Role::Staff, &[10]);
        let receiver = actor(2, Role::Staff, &[20]);
        // (who, is 本人, consented, overridden for them) → shown
        let table = [
            (&taker, false, false, false, true),
            (&receiver, true, false, false, true),
            (&receiver, false, true, false, true),
            (&receiver, false, false, false, false),
            (&receiver, false, false, true, true),
        ];
        for (who, is_self, consented, overridden, shown) in table {
            assert_eq!(
                member_shared(who, 10, is_self, consented, overridden),
                shown,
                "{} self={is_self} consent={consented} override={overridden}",
                who.name
            );
        }
    }

    #[test]
    fn only_the_sheets_agency_changes_consent() {
        assert!(may_change_consent(&actor(1, Role::Staff, &[10]), 10));
        assert!(!may_change_consent(&actor(2, Role::Staff, &[20]), 10));
        assert!(!may_change_consent(&actor(3, Role::Admin, &[10]), 10));
        assert!(may_correct_sheet(&actor(1, Role::Staff, &[10]), 10));
        assert!(may_correct_sheet(&actor(4, Role::Csw, &[5, 10]), 10));
        assert!(!may_correct_sheet(&actor(2, Role::Staff, &[20]), 10));
        assert!(!may_correct_sheet(&actor(3, Role::Admin, &[10]), 10));
        assert!(!may_correct_sheet(&actor(5, Role::Auditor, &[10]), 10));
    }

    #[test]
    fn support_conference_output_reaches_pledged_members_only() {
        // (requires pledge, a member who pledged) → sees
        let table = [
            (false, false, true),
            (true, false, false),
            (true, true, true),
        ];
        for (requires, pledged, sees) in table {
            assert_eq!(
                sees_meeting_output(requires, pledged),
                sees,
                "{requires} {pledged}"
            );
        }
    }

    #[test]
    fn whereabouts_by_naming() {
        let named = actor(1, Role::Staff, &[10]);
        let other = actor(2, Role::Staff, &[10]);
        assert!(sees_whereabouts(&other, false, &[]));
        assert!(sees_whereabouts(&named, true, &[1]));
        assert!(!sees_whereabouts(&other, true, &[1]));
    }

    #[test]
    fn who_sees_and_works_a_case() {
        let staff = actor(1, Role::Staff, &[3]);
        let csw = actor(2, Role::Csw, &[9]);
        let admin = actor(3, Role::Admin, &[3]);
        for (who, agencies, via_meeting, sees) in [
            (&staff, &[3, 9][..], false, true),
            (&staff, &[9], false, false),
            (&staff, &[9], true, true),
            (&csw, &[9], false, true),
            (&admin, &[3], false, false),
            (&admin, &[3], true, false),
        ] {
            assert_eq!(
                sees_case(who, agencies, via_meeting),
                sees,
                "{who:?} {agencies:?}"
            );
        }
        assert!(may_work_case(&csw, 99, 9), "the 事務局's staff");
        assert!(may_work_case(&staff, 1, 9), "the lead CSW");
        assert!(
            !may_work_case(&staff, 99, 9),
            "an involved agency sees but does not work it"
        );
        assert!(!may_work_case(&admin, 3, 3));
    }

    #[test]
    fn meetings_open_to_members_and_the_support_conference_after_the_pledge() {
        let staff = actor(1, Role::Staff, &[3]);
        let auditor = actor(2, Role::Auditor, &[]);
        for (who, member, pledge, access) in [
            (&staff, None, false, MeetingAccess::Hidden),
            (&staff, None, true, MeetingAccess::Hidden),
            (&staff, Some(false), false, MeetingAccess::Open),
            (&staff, Some(false), true, MeetingAccess::PledgeFirst),
            (&staff, Some(true), true, MeetingAccess::Open),
            (&auditor, Some(true), false, MeetingAccess::Hidden),
        ] {
            assert_eq!(
                meeting_access(who, member, pledge),
                access,
                "{member:?} {pledge}"
            );
        }
        assert!(may_schedule_meetings(&actor(3, Role::City, &[]), false));
        assert!(may_schedule_meetings(&actor(4, Role::Csw, &[9]), true));
        assert!(!may_schedule_meetings(&staff, false));
        assert!(!may_schedule_meetings(&actor(5, Role::Admin, &[]), true));
    }

    #[test]
    fn reach_rules() {
        let staff = actor(1, Role::Staff, &[3]);
        let city = actor(2, Role::City, &[]);
        let admin = actor(3, Role::Admin, &[]);
        let auditor = actor(4, Role::Auditor, &[]);
        assert!(sees_target(&staff, 3, false));
        assert!(!sees_target(&staff, 4, false));
        assert!(sees_target(&staff, 4, true), "the 事務局 sees every target");
        assert!(!sees_target(&admin, 3, true));
        assert!(may_manage_menus(&staff, true) && !may_manage_menus(&staff, false));
        for (who, resources, events) in [
            (&staff, true, true),
            (&city, true, true),
            (&admin, true, false),
            (&auditor, false, false),
        ] {
            assert_eq!(may_register_resources(who), resources, "{who:?}");
            assert_eq!(may_record_events(who), events, "{who:?}");
        }
    }

    #[test]
    fn tasks_are_done_by_their_agency_when_seen() {
        let staff = actor(1, Role::Staff, &[6]);
        assert!(may_complete_task(&staff, 6, true));
        assert!(
            !may_complete_task(&staff, 6, false),
            "a 支援会議 task before the pledge"
        );
        assert!(!may_complete_task(&staff, 7, true), "another agency's task");
        assert!(!may_complete_task(&actor(2, Role::Admin, &[6]), 6, true));
    }

    #[test]
    fn administration_by_role() {
        for (role, users, audit) in [
            (Role::Admin, true, true),
            (Role::Auditor, false, true),
            (Role::Staff, false, false),
            (Role::Csw, false, false),
            (Role::City, false, false),
        ] {
            let a = actor(1, role, &[]);
            assert_eq!(may_manage_users(&a), users, "{role:?}");
            assert_eq!(may_edit_directory(&a), users, "{role:?}");
            assert_eq!(reads_source_notes(&a), users, "{role:?}");
            assert_eq!(reads_audit_log(&a), audit, "{role:?}");
        }
    }

    #[test]
    fn reports_count_the_city_or_the_actors_agencies() {
        use tsunagaru_store::ReportScope;
        let city = actor(1, Role::City, &[]);
        let team = actor(2, Role::Csw, &[9]);
        let staff = actor(3, Role::Staff, &[3, 4]);
        assert_eq!(report_scope(&city, false), Some(ReportScope::City));
        assert_eq!(report_scope(&team, true), Some(ReportScope::City));
        assert_eq!(
            report_scope(&staff, false),
            Some(ReportScope::Agencies(vec![3, 4]))
        );
        for role in [Role::Admin, Role::Auditor] {
            assert_eq!(report_scope(&actor(4, role, &[3]), true), None, "{role:?}");
        }
        assert!(may_record_trainings(&city, false));
        assert!(may_record_trainings(&team, true));
        assert!(!may_record_trainings(&staff, false));
        assert!(!may_record_trainings(&actor(5, Role::Admin, &[]), true));
    }

    #[test]
    fn the_promoter_sits_on_meetings_but_works_with_no_person() {
        let promoter = actor(1, Role::Promoter, &[8]);
        let staff = actor(2, Role::Staff, &[8]);
        let admin = actor(3, Role::Admin, &[8]);
        let auditor = actor(4, Role::Auditor, &[]);
        // (who, member?, requires pledge) → access
        let table = [
            (&promoter, Some(true), true, MeetingAccess::Open),
            (&promoter, Some(false), true, MeetingAccess::PledgeFirst),
            (&promoter, Some(false), false, MeetingAccess::Open),
            (&promoter, None, false, MeetingAccess::Hidden),
            (&staff, Some(false), false, MeetingAccess::Open),
            (&admin, Some(true), false, MeetingAccess::Hidden),
            (&auditor, Some(true), false, MeetingAccess::Hidden),
        ];
        for (who, member, pledge, expected) in table {
            assert_eq!(
                meeting_access(who, member, pledge),
                expected,
                "{} {member:?}",
                who.name
            );
        }
        // The tasks given to their organisation, once they may see them.
        assert!(may_complete_task(&promoter, 8, true));
        assert!(!may_complete_task(&promoter, 8, false));
        assert!(!may_complete_task(&promoter, 9, true));
        assert!(!may_complete_task(&admin, 8, true));
        // Nothing of persons: no cases, no アウトリーチ, no reports, no scheduling.
        assert!(!works_with_persons(&promoter));
        assert!(!sees_case(&promoter, &[8], true));
        assert!(!sees_target(&promoter, 8, true));
        assert!(!may_schedule_meetings(&promoter, true));
        assert_eq!(report_scope(&promoter, false), None);
    }
}

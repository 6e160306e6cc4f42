//! The storage seam: one [`Repository`] trait that every backend implements
//! (SQLite in `tsunagaru-store-sqlite`, PostgreSQL in
//! `tsunagaru-store-postgres`), the records it returns, and the checks built
//! on top of it ([`verify_audit_log`]).
//!
//! Every method that changes data takes the audit event describing the change
//! and writes both in one transaction: a change without its audit event is
//! never committed.

mod anchor;
mod cases;
mod clock;
mod desk;
mod handoffs;
mod persons;
mod reach;
mod records;
mod report;
#[doc(hidden)]
pub mod sql;
#[doc(hidden)]
pub mod sql_cases;
#[doc(hidden)]
pub mod sql_desk;
#[doc(hidden)]
pub mod sql_reach;
#[doc(hidden)]
pub mod sql_report;
#[doc(hidden)]
pub use sql::__private;
mod verify;
mod write;

pub use anchor::AuditAnchors;
pub use cases::*;
pub use clock::{Clock, in_japan, jst};
pub use desk::*;
pub use handoffs::*;
pub use persons::*;
pub use reach::*;
pub use records::*;
pub use report::*;
pub use verify::{VerifyError, verify_audit_log, verify_audit_log_anchored};
pub use write::{GroupCommit, WriteTx};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tsunagaru_domain::intake::{IntakeSheet, PersonSheet};
use tsunagaru_domain::{AuditEvent, LoginThrottle, NewAuditEvent, Username};
use tsunagaru_pack::{Pack, PackSources};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// What is stored refuses the write (a taken username, a record changed
    /// meanwhile). The reason is a code: the application words it.
    #[error("conflict: {0:?}")]
    Conflict(Conflict),
    #[error("migration failed: {0}")]
    Migration(String),
    #[error("database error: {0}")]
    Database(String),
}

/// Why what is stored refuses a write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    /// The username (as normalized) belongs to another user.
    UsernameTaken(String),
    /// The person chosen is absent or merged away.
    PersonGone,
    /// Merging a record into itself.
    SamePerson,
    /// The record to merge is absent or merged already.
    MergeTargetGone,
    /// The record holds no merge to undo.
    NoMergeHistory,
    /// The record is not merged into another.
    NotMerged,
    /// Someone else changed the record first.
    Stale(Stale),
    /// The consultation has an open case already.
    CaseAlreadyOpen {
        case_id: i64,
    },
    /// No such household member on the sheet.
    NoSuchMember,
    /// The user is not a member of the meeting.
    NotAMeetingMember,
    AlreadyOnAgenda,
    PlanAlreadyAgreed,
    /// The task is done or superseded.
    TaskClosed,
    /// The task is not done, was done by someone else, or too long ago to undo.
    TaskUndoExpired,
    /// The outreach target is connected or ended.
    TargetClosed,
    MenuGone,
    MenuFull,
    AlreadyParticipating,
    ParticipationEnded,
    /// The consultation is tied to the event already.
    AlreadyLinked,
    /// The 拠点 is closed (廃止) already.
    ResourceClosed,
    /// The sheet is voided (取消).
    ConsultationVoided,
}

/// The kind of record another user changed first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stale {
    Person,
    Handoff,
    Case,
    OutreachTarget,
    /// The minutes were saved by someone else since they were opened.
    Minutes,
    /// The person's 基本情報 changed since it was opened.
    PersonRecord,
    /// An agency's contact details changed since they were opened.
    Contact,
    /// The case's アセスメント was saved by someone else since it was opened.
    Assessment,
    /// A plan version was saved by someone else since the one edited.
    Plan,
}

/// The version a record was read at, from the time it was last written
/// (microseconds; "0" for never), sent back with an edit so that a second
/// save over someone else's is refused instead of overwriting it.
pub fn version_of(at: Option<DateTime<Utc>>) -> String {
    at.map_or(0, |t| t.timestamp_micros()).to_string()
}

/// A person's protection as the caller saw it when it decided who may
/// change it. A write that depends on it re-reads it inside its transaction
/// (writers are serialised) and is refused with `Conflict::Stale(Stale::Person)`
/// if it changed meanwhile, so a decision is never applied to a newer list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtectionSeen {
    pub protected: bool,
    pub viewers: Vec<i64>,
}

impl ProtectionSeen {
    pub fn of(person: &Person) -> ProtectionSeen {
        ProtectionSeen {
            protected: person.protected,
            viewers: person.protected_viewers.clone(),
        }
    }
}

/// Which backend a repository runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[async_trait]
pub trait Repository: Send + Sync + 'static {
    fn backend(&self) -> Backend;
    /// The one clock of the application: the store stamps rows with it, the
    /// application reads "today" from it.
    fn clock(&self) -> &Clock;

    // ---- directory (the municipality pack) ----

    /// Loads or re-loads a pack: agencies and departments are updated in
    /// place by their keys (ids stay, so users and case data keep pointing at
    /// them); agencies a pack no longer lists are marked inactive, never
    /// deleted. Touches no case data.
    async fn load_pack(&self, pack: &Pack, audit: NewAuditEvent) -> Result<PackLoadReport>;
    /// The municipality name of the loaded pack, if one is loaded.
    async fn loaded_municipality(&self) -> Result<Option<String>>;
    /// Raised by every pack load (any server's): a pack held in memory is
    /// the stored one while this has not moved. `None` before the first
    /// load that stored the pack's files.
    async fn pack_version(&self) -> Result<Option<i64>>;
    /// The files of the pack as last loaded, with their version; `Err`
    /// inside when what is stored cannot be read back by this build.
    async fn stored_pack(&self) -> Result<Option<(i64, std::result::Result<PackSources, String>)>>;
    /// Raised by every change to agencies or departments (any server's):
    /// a directory held in memory is current while this has not moved.
    async fn directory_version(&self) -> Result<i64>;
    async fn agencies(&self) -> Result<Vec<Agency>>;
    async fn agency(&self, id: i64) -> Result<Option<Agency>>;
    async fn departments(&self) -> Result<Vec<Department>>;
    /// Sets an agency's (or 関係各課's) contact details as the administrator
    /// gives them; pack loads leave them alone. `false` if no such agency.
    /// `Conflict(Stale::Contact)` if `expected_version` is given and the
    /// details were changed since.
    async fn set_agency_contact(
        &self,
        agency_id: i64,
        expected_version: Option<&str>,
        contact: &tsunagaru_domain::contact::Contact,
        by_user: i64,
        audit: NewAuditEvent,
    ) -> Result<bool>;
    async fn catchment_towns(&self, agency_id: i64) -> Result<Vec<String>>;
    async fn network_members(&self) -> Result<Vec<NetworkMember>>;

    // ---- users ----

    /// Creates a user with their agencies. `Conflict` if the username is taken.
    async fn create_user(&self, user: NewUser, audit: NewAuditEvent) -> Result<i64>;
    async fn user(&self, id: i64) -> Result<Option<User>>;
    async fn user_credentials(&self, username: &Username) -> Result<Option<UserCredentials>>;
    async fn users(&self) -> Result<Vec<User>>;
    /// Which of these ids are users (of any state), ascending: one read.
    async fn user_ids_among(&self, ids: &[i64]) -> Result<Vec<i64>>;
    /// The names of these persons (any that exist), by id: one read, for
    /// rows the caller already may show (a desk's handoffs and cases).
    async fn person_names(&self, ids: &[i64]) -> Result<Vec<(i64, String)>>;
    async fn set_user_active(&self, id: i64, active: bool, audit: NewAuditEvent) -> Result<bool>;

    // ---- sign-in ----

    /// Counts one more attempt that may fail, atomically (read and write in
    /// one write transaction, which the backends serialise): `Ok` with the
    /// state after counting it as a failure, `Err` with the current state,
    /// unchanged, when the name is locked at `now`.
    async fn reserve_login_attempt(
        &self,
        username: &str,
        policy: &tsunagaru_domain::LoginPolicy,
        now: DateTime<Utc>,
    ) -> Result<std::result::Result<LoginThrottle, LoginThrottle>>;
    /// Sets a user's password hash, clears an asked change, and ends the
    /// user's other sessions (all but `keep_session`), audited.
    async fn set_password(
        &self,
        user_id: i64,
        password_hash: &str,
        keep_session: Option<&str>,
        audit: NewAuditEvent,
    ) -> Result<()>;
    /// Marks that the user must set a new password before anything else;
    /// `false` if there is no such user.
    async fn require_password_change(&self, user_id: i64, audit: NewAuditEvent) -> Result<bool>;
    /// Marks that the session's user proved who they are at `at`, audited.
    async fn mark_authenticated(
        &self,
        token_hash: &str,
        at: DateTime<Utc>,
        audit: NewAuditEvent,
    ) -> Result<()>;
    async fn totp_state(&self, user_id: i64) -> Result<TotpState>;
    /// Keeps a new secret awaiting its first code (the confirmed one, if
    /// any, stays in force until then).
    async fn begin_totp(
        &self,
        user_id: i64,
        pending_secret: &str,
        audit: NewAuditEvent,
    ) -> Result<()>;
    /// Puts the awaited secret in force if it is still `secret`, with its
    /// first accepted step and new recovery codes (the old ones go);
    /// `false` if another enrolment replaced it.
    async fn confirm_totp(
        &self,
        user_id: i64,
        secret: &str,
        step: i64,
        recovery_code_hashes: &[String],
        audit: NewAuditEvent,
    ) -> Result<bool>;
    /// Accepts a time step once: `false` if it (or a later one) was used.
    async fn accept_totp_step(&self, user_id: i64, step: i64) -> Result<bool>;
    /// Uses a recovery code once: `false` if unknown or used.
    async fn use_recovery_code(
        &self,
        user_id: i64,
        code_hash: &str,
        at: DateTime<Utc>,
    ) -> Result<bool>;
    /// Removes the second factor and its recovery codes and ends the user's
    /// sessions, audited; `false` if there is no such user.
    async fn reset_totp(&self, user_id: i64, audit: NewAuditEvent) -> Result<bool>;
    /// Keeps a sign-in awaiting its code (those five minutes old are forgotten).
    async fn create_sign_in_challenge(
        &self,
        token_hash: &str,
        user_id: i64,
        kind: &SessionKind,
        at: DateTime<Utc>,
    ) -> Result<()>;
    async fn sign_in_challenge(&self, token_hash: &str) -> Result<Option<SignInChallenge>>;
    async fn delete_sign_in_challenge(&self, token_hash: &str) -> Result<()>;
    /// Claims an idempotency key for a request (`request`: method, path
    /// and a digest of the body) within `scope` (the caller's session);
    /// keys older than a day are forgotten first.
    async fn claim_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        request: &str,
        now: DateTime<Utc>,
    ) -> Result<IdempotencyClaim>;
    /// Keeps the answer of a claimed key.
    async fn complete_idempotency_key(
        &self,
        scope: &str,
        key: &str,
        response: &KeptResponse,
    ) -> Result<()>;
    /// Frees a claimed key whose request failed, so it can be sent again.
    async fn release_idempotency_key(&self, scope: &str, key: &str) -> Result<()>;
    /// The names locked at `now`, the latest lock first.
    async fn login_locks(&self, now: DateTime<Utc>) -> Result<Vec<LoginLock>>;
    /// Lifts a name's lock (an administrator's act, audited); `false` if
    /// the name had none.
    async fn lift_login_lock(&self, username: &str, audit: NewAuditEvent) -> Result<bool>;
    /// A user's sessions, the latest used first.
    async fn sessions_of_user(&self, user_id: i64) -> Result<Vec<Session>>;
    /// Ends every session of a user (audited); how many there were.
    async fn end_sessions_of_user(&self, user_id: i64, audit: NewAuditEvent) -> Result<u64>;
    /// Forgets a name's failed attempts (after a successful sign-in).
    async fn clear_login_throttle(&self, username: &str) -> Result<()>;
    async fn create_session(&self, session: NewSession, audit: NewAuditEvent) -> Result<()>;
    async fn session(&self, token_hash: &str) -> Result<Option<Session>>;
    /// A session and its user with the user's agencies, in one read (every
    /// signed-in request's first).
    async fn session_with_user(&self, token_hash: &str) -> Result<Option<(Session, User)>>;
    async fn touch_session(&self, token_hash: &str, at: DateTime<Utc>) -> Result<()>;
    async fn delete_session(&self, token_hash: &str, audit: Option<NewAuditEvent>) -> Result<()>;
    /// Deletes sessions unused since `idle_before` or begun before
    /// `created_before`; returns how many.
    async fn purge_sessions(
        &self,
        idle_before: DateTime<Utc>,
        created_before: DateTime<Utc>,
    ) -> Result<u64>;

    // ---- audit log ----

    /// Appends one event on its own (reads of personal data, failed sign-ins).
    async fn append_audit(&self, event: NewAuditEvent) -> Result<AuditEvent>;
    /// Events with `seq > after_seq`, oldest first, at most `limit`.
    async fn audit_events(&self, after_seq: i64, limit: i64) -> Result<Vec<AuditEvent>>;
    /// The newest events, newest first.
    async fn recent_audit_events(&self, limit: i64) -> Result<Vec<AuditEvent>>;
    /// The last `(seq, hash)` as recorded apart from the log.
    async fn audit_head(&self) -> Result<Option<(i64, String)>>;

    // ---- persons and consultations ----
    /// After a bulk load: the person search index merged (SQLite's FTS5
    /// `optimize`: one segment to read instead of one per batch) and the
    /// query planner's statistics refreshed (SQLite `PRAGMA optimize`,
    /// PostgreSQL `ANALYZE`). Changes no record.
    async fn settle_after_load(&self) -> Result<()>;

    /// Saves a consultation with its person (new, or the existing one named in
    /// `ctx`), household and consent, all or nothing.
    async fn create_intake(
        &self,
        sheet: &IntakeSheet,
        ctx: &IntakeContext,
        audit: NewAuditEvent,
    ) -> Result<IntakeIds>;
    /// Intakes written together in one transaction, each as `create_intake`
    /// writes it (with its notes and handoffs), and one audit event for the
    /// batch naming every consultation. For data migrations and synthetic
    /// data sets: large batches cost one commit.
    async fn import_intakes(
        &self,
        intakes: &[ImportedIntake],
        audit: NewAuditEvent,
    ) -> Result<Vec<IntakeIds>>;
    /// A person record (merged records included, with `merged_into` set).
    async fn person(&self, id: i64) -> Result<Option<Person>>;
    /// The search keys of the persons born on `date` (merged records left
    /// out), at most `limit`, from one range of an index that holds them
    /// beside the date: a duplicate check compares names against them and
    /// then reads only the near ones, in scope. Not scoped itself.
    async fn born_on(&self, date: chrono::NaiveDate, limit: i64) -> Result<Vec<NameKeys>>;
    /// Whether any of these agencies is involved with the person.
    async fn person_in_scope(&self, id: i64, agency_ids: &[i64]) -> Result<bool>;
    /// Where the scope index (`person_scope`, kept on write) and the records
    /// it is made of disagree, as (person, agency) pairs; empty when it is
    /// true. It recomputes every person's scope from the records by the
    /// domain's rule (`HandoffState::involves_receiver`): for checks, never
    /// for a request.
    async fn person_scope_differences(&self) -> Result<Vec<(i64, i64)>>;
    /// Persons these agencies are involved with that match the query, newest first.
    async fn search_persons(
        &self,
        agency_ids: &[i64],
        query: &PersonQuery,
        limit: i64,
    ) -> Result<Vec<Person>>;
    async fn consultations_of(&self, person_id: i64) -> Result<Vec<Consultation>>;
    async fn consultation(&self, id: i64) -> Result<Option<Consultation>>;
    /// The consultations of these ids (any that exist), by id, each with its
    /// household: two reads whatever their number.
    async fn consultations_among(&self, ids: &[i64]) -> Result<Vec<Consultation>>;
    /// Corrects a sheet's own fields and keeps each change in its history
    /// (the report's 相談内容 rows follow). `Conflict(ConsultationVoided)`
    /// once voided.
    async fn correct_consultation(
        &self,
        id: i64,
        correction: &SheetCorrection,
        audit: NewAuditEvent,
    ) -> Result<()>;
    /// Voids a sheet with a reason: kept, hidden from the counts.
    /// `Conflict(ConsultationVoided)` if it is voided already.
    async fn void_consultation(
        &self,
        id: i64,
        by_user: i64,
        reason: &str,
        audit: NewAuditEvent,
    ) -> Result<()>;
    /// A sheet's corrections, oldest first.
    async fn consultation_changes(&self, id: i64) -> Result<Vec<ConsultationChange>>;
    async fn add_note(&self, note: &NewNote, audit: NewAuditEvent) -> Result<i64>;
    async fn notes_of(&self, person_id: i64) -> Result<Vec<Note>>;
    async fn person_changes(&self, person_id: i64) -> Result<Vec<PersonChange>>;
    /// Marks a person as protected (or not), naming the users who may see
    /// the whereabouts. Recorded in the history.
    async fn set_protection(
        &self,
        person_id: i64,
        seen: &ProtectionSeen,
        protected: bool,
        viewer_ids: &[i64],
        by_user: i64,
        audit: NewAuditEvent,
    ) -> Result<()>;
    /// Updates a person's 基本情報; every changed field is recorded in the
    /// history with its value before and after. Returns the changed fields.
    async fn update_person(
        &self,
        person_id: i64,
        expected_version: Option<&str>,
        person: &PersonSheet,
        town: Option<String>,
        by_user: i64,
        audit: NewAuditEvent,
    ) -> Result<Vec<String>>;
    /// Moves `merged`'s consultations and notes to `kept` and marks `merged`
    /// as merged into it; both histories record it, so it can be undone.
    /// `protection` is what the kept record has afterwards (protected, the
    /// named viewers), decided by the application's policy.
    async fn merge_persons(
        &self,
        kept: i64,
        merged: i64,
        seen: [&ProtectionSeen; 2],
        protection: (bool, &[i64]),
        by_user: i64,
        audit: NewAuditEvent,
    ) -> Result<()>;
    /// Undoes the last merge of `merged`, from what the history recorded:
    /// its consultations and notes go back to it. Returns the person it had
    /// been merged into.
    async fn unmerge_person(&self, merged: i64, by_user: i64, audit: NewAuditEvent) -> Result<i64>;

    // ---- handoffs ----

    /// Sends handoffs (one per receiving agency) together, with the audit event.
    async fn create_handoffs(
        &self,
        handoffs: &[NewHandoff],
        audit: NewAuditEvent,
    ) -> Result<Vec<i64>>;
    async fn handoff(&self, id: i64) -> Result<Option<Handoff>>;
    /// Handoffs to (inbox) or from (outbox) these agencies, newest first.
    async fn handoffs_of(&self, agency_ids: &[i64], box_: HandoffBox) -> Result<Vec<Handoff>>;
    async fn handoffs_of_person(&self, person_id: i64) -> Result<Vec<Handoff>>;
    /// Takes a step: `Conflict` if the handoff is no longer in `from_state`.
    async fn step_handoff(
        &self,
        id: i64,
        update: &HandoffUpdate,
        audit: NewAuditEvent,
    ) -> Result<Handoff>;
    async fn handoff_events(&self, id: i64) -> Result<Vec<HandoffEvent>>;

    // ---- the worker's desk ----

    /// What a user has in hand: sheets they took that are still open (or
    /// taken on or after `recent_from`), handoffs they received and have not
    /// reported on, open cases they lead. Costs what the user has.
    async fn desk_of(&self, user_id: i64, recent_from: chrono::NaiveDate) -> Result<DeskRows>;
    /// Handoffs sent to these agencies, and reports and 差戻し of handoffs
    /// they sent, after `since`; newest first, at most `limit`.
    async fn arrivals(
        &self,
        agency_ids: &[i64],
        since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Arrival>>;
    /// One user's newest audit events of one action, newest first.
    async fn audit_events_of(
        &self,
        user_id: i64,
        action: tsunagaru_domain::AuditAction,
        limit: i64,
    ) -> Result<Vec<AuditEvent>>;
    /// Changes one household member's 同意 (given later, or withdrawn); the
    /// person's history records it. `Conflict` if there is no such member.
    async fn set_member_consent(
        &self,
        consultation_id: i64,
        position: i64,
        consent: &str,
        by_user: i64,
        audit: NewAuditEvent,
    ) -> Result<()>;
    // ---- 多機関協働: cases, plans, meetings, tasks ----

    /// Opens a case in 受付, the 受付機関 and the 事務局 involved. `Conflict`
    /// if the consultation already has an open case.
    async fn create_case(&self, case: &NewCase, audit: NewAuditEvent) -> Result<i64>;
    async fn case(&self, id: i64) -> Result<Option<Case>>;
    /// Cases these agencies are involved in, newest first.
    async fn cases_of(&self, agency_ids: &[i64]) -> Result<Vec<Case>>;
    async fn cases_of_person(&self, person_id: i64) -> Result<Vec<Case>>;
    /// Applies a change if the case is still in `change.from_state`
    /// (`Conflict` otherwise), with its event and audit.
    async fn update_case(&self, id: i64, change: &CaseChange, audit: NewAuditEvent)
    -> Result<Case>;
    async fn case_events(&self, case_id: i64) -> Result<Vec<CaseEvent>>;
    /// Saves a new plan version (a draft); moves the case along `state` if given.
    /// Returns `(plan id, version)`.
    /// `Conflict(Stale::Plan)` if `based_on` is given and is not the
    /// newest version (0: none yet).
    async fn create_plan(
        &self,
        case_id: i64,
        plan: &tsunagaru_domain::plan::Plan,
        based_on: Option<i64>,
        by_user: i64,
        state: Option<CaseChange>,
        audit: NewAuditEvent,
    ) -> Result<(i64, i64)>;
    /// Every version, newest first.
    async fn plans_of(&self, case_id: i64) -> Result<Vec<PlanVersion>>;

    /// Schedules meetings (a series shares its members), with the audit event.
    async fn create_meetings(
        &self,
        meetings: &[NewMeeting],
        audit: NewAuditEvent,
    ) -> Result<Vec<i64>>;
    async fn meeting(&self, id: i64) -> Result<Option<Meeting>>;
    /// Meetings the user is a member of, by start time.
    async fn meetings_of_user(&self, user_id: i64) -> Result<Vec<MeetingRow>>;
    /// Meetings that have the case on their agenda, by start time.
    async fn meetings_with_case(&self, case_id: i64) -> Result<Vec<MeetingRow>>;
    /// Records the member's 守秘義務の確認 (once; later calls keep the first).
    async fn pledge(&self, meeting_id: i64, user_id: i64, audit: NewAuditEvent) -> Result<()>;
    /// `Conflict` if the case is on the agenda already.
    async fn add_agenda_item(
        &self,
        meeting_id: i64,
        case_id: i64,
        by_user: i64,
        audit: NewAuditEvent,
    ) -> Result<()>;
    /// Puts a topic on the agenda (after the items there); its id.
    async fn add_agenda_topic(
        &self,
        meeting_id: i64,
        topic: &tsunagaru_domain::case::Topic,
        by_user: i64,
        audit: NewAuditEvent,
    ) -> Result<i64>;
    /// Puts an アウトリーチ target on the agenda with its situation in words;
    /// its id. `Conflict` if the target is on the agenda already.
    async fn add_agenda_outreach(
        &self,
        meeting_id: i64,
        target_id: i64,
        situation: &str,
        by_user: i64,
        audit: NewAuditEvent,
    ) -> Result<i64>;
    /// Links an agenda item to the consultation its person came to.
    async fn link_agenda_consultation(
        &self,
        item_id: i64,
        consultation_id: i64,
        audit: NewAuditEvent,
    ) -> Result<()>;
    /// A member's 出席 / 欠席; `Conflict` if the user is not a member.
    async fn record_attendance(
        &self,
        meeting_id: i64,
        user_id: i64,
        attended: bool,
        audit: NewAuditEvent,
    ) -> Result<()>;
    /// An attendee who is not a user; its id.
    async fn add_attendee(
        &self,
        meeting_id: i64,
        attendee: &tsunagaru_domain::case::Attendee,
        by_user: i64,
        audit: NewAuditEvent,
    ) -> Result<i64>;
    /// Plans in force of the open cases of these 事務局 agencies whose
    /// 次回見直し日 is on or before `until`, the earliest first.
    async fn review_due_plans(
        &self,
        secretariat_ids: &[i64],
        until: chrono::NaiveDate,
    ) -> Result<Vec<ReviewDuePlan>>;
    /// The kind and day of every meeting from `from` to `to`.
    async fn meeting_days(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<(tsunagaru_domain::case::MeetingKind, chrono::NaiveDate)>>;
    /// `Conflict(Stale::Minutes)` if `expected_version` is given and the
    /// minutes were saved since.
    async fn save_minutes(
        &self,
        meeting_id: i64,
        expected_version: Option<&str>,
        minutes: &str,
        by_user: i64,
        audit: NewAuditEvent,
    ) -> Result<()>;
    /// Records a decision with its task and/or plan agreement, all or nothing.
    /// `Conflict` if the plan was agreed meanwhile or the case moved.
    async fn add_decision(&self, decision: &NewDecision, audit: NewAuditEvent) -> Result<i64>;

    async fn task(&self, id: i64) -> Result<Option<Task>>;
    /// Open tasks of these agencies, the earliest due first (undated last).
    async fn open_tasks_of(&self, agency_ids: &[i64]) -> Result<Vec<Task>>;
    async fn tasks_of_case(&self, case_id: i64) -> Result<Vec<Task>>;
    async fn tasks_of_meeting(&self, meeting_id: i64) -> Result<Vec<Task>>;
    /// Marks an open task done; `Conflict` if it is not open.
    async fn complete_task(
        &self,
        id: i64,
        by_user: i64,
        on: chrono::NaiveDate,
        audit: NewAuditEvent,
    ) -> Result<Task>;
    /// Opens again a task `by_user` marked done at or after `done_since`;
    /// `Conflict(TaskUndoExpired)` otherwise.
    async fn reopen_task(
        &self,
        id: i64,
        by_user: i64,
        done_since: DateTime<Utc>,
        audit: NewAuditEvent,
    ) -> Result<Task>;
    // ---- アウトリーチ, 参加支援, 地域づくり ----

    async fn create_target(&self, target: &NewTarget, audit: NewAuditEvent) -> Result<i64>;
    async fn target(&self, id: i64) -> Result<Option<OutreachTarget>>;
    /// Targets these agencies work, the longest without contact first.
    async fn targets_of(&self, agency_ids: &[i64]) -> Result<Vec<OutreachTarget>>;
    /// Records an attempt and the stage it leaves; `Conflict` if the target's
    /// stage changed meanwhile.
    async fn add_attempt(
        &self,
        attempt: &NewAttempt,
        audit: NewAuditEvent,
    ) -> Result<OutreachTarget>;
    async fn attempts_of(&self, target_id: i64) -> Result<Vec<OutreachAttempt>>;

    async fn menus(&self) -> Result<Vec<ParticipationMenu>>;
    async fn menu(&self, id: i64) -> Result<Option<ParticipationMenu>>;
    async fn create_menu(&self, menu: &NewMenu, audit: NewAuditEvent) -> Result<i64>;
    /// Matches a person; `Conflict` if the menu is full or the person is
    /// already an active participant.
    async fn create_match(&self, m: &NewMatch, audit: NewAuditEvent) -> Result<i64>;
    async fn participation_match(&self, id: i64) -> Result<Option<ParticipationMatch>>;
    async fn matches_of_menu(&self, menu_id: i64) -> Result<Vec<ParticipationMatch>>;
    async fn matches_of_person(&self, person_id: i64) -> Result<Vec<ParticipationMatch>>;
    /// Active matches made by these agencies.
    async fn active_matches_of(&self, agency_ids: &[i64]) -> Result<Vec<ParticipationMatch>>;
    /// Records a follow-up; the match's next follow-up date follows it, and
    /// 利用終了 ends the match.
    async fn add_follow_up(&self, f: &NewFollowUp, audit: NewAuditEvent) -> Result<i64>;
    async fn follow_ups_of(&self, match_id: i64) -> Result<Vec<FollowUpRecord>>;
    async fn add_host_support(
        &self,
        menu_id: i64,
        on: chrono::NaiveDate,
        note: &str,
        user_id: i64,
        audit: NewAuditEvent,
    ) -> Result<i64>;
    async fn host_supports_of(&self, menu_id: i64) -> Result<Vec<HostSupport>>;

    async fn resources(&self) -> Result<Vec<CommunityResource>>;
    async fn resource(&self, id: i64) -> Result<Option<CommunityResource>>;
    async fn create_resource(&self, r: &NewResource, audit: NewAuditEvent) -> Result<i64>;
    /// `Conflict(ResourceClosed)` if it is closed already.
    async fn close_resource(
        &self,
        id: i64,
        closing: &ResourceClosing,
        audit: NewAuditEvent,
    ) -> Result<()>;
    async fn create_event(&self, e: &NewEvent, audit: NewAuditEvent) -> Result<i64>;
    /// Events, the newest first.
    async fn events(&self) -> Result<Vec<EventRow>>;

    /// Records a 研修会・意見交換会 with the agencies that took part.
    async fn create_training(&self, t: &NewTraining, audit: NewAuditEvent) -> Result<i64>;
    /// The sessions held in `from..=to`, newest first.
    async fn trainings(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
    ) -> Result<Vec<TrainingRow>>;

    /// What the days `from..=to` hold (a 年度), counted in SQL, for `scope`.
    async fn annual_figures(
        &self,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        scope: &ReportScope,
    ) -> Result<AnnualFigures>;
    async fn event(&self, id: i64) -> Result<Option<EventDetail>>;
    /// Links a consultation the event produced; `Conflict` if linked already.
    async fn link_event_consultation(
        &self,
        event_id: i64,
        consultation_id: i64,
        user_id: i64,
        audit: NewAuditEvent,
    ) -> Result<()>;
}

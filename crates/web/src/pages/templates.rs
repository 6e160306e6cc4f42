//! Page templates (askama, in `templates/`). Each struct is one screen; the
//! layout's navigation comes from [`Nav`].

use crate::auth::CurrentUser;
use askama::Template;
use tsunagaru_domain::{AuditEvent, Role};
use tsunagaru_store::{Agency, Department, NetworkMember, User};

/// The signed-in user's header: name, role, what they may open, and the CSRF
/// token for the sign-out form.
pub struct Nav {
    pub display_name: String,
    pub role_label: &'static str,
    pub csrf_token: String,
    pub can_manage_users: bool,
    pub can_read_audit: bool,
    /// 事業実績: the roles that work with persons.
    pub can_read_reports: bool,
    /// Consultations, persons, handoffs, cases, アウトリーチ, 参加支援.
    pub works_with_persons: bool,
    /// Meetings (the 推進員 too).
    pub sits_on_meetings: bool,
    /// The directory's internal notes (出典) and its contact details' form.
    pub reads_source_notes: bool,
    pub edits_directory: bool,
    pub municipality: String,
    /// A fresh idempotency key for the creating forms of this page: sent
    /// twice (a double click), the form is answered once.
    pub form_key: String,
}

impl Nav {
    pub fn new(user: &CurrentUser, municipality: &str) -> Nav {
        let role: Role = user.role();
        Nav {
            display_name: user.user.display_name.clone(),
            role_label: role.label(),
            csrf_token: user.session.csrf_token.clone(),
            can_manage_users: role.can_manage_users(),
            can_read_audit: role.can_read_audit_log(),
            can_read_reports: tsunagaru_app::policy::works_with_persons(&user.actor()),
            works_with_persons: tsunagaru_app::policy::works_with_persons(&user.actor()),
            sits_on_meetings: tsunagaru_app::policy::sits_on_meetings(&user.actor()),
            reads_source_notes: tsunagaru_app::policy::reads_source_notes(&user.actor()),
            edits_directory: tsunagaru_app::policy::may_edit_directory(&user.actor()),
            form_key: crate::auth::new_token(),
            municipality: municipality.to_owned(),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage<'a> {
    pub title: &'a str,
    pub message: &'a str,
}

#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    pub csrf_token: String,
    /// The second step: the sign-in awaiting its code.
    pub challenge: Option<String>,
    pub username: String,
    pub error: Option<String>,
    pub notice: Option<&'static str>,
    pub municipality: String,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub nav: Nav,
    /// 自分の対応中の相談, recently opened persons, what arrived.
    pub desk: crate::views::desk::DeskView,
    /// What was just done (empty for none).
    pub notice: String,
    /// The task whose 完了 can still be undone, and for how long.
    pub undo_task: Option<i64>,
    pub undo_minutes: i64,
    pub my_agencies: Vec<Agency>,
    pub plan_title: String,
    pub hub_type_name: String,
    pub agency_count: usize,
    pub consultation_count: usize,
    pub department_count: usize,
    /// Handoffs: (open, overdue) to the user's agencies, and (open, overdue, returned) from them.
    pub inbox_open: usize,
    pub inbox_overdue: usize,
    pub outbox_open: usize,
    pub outbox_overdue: usize,
    pub outbox_returned: usize,
    pub works_with_persons: bool,
    /// Sits on meetings: their tasks and coming meetings (the 推進員 too).
    pub sits_on_meetings: bool,
    /// Open tasks of the user's agencies, overdue first.
    pub tasks: Vec<crate::views::cases::TaskView>,
    /// The next meetings the user sits on.
    pub meetings: Vec<crate::views::cases::MeetingRef>,
    /// アウトリーチ targets without contact for longer than `alert_days`.
    pub outreach_alerts: usize,
    pub alert_days: u32,
    /// 参加支援 participants of the user's agencies due a follow-up.
    pub follow_ups_due: usize,
    /// For the city's staff: this 年度 so far against last 年度.
    pub year_so_far: Option<YearSoFarView>,
}

/// This 年度 so far: the span's label and (figure, this 年度, last 年度) rows.
pub type YearSoFarView = (String, Vec<(&'static str, i64, i64)>);

/// The household members of one sheet whose 同意 may be changed.
pub struct ConsentForm {
    pub consultation_id: i64,
    /// value: the member's position; label: name, relationship, current answer.
    pub members: Vec<Choice>,
}

/// One choice of a filter select.
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "agencies.html")]
pub struct AgenciesPage {
    pub nav: Nav,
    pub field_choices: Vec<Choice>,
    pub programme_choices: Vec<Choice>,
    pub rows: Vec<AgencyRowView>,
    pub filtered: bool,
}

pub struct AgencyRowView {
    pub agency: Agency,
    pub fields: String,
    pub programmes: String,
    pub department: String,
}

#[derive(Template)]
#[template(path = "agency.html")]
pub struct AgencyPage {
    pub nav: Nav,
    pub row: AgencyRowView,
    /// The contact form as typed (after an error) or as stored, its errors,
    /// and what was just done.
    pub contact: tsunagaru_domain::contact::ContactInput,
    pub contact_errors: Vec<tsunagaru_app::FieldError>,
    pub notice: String,
    /// When the administrator last set the contact details (和暦), if ever.
    pub contact_updated: Option<String>,
    /// The version of the stored details, sent back with a change.
    pub contact_version: String,
    pub programme_lines: Vec<String>,
    pub hub_type: Option<String>,
    pub towns: Vec<String>,
    pub prefix: String,
}

#[derive(Template)]
#[template(path = "departments.html")]
pub struct DepartmentsPage {
    pub nav: Nav,
    /// Each 関係各課 with the agency row that receives its handoffs (its
    /// page, its contact details).
    pub departments: Vec<(Department, Option<Agency>)>,
}

#[derive(Template)]
#[template(path = "network.html")]
pub struct NetworkPage {
    pub nav: Nav,
    pub network_name: String,
    pub coordinator_title: String,
    pub members: Vec<NetworkMember>,
}

pub struct UserView {
    pub user: User,
    pub agencies: String,
}

#[derive(Template)]
#[template(path = "users.html")]
pub struct UsersPage {
    pub nav: Nav,
    pub users: Vec<UserView>,
    pub created: Option<String>,
    /// Names locked now after repeated failed sign-ins: (name, until).
    pub locks: Vec<(String, String)>,
    pub notice: &'static str,
}

/// A user's sessions, for an administrator.
#[derive(Template)]
#[template(path = "user_sessions.html")]
pub struct UserSessionsPage {
    pub nav: Nav,
    pub user: User,
    /// (kind label, signed in, last used)
    pub sessions: Vec<(&'static str, String, String)>,
    pub notice: &'static str,
}

/// An agency checkbox on the user form.
pub struct AgencyChoice {
    pub id: i64,
    pub name: String,
    pub checked: bool,
}

#[derive(Template)]
#[template(path = "user_new.html")]
pub struct NewUserPage {
    pub nav: Nav,
    pub username: String,
    pub display_name: String,
    pub role_choices: Vec<Choice>,
    pub agencies: Vec<AgencyChoice>,
    pub errors: FormErrors,
    pub policy_text: String,
}

/// Problems per form field, shown next to the field.
#[derive(Default)]
pub struct FormErrors {
    pub username: Vec<String>,
    pub display_name: Vec<String>,
    pub role: Vec<String>,
    pub agencies: Vec<String>,
    pub password: Vec<String>,
}

impl FormErrors {
    pub fn is_empty(&self) -> bool {
        self.username.is_empty()
            && self.display_name.is_empty()
            && self.role.is_empty()
            && self.agencies.is_empty()
            && self.password.is_empty()
    }

    pub fn all(&self) -> Vec<String> {
        [
            &self.username,
            &self.display_name,
            &self.role,
            &self.agencies,
            &self.password,
        ]
        .into_iter()
        .flatten()
        .cloned()
        .collect()
    }
}

#[derive(Template)]
#[template(path = "audit.html")]
pub struct AuditPage {
    pub nav: Nav,
    pub events: Vec<AuditEvent>,
    pub chain: Result<i64, String>,
}

#[derive(Template)]
#[template(path = "address.html")]
pub struct AddressPage {
    pub nav: Nav,
    pub q: String,
    pub postal_code: String,
    pub message: Option<String>,
    pub normalized: Option<String>,
}

/// A possible duplicate shown before a new person is created.
pub struct DuplicateView {
    pub id: i64,
    pub name: String,
    pub kana: String,
    pub birth_date: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "intake.html")]
pub struct IntakePage {
    pub nav: Nav,
    /// The アウトリーチ target the sheet connects, if it came from one.
    pub outreach_target_id: Option<i64>,
    /// Recent events (出前相談会) the sheet may have been taken at.
    pub events: Vec<Choice>,
    pub input: tsunagaru_domain::intake::IntakeInput,
    pub c: crate::pages::intake_form::SheetChoices,
    pub rows: Vec<crate::pages::intake_form::MemberRowView>,
    pub errors: std::collections::BTreeMap<String, Vec<String>>,
    pub agencies: Vec<Choice>,
    pub duplicates: Vec<DuplicateView>,
    pub concern_other: String,
    pub person_phone_home: String,
    pub person_phone_mobile: String,
    pub requester: tsunagaru_domain::intake::RequesterInput,
    pub requester_phone_home: String,
    pub requester_phone_mobile: String,
    pub consent_clause: &'static str,
    pub person_choice: String,
}

impl IntakePage {
    pub fn errors_for(&self, field: &str) -> Vec<String> {
        self.errors.get(field).cloned().unwrap_or_default()
    }

    pub fn invalid(&self, field: &str) -> bool {
        self.errors.contains_key(field)
    }

    /// Each error with the field it belongs to, for the summary's links.
    pub fn error_links(&self) -> Vec<(String, String)> {
        self.errors
            .iter()
            .flat_map(|(field, messages)| messages.iter().map(|m| (field.clone(), m.clone())))
            .collect()
    }
}

/// The consent clause printed on the sheet (No.2 ※).
pub const CONSENT_CLAUSE: &str = "支援にあたり、必要となる対象者の情報（税情報等含む）を、相談受付機関が関係機関（市役所各課、社会福祉協議会等）へ提供すること及び関係機関から対象者の情報を収集することへの同意を確認する。";

pub struct PersonRowView {
    pub id: i64,
    pub name: String,
    pub kana: String,
    pub birth_date: String,
    pub address: String,
}

#[derive(Template)]
#[template(path = "persons.html")]
pub struct PersonsPage {
    pub nav: Nav,
    pub q: String,
    pub birth_date: String,
    pub phone: String,
    pub error: Option<String>,
    pub results: Option<Vec<PersonRowView>>,
}

/// One entry of a person's timeline: a consultation or a progress note.
pub struct TimelineEntry {
    pub date: String,
    pub sort_key: chrono::NaiveDate,
    pub kind: &'static str,
    pub method: String,
    pub agency: String,
    pub text: String,
    pub print_link: Option<String>,
    /// The No.3 form, for the 受付機関's own consultations.
    pub handoff_link: Option<String>,
}

pub struct FactView {
    pub label: &'static str,
    pub value: String,
}

pub struct ChangeView {
    pub at: String,
    pub user: String,
    pub field: String,
    pub after: String,
    /// For a merge into this person: the record that can be split off again.
    pub unmerge: Option<i64>,
}

#[derive(Template)]
#[template(path = "person.html")]
pub struct PersonPage {
    pub nav: Nav,
    /// 多機関協働 cases the user may see.
    pub cases: Vec<Choice>,
    /// Consultations the 事務局 may open a case from.
    pub case_openers: Vec<Choice>,
    /// 同意の変更, for the 受付機関 of the newest sheet it holds.
    pub consent_form: Option<ConsentForm>,
    /// 参加支援: this person's matches (value: match id).
    pub participations: Vec<Choice>,
    pub menus: Vec<Choice>,
    pub match_message: String,
    pub match_reasons: String,
    /// An open case to record the match under.
    pub open_case_id: Option<i64>,
    pub id: i64,
    pub name: String,
    pub kana: String,
    pub protected: bool,
    pub hidden: bool,
    /// After an action: what happened.
    pub notice: Option<&'static str>,
    pub facts: Vec<FactView>,
    pub members: Vec<crate::pages::print::PrintMember>,
    pub genogram: String,
    pub timeline: Vec<TimelineEntry>,
    pub note_methods: Vec<&'static str>,
    pub note_errors: Vec<String>,
    pub note_content: String,
    pub note_date: String,
    pub note_method: String,
    pub viewers: Vec<AgencyChoice>,
    pub changes: Vec<ChangeView>,
    pub can_merge: bool,
}

#[derive(Template)]
#[template(path = "person_edit.html")]
pub struct PersonEditPage {
    pub nav: Nav,
    pub id: i64,
    /// The version of the record the form was filled from.
    pub version: String,
    /// Changed by someone else meanwhile: the record as it is now (label,
    /// value), shown beside what was typed.
    pub current: Vec<(String, String)>,
    pub p: tsunagaru_domain::intake::PersonInput,
    pub phone_home: String,
    pub phone_mobile: String,
    pub sexes: Vec<Choice>,
    pub care_levels: Vec<Choice>,
    pub utilities: Vec<Choice>,
    pub housings: Vec<Choice>,
    pub intellectual: Vec<Choice>,
    pub errors: std::collections::BTreeMap<String, Vec<String>>,
}

impl PersonEditPage {
    pub fn errors_for(&self, field: &str) -> Vec<String> {
        self.errors.get(field).cloned().unwrap_or_default()
    }
}

/// A handoff in a list or on its page, with labels.
pub struct HandoffView {
    pub id: i64,
    pub consultation_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub from_agency: String,
    pub to_agency: String,
    pub purpose: String,
    pub urgency: String,
    pub status: String,
    pub status_code: String,
    pub sent_on: String,
    pub received_on: String,
    pub reported_on: String,
    pub report_received_on: String,
    pub overdue: Option<String>,
    pub continue_at_origin: bool,
    pub told_contact: String,
    pub notes: tsunagaru_store::HandoffNotes,
    pub response: String,
    pub return_reason: String,
    pub suggested_agency: String,
    pub withdraw_reason: String,
    pub consent_override: bool,
    /// Why it was shared although 本人's 同意 is 無 or 不明.
    pub self_consent_reason: String,
    /// Each side as the paper No.3 names it: (氏名, 電話).
    pub sender: (String, String),
    pub receiver: (String, String),
    pub reporter: (String, String),
    pub report_receiver: (String, String),
    /// The other 引継機関 of the same No.3 (複数の関係機関に引継ぐ場合).
    pub sent_with: String,
}

#[derive(Template)]
#[template(path = "handoffs.html")]
pub struct HandoffsPage {
    pub nav: Nav,
    pub inbox: bool,
    pub rows: Vec<HandoffView>,
    /// What the last action did.
    pub notice: Option<&'static str>,
}

pub struct EventView {
    pub at: String,
    pub user: String,
    pub step: String,
    pub detail: String,
}

#[derive(Template)]
#[template(path = "handoff.html")]
pub struct HandoffPage {
    pub nav: Nav,
    pub h: HandoffView,
    pub events: Vec<EventView>,
    pub can_receive: bool,
    pub can_start: bool,
    pub can_report: bool,
    pub can_return: bool,
    pub can_acknowledge: bool,
    pub can_withdraw: bool,
    /// The receiving side may route the consultation onward once received.
    pub forward_link: Option<String>,
    pub agencies: Vec<Choice>,
    pub error: Option<String>,
    pub text: String,
    /// After an action: what happened.
    pub notice: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "handoff_print.html")]
pub struct HandoffPrintPage {
    pub h: HandoffView,
    pub municipality: String,
}

#[derive(Template)]
#[template(path = "handoff_new.html")]
pub struct HandoffNewPage {
    pub nav: Nav,
    pub consultation_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub from_agency: String,
    pub purposes: Vec<Choice>,
    pub urgencies: Vec<Choice>,
    pub continue_at_origin: bool,
    pub suggested: Vec<AgencyChoice>,
    pub suggestion_reasons: Vec<String>,
    /// The other agencies and 関係各課, grouped, with a filter box (rendered),
    /// open when one of them was chosen.
    pub others: String,
    pub others_open: bool,
    pub told_contact_name: String,
    pub told_contact_phone: String,
    pub notes: tsunagaru_store::HandoffNotes,
    pub consent_override_reason: String,
    /// 本人's 同意 when it is not 有 (無 / 不明): the form asks for a reason.
    pub self_consent: Option<String>,
    pub self_consent_reason: String,
    /// 相談受付者の電話 as typed, and the agency's phone used when left empty.
    pub sender_phone: String,
    pub agency_phone: String,
    pub errors: Vec<String>,
    /// Sending again a returned (差戻し) handoff: its id.
    pub resend_of: Option<i64>,
}

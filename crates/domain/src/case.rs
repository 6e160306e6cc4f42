//! 多機関協働: the case's course, the meeting kinds and the consent gate.
//!
//! The rules only; the written parts (アセスメント, 支援プラン, 終結時評価) are in
//! [`crate::plan`].

use crate::era::EraDate;
use crate::intake::FieldError;
use crate::kana::fold_width;
use crate::report::FiscalYear;
use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, NaiveTime};
use serde::Serialize;
use std::fmt;

crate::code::stored_as_code!(CaseState, MeetingKind);
crate::code::listed_codes!(CaseState, MeetingKind);

/// How long a task marked 完了 can be opened again by the one who marked it
/// (a slip of the finger), in minutes.
pub const TASK_UNDO_MINUTES: i64 = 10;

/// Where a 多機関協働 case is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseState {
    /// 受付
    Intake,
    /// アセスメント
    Assessment,
    /// プラン作成
    Planning,
    /// 支援中
    Support,
    /// モニタリング
    Monitoring,
    /// 終結
    Closed,
    /// 戻り: returned to one agency, with a reason.
    Returned,
}

/// A step of a case's course.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaseStep {
    StartAssessment,
    StartPlanning,
    /// Needs a plan agreed at a よりそい会議.
    StartSupport,
    StartMonitoring,
    ResumeSupport,
    Close,
    ReturnToAgency,
}

impl CaseStep {
    pub fn label(self) -> &'static str {
        match self {
            CaseStep::StartAssessment => "アセスメント開始",
            CaseStep::StartPlanning => "プラン作成開始",
            CaseStep::StartSupport => "支援開始",
            CaseStep::StartMonitoring => "モニタリング開始",
            CaseStep::ResumeSupport => "支援再開",
            CaseStep::Close => "終結",
            CaseStep::ReturnToAgency => "戻り",
        }
    }
}

/// A step the case's state (or plan) does not allow, in the words shown to users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseStepRefused {
    pub message: String,
}

impl fmt::Display for CaseStepRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for CaseStepRefused {}

impl CaseState {
    pub const ALL: [CaseState; 7] = [
        CaseState::Intake,
        CaseState::Assessment,
        CaseState::Planning,
        CaseState::Support,
        CaseState::Monitoring,
        CaseState::Closed,
        CaseState::Returned,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CaseState::Intake => "intake",
            CaseState::Assessment => "assessment",
            CaseState::Planning => "planning",
            CaseState::Support => "support",
            CaseState::Monitoring => "monitoring",
            CaseState::Closed => "closed",
            CaseState::Returned => "returned",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CaseState::Intake => "受付",
            CaseState::Assessment => "アセスメント",
            CaseState::Planning => "プラン作成",
            CaseState::Support => "支援中",
            CaseState::Monitoring => "モニタリング",
            CaseState::Closed => "終結",
            CaseState::Returned => "戻り",
        }
    }

    pub fn parse(code: &str) -> Option<CaseState> {
        CaseState::ALL
            .into_iter()
            .find(|s| s.code() == code || s.label() == code)
    }

    pub fn is_open(self) -> bool {
        !matches!(self, CaseState::Closed | CaseState::Returned)
    }

    /// The state after a step. `plan_agreed`: the current plan version was
    /// agreed at a よりそい会議 (support starts only then).
    pub fn after(self, step: CaseStep, plan_agreed: bool) -> Result<CaseState, CaseStepRefused> {
        use CaseState::*;
        use CaseStep::*;
        let refuse = |why: &str| CaseStepRefused {
            message: format!(
                "「{}」のケースは「{}」できません{why}",
                self.label(),
                step.label()
            ),
        };
        match (self, step) {
            (Intake, StartAssessment) => Ok(Assessment),
            (Assessment, StartPlanning) => Ok(Planning),
            (Planning, StartSupport) if plan_agreed => Ok(Support),
            (Planning, StartSupport) => {
                Err(refuse("（支援プランがよりそい会議で合意されていません）"))
            }
            (Support, StartMonitoring) => Ok(Monitoring),
            (Monitoring, ResumeSupport) => Ok(Support),
            (Support | Monitoring, Close) => Ok(Closed),
            (Intake | Assessment | Planning | Support | Monitoring, ReturnToAgency) => Ok(Returned),
            (Closed | Returned, _) => Err(refuse("（このケースは終わっています）")),
            _ => Err(refuse("")),
        }
    }
}

/// The kinds of meeting the plan sets; their names are the pack's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MeetingKind {
    /// よりそい会議 (重層的支援会議): cases with 本人同意 only.
    CaseConference,
    /// 支援会議 (法第106条の6): cases without consent allowed; members pledge confidentiality.
    SupportConference,
    /// まるごと推進会議 全体会
    CouncilPlenary,
    /// まるごと推進会議 分科会
    CouncilWorkingGroup,
    /// まるごと推進会議 ケース検討会
    CaseReview,
}

impl MeetingKind {
    pub const ALL: [MeetingKind; 5] = [
        MeetingKind::CaseConference,
        MeetingKind::SupportConference,
        MeetingKind::CouncilPlenary,
        MeetingKind::CouncilWorkingGroup,
        MeetingKind::CaseReview,
    ];

    /// The code of the API and of the pack's `[[meeting_kinds]]`.
    pub fn code(self) -> &'static str {
        match self {
            MeetingKind::CaseConference => "case_conference",
            MeetingKind::SupportConference => "support_conference",
            MeetingKind::CouncilPlenary => "council_plenary",
            MeetingKind::CouncilWorkingGroup => "council_working_group",
            MeetingKind::CaseReview => "case_review",
        }
    }

    pub fn parse(code: &str) -> Option<MeetingKind> {
        MeetingKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// Only cases whose person consented may be on the agenda.
    pub fn requires_consent(self) -> bool {
        self != MeetingKind::SupportConference
    }

    /// Members pledge confidentiality (守秘義務の確認) before opening its material.
    pub fn requires_pledge(self) -> bool {
        self == MeetingKind::SupportConference
    }

    /// A plan version can be agreed only here.
    pub fn agrees_plans(self) -> bool {
        self == MeetingKind::CaseConference
    }

    /// Whether the agenda can carry topics (themes in words, the 年度's
    /// 事業実績): every kind but the よりそい会議, whose agenda is cases with
    /// 本人同意 only.
    pub fn takes_topics(self) -> bool {
        self != MeetingKind::CaseConference
    }

    /// Whether the agenda can carry people not yet consulted (アウトリーチ
    /// targets): only the 支援会議, held without consent 「潜在的な相談者に支援を
    /// 届けるために」 (§4).
    pub fn takes_unconsulted(self) -> bool {
        self == MeetingKind::SupportConference
    }

    /// Whether 本人 can attend: not at a 支援会議, which is held without
    /// 本人's consent (法第106条の6).
    pub fn admits_self(self) -> bool {
        self != MeetingKind::SupportConference
    }

    /// Where a case's 終結 is evaluated and agreed (§3(5)エ(ア)「終結時等の評価」).
    pub fn agrees_closure(self) -> bool {
        self == MeetingKind::CaseConference
    }
}

crate::intake::vocabulary!(
    /// The role of an attendee who is not a user of the system.
    AttendeeRole {
        SelfPerson = "self", "本人";
        Family = "family", "家族";
        Promoter = "promoter", "相談支援包括化推進員";
        Commissioner = "commissioner", "民生委員・児童委員";
        Professional = "professional", "外部の専門職";
        Other = "other", "その他";
    }
);

/// An attendee who is not a user: 本人, family, a 推進員 without an account,
/// a 民生委員, an outside professional.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attendee {
    pub name: String,
    pub role: AttendeeRole,
    /// 所属 (an organisation, or for family the 続柄), free words.
    pub organisation: String,
    /// 出席 (true) or 欠席 (false).
    pub attended: bool,
}

impl Attendee {
    pub const MAX_NAME: usize = 100;
}

/// An attendee as typed (form or API).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct AttendeeInput {
    #[cfg_attr(
        feature = "openapi",
        schema(required = true, min_length = 1, pattern = r"\S", max_length = 100)
    )]
    pub name: String,
    /// The code (`family`) or the label (家族).
    #[cfg_attr(feature = "openapi", schema(required = true, schema_with = crate::openapi::codes::<AttendeeRole>))]
    pub role: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub organisation: String,
    /// 出席 unless given as false.
    pub attended: Option<bool>,
}

impl AttendeeInput {
    /// Checks the attendee for a meeting of this kind: 本人 cannot attend a
    /// 支援会議 (it is held without consent).
    pub fn parse(&self, kind: MeetingKind) -> Result<Attendee, Vec<FieldError>> {
        let mut problems = Vec::new();
        let error = |field: &str, message: String| FieldError {
            field: field.into(),
            message,
        };
        let name = crate::kana::fold_width(self.name.trim()).trim().to_owned();
        if name.is_empty() {
            problems.push(error("name", "出席者の氏名を書いてください".into()));
        } else if name.chars().count() > Attendee::MAX_NAME {
            problems.push(error(
                "name",
                format!("氏名は{}文字までにしてください", Attendee::MAX_NAME),
            ));
        }
        let organisation = self.organisation.trim().to_owned();
        if organisation.chars().count() > Attendee::MAX_NAME {
            problems.push(error(
                "organisation",
                format!("所属は{}文字までにしてください", Attendee::MAX_NAME),
            ));
        }
        let role = AttendeeRole::parse(&self.role);
        match role {
            None => problems.push(error(
                "role",
                format!(
                    "出席者の立場を選んでください（{}）",
                    AttendeeRole::ALL
                        .iter()
                        .map(|r| r.label())
                        .collect::<Vec<_>>()
                        .join("・")
                ),
            )),
            Some(AttendeeRole::SelfPerson) if !kind.admits_self() => problems.push(error(
                "role",
                "支援会議は本人の同意なしに開く会議（法第106条の6）のため、本人は出席できません"
                    .into(),
            )),
            Some(_) => {}
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Attendee {
            name,
            role: role.expect("checked"),
            organisation,
            attended: self.attended.unwrap_or(true),
        })
    }
}

/// Why a case cannot be closed at this meeting, in the words shown to users.
/// The 終結 is agreed at a よりそい会議 that had the case on its agenda,
/// has been held, and recorded a decision on the case.
pub fn closure_at_meeting(
    kind: MeetingKind,
    held_on: NaiveDate,
    today: NaiveDate,
    case_on_agenda: bool,
    decided: bool,
    name_of: impl Fn(MeetingKind) -> String,
) -> Result<(), String> {
    let conference = name_of(MeetingKind::CaseConference);
    if !kind.agrees_closure() {
        return Err(format!(
            "終結は{conference}で評価して決めます（{}では決められません）",
            name_of(kind)
        ));
    }
    if !case_on_agenda {
        return Err(format!(
            "このケースはその{conference}の議題にありません。議題にして終結を話し合ってください"
        ));
    }
    if held_on > today {
        return Err(format!(
            "その{conference}（{}）はまだ開かれていません",
            EraDate::from_date(held_on).label()
        ));
    }
    if !decided {
        return Err(format!(
            "その{conference}にこのケースの決定事項がありません。終結の決定を記録してから終結してください"
        ));
    }
    Ok(())
}

/// What an agenda item is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgendaSubject {
    /// A 多機関協働 case (by id).
    Case(i64),
    Topic(Topic),
    /// Someone not yet consulted (潜在的な相談者): an アウトリーチ target, with
    /// its situation in words as put on the agenda. 支援会議 only.
    Outreach {
        target_id: i64,
        situation: String,
    },
}

impl AgendaSubject {
    /// Whether the item is about one person without a case (an アウトリーチ
    /// target, or a situation in words at a 支援会議): it may later link to
    /// the consultation that person comes to.
    pub fn may_link_consultation(&self, kind: MeetingKind) -> bool {
        match self {
            AgendaSubject::Case(_) => false,
            AgendaSubject::Outreach { .. } => true,
            AgendaSubject::Topic(_) => kind == MeetingKind::SupportConference,
        }
    }
}

/// An agenda item that is not a case: a theme, with the 年度 whose 事業実績
/// it puts before the meeting (the 全体会's evaluation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub title: String,
    pub fiscal_year: Option<FiscalYear>,
}

impl Topic {
    /// The longest title a topic takes.
    pub const MAX_TITLE: usize = 200;
}

/// A topic as typed: its title and, optionally, the 年度 (2025, 令和7年度).
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct TopicInput {
    pub topic: String,
    pub fiscal_year: String,
}

impl TopicInput {
    pub fn parse(&self) -> Result<Topic, Vec<FieldError>> {
        let mut problems = Vec::new();
        let title = self.topic.trim();
        if title.is_empty() {
            problems.push(FieldError {
                field: "topic".into(),
                message: "議題を書いてください".into(),
            });
        } else if title.chars().count() > Topic::MAX_TITLE {
            problems.push(FieldError {
                field: "topic".into(),
                message: format!("議題は{}文字までにしてください", Topic::MAX_TITLE),
            });
        }
        let fiscal_year = match self.fiscal_year.trim() {
            "" => None,
            typed => FiscalYear::parse(typed)
                .map_err(|message| {
                    problems.push(FieldError {
                        field: "fiscal_year".into(),
                        message,
                    })
                })
                .ok(),
        };
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Topic {
            title: title.to_owned(),
            fiscal_year,
        })
    }
}

/// Why a case cannot go on a meeting's agenda.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgendaRefused {
    pub message: String,
    /// The kind of meeting where the case can be taken instead.
    pub instead: Option<MeetingKind>,
}

/// The consent gate: a case whose person has not consented stays off an
/// agenda that needs consent; the 支援会議 is offered instead. `name_of` gives
/// the pack's name of a kind (よりそい会議, 支援会議 …).
pub fn agenda_gate(
    kind: MeetingKind,
    person_consented: bool,
    name_of: impl Fn(MeetingKind) -> String,
) -> Result<(), AgendaRefused> {
    if !kind.requires_consent() || person_consented {
        return Ok(());
    }
    let instead = MeetingKind::SupportConference;
    Err(AgendaRefused {
        message: format!(
            "本人の同意が確認できないため、このケースは{}の議題にできません。同意なしで扱える{}（法第106条の6）の議題にしてください。",
            name_of(kind),
            name_of(instead)
        ),
        instead: Some(instead),
    })
}

/// How many 全体会 a 年度 holds (「年3回」).
pub const PLENARIES_A_YEAR: usize = 3;

/// The meeting cadence of a 年度 the 事務局 watches: months (from April up
/// to the current one) with no よりそい会議 held or scheduled (「月1回」), and
/// how many 全体会 the 年度 holds (fewer than [`PLENARIES_A_YEAR`] is a
/// shortfall).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cadence {
    pub year: FiscalYear,
    /// (year, month) of each month without a よりそい会議.
    pub months_without_conference: Vec<(i32, u32)>,
    pub plenaries: usize,
}

impl Cadence {
    /// `meetings`: the kind and day of each meeting of the 年度 (others are ignored).
    pub fn of(
        year: FiscalYear,
        today: NaiveDate,
        meetings: &[(MeetingKind, NaiveDate)],
    ) -> Cadence {
        let this_month = (today.year(), today.month());
        let months_without_conference = year
            .months()
            .into_iter()
            .filter(|&m| m <= this_month)
            .filter(|&(y, mo)| {
                !meetings.iter().any(|(k, d)| {
                    *k == MeetingKind::CaseConference && d.year() == y && d.month() == mo
                })
            })
            .collect();
        let plenaries = meetings
            .iter()
            .filter(|(k, d)| *k == MeetingKind::CouncilPlenary && year.contains(*d))
            .count();
        Cadence {
            year,
            months_without_conference,
            plenaries,
        }
    }

    pub fn plenary_shortfall(&self) -> bool {
        self.plenaries < PLENARIES_A_YEAR
    }

    pub fn is_regular(&self) -> bool {
        self.months_without_conference.is_empty() && !self.plenary_shortfall()
    }
}

/// How many days before a plan's 次回見直し日 the 事務局 is reminded.
pub const REVIEW_REMINDER_DAYS: i64 = 7;

/// Where a plan's 次回見直し日 stands today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewDue {
    /// Within [`REVIEW_REMINDER_DAYS`] (today included).
    Soon,
    /// Passed without a review.
    Overdue,
}

impl ReviewDue {
    pub const ALL: [ReviewDue; 2] = [ReviewDue::Soon, ReviewDue::Overdue];

    /// `None`: more than a week ahead.
    pub fn of(review_on: NaiveDate, today: NaiveDate) -> Option<ReviewDue> {
        if review_on < today {
            Some(ReviewDue::Overdue)
        } else if (review_on - today).num_days() <= REVIEW_REMINDER_DAYS {
            Some(ReviewDue::Soon)
        } else {
            None
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ReviewDue::Soon => "見直し日が近い",
            ReviewDue::Overdue => "見直し日を過ぎています",
        }
    }
}

/// How a meeting repeats when it is scheduled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recurrence {
    /// 随時開催: once.
    Once,
    /// 定期開催（月1回）: `count` months from the first.
    Monthly { count: u32 },
    /// 定期開催（年3回）: every four months, three times.
    ThreeTimesAYear,
}

impl Recurrence {
    /// The most meetings one scheduling creates (two years of monthly ones).
    pub const MAX_MONTHS: u32 = 24;

    /// The codes [`Recurrence::parse`] reads (besides the form's words).
    pub const CODES: [&'static str; 3] = ["once", "monthly", "three_times_a_year"];

    /// From the form/API: `once` / `monthly` (with a count) / `three_times_a_year`.
    pub fn parse(code: &str, count: Option<u32>) -> Result<Recurrence, String> {
        match code.trim() {
            "" | "once" | "随時" => Ok(Recurrence::Once),
            "monthly" | "毎月" => match count.unwrap_or(12) {
                n @ 1..=Recurrence::MAX_MONTHS => Ok(Recurrence::Monthly { count: n }),
                n => Err(format!(
                    "毎月の開催回数は 1〜{} 回で指定してください（{n} 回は指定できません）",
                    Recurrence::MAX_MONTHS
                )),
            },
            "three_times_a_year" | "年3回" => Ok(Recurrence::ThreeTimesAYear),
            other => Err(format!("繰り返し「{other}」は選べません")),
        }
    }

    /// The start of every meeting of the series, the first included.
    pub fn occurrences(self, first: NaiveDateTime) -> Vec<NaiveDateTime> {
        let (count, step) = match self {
            Recurrence::Once => (1, 0),
            Recurrence::Monthly { count } => (count, 1),
            Recurrence::ThreeTimesAYear => (3, 4),
        };
        (0..count)
            .filter_map(|i| {
                let date = first.date().checked_add_months(Months::new(i * step))?;
                Some(date.and_time(first.time()))
            })
            .collect()
    }
}

/// How far ahead a meeting may be scheduled.
pub const SCHEDULE_YEARS_AHEAD: i32 = 5;

/// Reads when a meeting starts: RFC 3339 (`2026-12-10T13:30:00+09:00`, read
/// as the time in Japan), `2026-12-10T13:30`, `2026-12-10 13:30` or
/// `令和8年12月10日 13:30` (全角 too). A meeting is recorded from 2000 on and
/// scheduled at most [`SCHEDULE_YEARS_AHEAD`] years ahead of `today`, so a
/// mistyped year is caught rather than stored.
pub fn parse_meeting_start(text: &str, today: NaiveDate) -> Result<NaiveDateTime, String> {
    let text = fold_width(text.trim());
    let mut parsed = None;
    // RFC 3339 with an offset (`2026-12-10T10:00:00+09:00`, `…Z`): the
    // meeting's local time in Japan, where every meeting is held.
    if let Ok(at) = chrono::DateTime::parse_from_rfc3339(&text) {
        let japan = chrono::FixedOffset::east_opt(9 * 3600).expect("UTC+9 is a valid offset");
        parsed = Some(at.with_timezone(&japan).naive_local());
    }
    for format in ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"] {
        if parsed.is_some() {
            break;
        }
        if let Ok(at) = NaiveDateTime::parse_from_str(&text, format) {
            parsed = Some(at);
            break;
        }
    }
    if parsed.is_none()
        && let Some((date, time)) = text.rsplit_once(' ')
        && let Ok(date) = EraDate::parse(date)
        && let Ok(time) = parse_meeting_time(time)
    {
        parsed = Some(date.date().and_time(time));
    }
    let Some(at) = parsed else {
        return Err(if text.is_empty() {
            "開始日時を入れてください".into()
        } else {
            format!(
                "開始日時「{text}」を読み取れません（例: 2026-12-10 13:30 / 令和8年12月10日 13:30）"
            )
        });
    };
    let last_year = today.year() + SCHEDULE_YEARS_AHEAD;
    if at.year() < 2000 || at.year() > last_year {
        return Err(format!(
            "開始日時の年（{}年）を確かめてください（2000年〜{last_year}年）",
            at.year()
        ));
    }
    Ok(at)
}

/// Reads a time of day: `15:00`, `１５：００`, `15時`, `15時30分`.
pub fn parse_meeting_time(text: &str) -> Result<NaiveTime, String> {
    let text = fold_width(text.trim()).replace('時', ":").replace('分', "");
    let text = if text.ends_with(':') {
        format!("{text}00")
    } else {
        text
    };
    NaiveTime::parse_from_str(&text, "%H:%M")
        .map_err(|_| format!("時刻「{text}」を読み取れません（例: 15:00）"))
}

/// The 支援会議 held on the day of a よりそい会議, at another time (the plan:
/// 定期開催日は、よりそい会議の定期開催日と同日とし、時間をずらして開催する).
pub fn paired_support_conference(
    case_conference: NaiveDateTime,
    at: NaiveTime,
) -> Result<NaiveDateTime, String> {
    if at == case_conference.time() {
        return Err(
            "支援会議はよりそい会議と同じ日の別の時間に開きます。開始時刻をずらしてください".into(),
        );
    }
    Ok(case_conference.date().and_time(at))
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseState::*;
    use CaseStep::*;

    #[test]
    fn topics_go_on_every_agenda_but_the_case_conference() {
        assert!(!MeetingKind::CaseConference.takes_topics());
        for kind in [
            MeetingKind::SupportConference,
            MeetingKind::CouncilPlenary,
            MeetingKind::CouncilWorkingGroup,
            MeetingKind::CaseReview,
        ] {
            assert!(kind.takes_topics(), "{kind:?}");
        }
        let topic = TopicInput {
            topic: " 令和7年度の事業実績と評価 ".into(),
            fiscal_year: "令和７年度".into(),
        }
        .parse()
        .unwrap();
        assert_eq!(topic.title, "令和7年度の事業実績と評価");
        assert_eq!(topic.fiscal_year, FiscalYear::new(2025));
        let errors = TopicInput {
            topic: "あ".repeat(Topic::MAX_TITLE + 1),
            fiscal_year: "来年".into(),
        }
        .parse()
        .unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, vec!["topic", "fiscal_year"]);
        assert_eq!(TopicInput::default().parse().unwrap_err()[0].field, "topic");
    }

    fn pack_name(kind: MeetingKind) -> String {
        match kind {
            MeetingKind::CaseConference => "よりそい会議".into(),
            MeetingKind::SupportConference => "支援会議".into(),
            other => other.code().into(),
        }
    }

    #[test]
    fn a_case_runs_its_course() {
        let s = Intake.after(StartAssessment, false).unwrap();
        let s = s.after(StartPlanning, false).unwrap();
        let s = s.after(StartSupport, true).unwrap();
        let s = s.after(StartMonitoring, false).unwrap();
        let s = s.after(ResumeSupport, false).unwrap();
        assert_eq!(s.after(Close, false), Ok(Closed));
        assert_eq!(Assessment.after(ReturnToAgency, false), Ok(Returned));
    }

    #[test]
    fn support_waits_for_a_plan_agreed_at_a_case_conference() {
        let refused = Planning.after(StartSupport, false).unwrap_err();
        assert_eq!(
            refused.to_string(),
            "「プラン作成」のケースは「支援開始」できません（支援プランがよりそい会議で合意されていません）"
        );
        assert!(Closed.after(StartAssessment, true).is_err());
        assert!(Intake.after(Close, true).is_err());
        assert!(
            MeetingKind::CaseConference.agrees_plans()
                && !MeetingKind::SupportConference.agrees_plans()
        );
    }

    #[test]
    fn the_consent_gate_offers_the_support_conference() {
        assert_eq!(
            agenda_gate(MeetingKind::CaseConference, true, pack_name),
            Ok(())
        );
        assert_eq!(
            agenda_gate(MeetingKind::SupportConference, false, pack_name),
            Ok(())
        );
        let refused = agenda_gate(MeetingKind::CaseConference, false, pack_name).unwrap_err();
        assert_eq!(refused.instead, Some(MeetingKind::SupportConference));
        assert_eq!(
            refused.message,
            "本人の同意が確認できないため、このケースはよりそい会議の議題にできません。同意なしで扱える支援会議（法第106条の6）の議題にしてください。"
        );
        assert!(
            MeetingKind::SupportConference.requires_pledge()
                && !MeetingKind::CaseConference.requires_pledge()
        );
        assert_eq!(
            MeetingKind::parse("council_working_group"),
            Some(MeetingKind::CouncilWorkingGroup)
        );
    }

    #[test]
    fn meetings_repeat_monthly_or_three_times_a_year() {
        let first = chrono::NaiveDate::from_ymd_opt(2026, 1, 31)
            .unwrap()
            .and_hms_opt(13, 30, 0)
            .unwrap();
        let monthly = Recurrence::parse("monthly", Some(3))
            .unwrap()
            .occurrences(first);
        let days: Vec<String> = monthly.iter().map(|d| d.to_string()).collect();
        assert_eq!(
            days,
            vec![
                "2026-01-31 13:30:00",
                "2026-02-28 13:30:00",
                "2026-03-31 13:30:00"
            ]
        );
        let plenary = Recurrence::parse("three_times_a_year", None)
            .unwrap()
            .occurrences(first);
        assert_eq!(plenary.len(), 3);
        assert_eq!(plenary[2].date().to_string(), "2026-09-30");
        assert_eq!(
            Recurrence::parse("once", None).unwrap().occurrences(first),
            vec![first]
        );
        assert!(Recurrence::parse("monthly", Some(0)).is_err());
        assert!(Recurrence::parse("weekly", None).is_err());
        let at = NaiveTime::from_hms_opt(15, 0, 0).unwrap();
        assert_eq!(
            paired_support_conference(first, at).unwrap().to_string(),
            "2026-01-31 15:00:00"
        );
        assert!(paired_support_conference(first, first.time()).is_err());
    }

    #[test]
    fn meeting_starts_are_read_in_rfc_3339_as_the_time_in_japan() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let at = |t: &str| parse_meeting_start(t, today).map(|d| d.to_string());
        assert_eq!(
            at("2026-12-10T10:00:00+09:00").unwrap(),
            "2026-12-10 10:00:00"
        );
        assert_eq!(at("2026-12-10T01:00:00Z").unwrap(), "2026-12-10 10:00:00");
        assert_eq!(
            at("2026-12-09T20:00:00-05:00").unwrap(),
            "2026-12-10 10:00:00"
        );
        assert!(at("2026-12-10T10:00:00+25:00").is_err());
    }

    #[test]
    fn meeting_starts_are_read_in_any_form_and_a_wrong_year_is_caught() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap();
        let at = |t: &str| parse_meeting_start(t, today).map(|d| d.to_string());
        assert_eq!(at("2026-12-10T13:30").unwrap(), "2026-12-10 13:30:00");
        assert_eq!(
            at("２０２６－１２－１０　１３：３０").unwrap(),
            "2026-12-10 13:30:00"
        );
        assert_eq!(
            at("令和8年12月10日 13時30分").unwrap(),
            "2026-12-10 13:30:00"
        );
        assert!(at("20266-12-10 13:30").is_err());
        assert_eq!(
            at("2062-12-10 13:30").unwrap_err(),
            "開始日時の年（2062年）を確かめてください（2000年〜2031年）"
        );
        assert!(at("").unwrap_err().contains("入れてください"));
        assert_eq!(
            parse_meeting_time("15時").unwrap(),
            NaiveTime::from_hms_opt(15, 0, 0).unwrap()
        );
        assert!(parse_meeting_time("25:00").is_err());
    }

    #[test]
    fn meeting_codes_match_the_packs_kinds() {
        let toml = include_str!("../../../packs/morioka/municipality.toml");
        for kind in MeetingKind::ALL {
            assert!(
                toml.contains(&format!("code = \"{}\"", kind.code())),
                "{}",
                kind.code()
            );
        }
    }
}

#[cfg(test)]
mod meetings_in_full {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn name(k: MeetingKind) -> String {
        k.code().to_owned()
    }

    #[test]
    fn self_cannot_attend_a_support_conference_but_can_a_case_conference() {
        let input = AttendeeInput {
            name: "本人 太郎".into(),
            role: "本人".into(),
            ..Default::default()
        };
        let refused = input.parse(MeetingKind::SupportConference).unwrap_err();
        assert_eq!(refused[0].field, "role");
        assert!(refused[0].message.contains("本人は出席できません"));
        let ok = input.parse(MeetingKind::CaseConference).unwrap();
        assert_eq!(ok.role, AttendeeRole::SelfPerson);
        assert!(ok.attended, "an attendee is 出席 unless said otherwise");
        // Family and a 民生委員 may sit on a 支援会議.
        for role in ["family", "民生委員・児童委員", "promoter"] {
            let other = AttendeeInput {
                name: "ｻﾄｳ".into(),
                role: role.into(),
                attended: Some(false),
                ..Default::default()
            };
            let a = other.parse(MeetingKind::SupportConference).unwrap();
            assert_eq!(a.name, "サトウ", "half-width kana folds");
            assert!(!a.attended);
        }
    }

    #[test]
    fn an_attendee_needs_a_name_and_a_known_role() {
        let problems = AttendeeInput {
            role: "友人".into(),
            ..Default::default()
        }
        .parse(MeetingKind::CaseConference)
        .unwrap_err();
        let fields: Vec<&str> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["name", "role"]);
    }

    #[test]
    fn only_a_held_case_conference_with_a_decision_on_the_case_closes_it() {
        let today = d(2026, 12, 10);
        let held = d(2026, 12, 3);
        assert!(
            closure_at_meeting(MeetingKind::CaseConference, held, today, true, true, name).is_ok()
        );
        for (kind, on, agenda, decided, says) in [
            (MeetingKind::SupportConference, held, true, true, "終結は"),
            (MeetingKind::CouncilPlenary, held, true, true, "終結は"),
            (
                MeetingKind::CaseConference,
                held,
                false,
                true,
                "議題にありません",
            ),
            (
                MeetingKind::CaseConference,
                d(2026, 12, 17),
                true,
                true,
                "まだ開かれていません",
            ),
            (
                MeetingKind::CaseConference,
                held,
                true,
                false,
                "決定事項がありません",
            ),
        ] {
            let why = closure_at_meeting(kind, on, today, agenda, decided, name).unwrap_err();
            assert!(why.contains(says), "{why}");
        }
    }

    #[test]
    fn cadence_names_months_without_a_case_conference_and_a_plenary_shortfall() {
        let year = FiscalYear::new(2026).unwrap();
        let today = d(2026, 7, 15);
        let meetings = [
            (MeetingKind::CaseConference, d(2026, 4, 9)),
            (MeetingKind::SupportConference, d(2026, 5, 14)),
            (MeetingKind::CaseConference, d(2026, 7, 30)),
            (MeetingKind::CouncilPlenary, d(2026, 6, 1)),
            (MeetingKind::CouncilPlenary, d(2027, 2, 1)),
            // The previous 年度's 全体会 does not count.
            (MeetingKind::CouncilPlenary, d(2026, 3, 1)),
        ];
        let c = Cadence::of(year, today, &meetings);
        // May had only a 支援会議; June none; August is still ahead.
        assert_eq!(c.months_without_conference, [(2026, 5), (2026, 6)]);
        assert_eq!(c.plenaries, 2);
        assert!(c.plenary_shortfall());
        assert!(!c.is_regular());
        let mut more = meetings.to_vec();
        more.extend([
            (MeetingKind::CaseConference, d(2026, 5, 1)),
            (MeetingKind::CaseConference, d(2026, 6, 1)),
            (MeetingKind::CouncilPlenary, d(2026, 10, 1)),
        ]);
        assert!(Cadence::of(year, today, &more).is_regular());
    }

    #[test]
    fn a_review_date_reminds_a_week_before_and_stands_out_once_passed() {
        let today = d(2026, 12, 10);
        assert_eq!(ReviewDue::of(d(2026, 12, 18), today), None);
        assert_eq!(ReviewDue::of(d(2026, 12, 17), today), Some(ReviewDue::Soon));
        assert_eq!(ReviewDue::of(today, today), Some(ReviewDue::Soon));
        assert_eq!(
            ReviewDue::of(d(2026, 12, 9), today),
            Some(ReviewDue::Overdue)
        );
    }

    #[test]
    fn only_the_support_conference_takes_people_not_yet_consulted() {
        for kind in MeetingKind::ALL {
            assert_eq!(
                kind.takes_unconsulted(),
                kind == MeetingKind::SupportConference
            );
            let situation = AgendaSubject::Topic(Topic {
                title: "近所で心配されている世帯".into(),
                fiscal_year: None,
            });
            assert_eq!(
                situation.may_link_consultation(kind),
                kind == MeetingKind::SupportConference
            );
        }
        assert!(!AgendaSubject::Case(1).may_link_consultation(MeetingKind::SupportConference));
    }
}

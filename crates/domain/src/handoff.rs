//! 引継ぎ (受付シート No.3): a handoff from the 受付機関 to a 引継機関 whose
//! loop visibly closes. The state type decides which step may follow which.

use chrono::{Duration, NaiveDate};
use serde::Deserialize;

/// Where a handoff is in its loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HandoffState {
    /// 送付済: sent, not yet received.
    Sent,
    /// 受領: the receiver recorded its 受取日.
    Received,
    /// 対応中
    InProgress,
    /// 報告済: the receiver reported its 対応状況・方針.
    Reported,
    /// 完了: the sender recorded the 受取日 of the report.
    Completed,
    /// 差戻し: the receiver declined; the sender must re-route or close it.
    Returned,
    /// 取消: the sender withdrew it (or closed it after a 差戻し).
    Withdrawn,
}

/// A step of the loop, as users take it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HandoffStep {
    Receive,
    Start,
    Report,
    Acknowledge,
    Return,
    Withdraw,
}

crate::code::stored_as_code!(HandoffState, HandoffStep, Purpose);
crate::code::listed_codes!(HandoffState, HandoffStep, Purpose);

impl HandoffStep {
    pub const ALL: [HandoffStep; 6] = [
        HandoffStep::Receive,
        HandoffStep::Start,
        HandoffStep::Report,
        HandoffStep::Acknowledge,
        HandoffStep::Return,
        HandoffStep::Withdraw,
    ];

    pub fn code(self) -> &'static str {
        match self {
            HandoffStep::Receive => "receive",
            HandoffStep::Start => "start",
            HandoffStep::Report => "report",
            HandoffStep::Acknowledge => "acknowledge",
            HandoffStep::Return => "return",
            HandoffStep::Withdraw => "withdraw",
        }
    }

    pub fn parse(code: &str) -> Option<HandoffStep> {
        HandoffStep::ALL.into_iter().find(|s| s.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            HandoffStep::Receive => "受領",
            HandoffStep::Start => "対応開始",
            HandoffStep::Report => "報告",
            HandoffStep::Acknowledge => "報告の受取",
            HandoffStep::Return => "差戻し",
            HandoffStep::Withdraw => "取消",
        }
    }

    /// Whether the receiving side takes this step (else the sending side).
    pub fn by_receiver(self) -> bool {
        matches!(
            self,
            HandoffStep::Receive | HandoffStep::Start | HandoffStep::Report | HandoffStep::Return
        )
    }
}

/// A step that the state does not allow, in the words shown to users.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("「{state}」の引継ぎは「{step}」できません{hint}")]
pub struct IllegalStep {
    pub state: &'static str,
    pub step: &'static str,
    pub hint: &'static str,
}

impl HandoffState {
    pub const ALL: [HandoffState; 7] = [
        HandoffState::Sent,
        HandoffState::Received,
        HandoffState::InProgress,
        HandoffState::Reported,
        HandoffState::Completed,
        HandoffState::Returned,
        HandoffState::Withdrawn,
    ];

    pub fn code(self) -> &'static str {
        match self {
            HandoffState::Sent => "sent",
            HandoffState::Received => "received",
            HandoffState::InProgress => "in_progress",
            HandoffState::Reported => "reported",
            HandoffState::Completed => "completed",
            HandoffState::Returned => "returned",
            HandoffState::Withdrawn => "withdrawn",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            HandoffState::Sent => "送付済",
            HandoffState::Received => "受領",
            HandoffState::InProgress => "対応中",
            HandoffState::Reported => "報告済",
            HandoffState::Completed => "完了",
            HandoffState::Returned => "差戻し",
            HandoffState::Withdrawn => "取消",
        }
    }

    /// The state as the receiving agency reads it: what was sent to it and
    /// not yet taken is 「未受領」 (to the sender, 「送付済」).
    pub fn label_for_receiver(self) -> &'static str {
        match self {
            HandoffState::Sent => "未受領",
            other => other.label(),
        }
    }

    pub fn parse(code: &str) -> Option<HandoffState> {
        HandoffState::ALL
            .into_iter()
            .find(|s| s.code() == code || s.label() == code)
    }

    /// Whether a handoff in this state makes the receiving agency involved
    /// with the person. A withdrawn or returned (misdirected) handoff does
    /// not; a completed one keeps the history visible.
    pub fn involves_receiver(self) -> bool {
        !matches!(self, HandoffState::Withdrawn | HandoffState::Returned)
    }

    /// Still needs someone to act.
    pub fn is_open(self) -> bool {
        !matches!(self, HandoffState::Completed | HandoffState::Withdrawn)
    }

    /// The state after a step, or why the step is not allowed now.
    pub fn after(self, step: HandoffStep) -> Result<HandoffState, IllegalStep> {
        use HandoffState::*;
        use HandoffStep::*;
        let next = match (self, step) {
            (Sent, Receive) => Received,
            (Received, Start) => InProgress,
            (Received | InProgress, Report) => Reported,
            (Reported, Acknowledge) => Completed,
            (Sent | Received | InProgress, Return) => Returned,
            (Sent | Received | InProgress | Returned, Withdraw) => Withdrawn,
            _ => {
                let hint = match (self, step) {
                    (Sent, Report | Start) => "（先に受領してください）",
                    (Returned, _) => {
                        "（差戻しの引継ぎは、送った機関が別の機関へ送り直すか、理由を書いて取り消します）"
                    }
                    (Completed | Withdrawn, _) => "（この引継ぎは終わっています）",
                    (_, Acknowledge) => "（報告を受け取れるのは、報告済の引継ぎだけです）",
                    _ => "",
                };
                return Err(IllegalStep {
                    state: self.label(),
                    step: step.label(),
                    hint,
                });
            }
        };
        Ok(next)
    }
}

/// シート利用目的.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// 重層事業へつなぐ（会議開催等）: to the 多機関協働 intake queue.
    MultiAgency,
    /// 連携先等不明: to the 事務局, who routes it onward.
    UnknownPartner,
    /// 関係機関へつなぐ
    Refer,
}

impl Purpose {
    pub const ALL: [Purpose; 3] = [
        Purpose::MultiAgency,
        Purpose::UnknownPartner,
        Purpose::Refer,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Purpose::MultiAgency => "multi_agency",
            Purpose::UnknownPartner => "unknown_partner",
            Purpose::Refer => "refer",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Purpose::MultiAgency => "重層事業へつなぐ（会議開催等）",
            Purpose::UnknownPartner => "連携先等不明",
            Purpose::Refer => "関係機関へつなぐ",
        }
    }

    pub fn parse(text: &str) -> Option<Purpose> {
        [
            Purpose::MultiAgency,
            Purpose::UnknownPartner,
            Purpose::Refer,
        ]
        .into_iter()
        .find(|p| p.code() == text || p.label() == text)
    }

    /// Goes to the 事務局 rather than to agencies the sender picks.
    pub fn goes_to_secretariat(self) -> bool {
        !matches!(self, Purpose::Refer)
    }
}

/// The limits of the loop (the municipality pack's `[handoff]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct HandoffPolicy {
    /// A handoff not received within this many business days stands out.
    pub receive_within_business_days: u32,
    /// 緊急 1週間以内: to be reported within this many days.
    pub report_within_days_urgent_week: u32,
    /// 緊急 1か月以内: to be reported within this many days.
    pub report_within_days_urgent_month: u32,
}

impl Default for HandoffPolicy {
    fn default() -> Self {
        HandoffPolicy {
            receive_within_business_days: 2,
            report_within_days_urgent_week: 7,
            report_within_days_urgent_month: 30,
        }
    }
}

/// Why a handoff stands out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Overdue {
    /// Not received by this day.
    NotReceived { due: NaiveDate },
    /// Urgent and not reported by this day.
    NotReported { due: NaiveDate },
}

impl Overdue {
    pub fn message(&self) -> String {
        match self {
            Overdue::NotReceived { due } => {
                format!("受領の期限（{}）を過ぎています", due.format("%m月%d日"))
            }
            Overdue::NotReported { due } => {
                format!("報告の期限（{}）を過ぎています", due.format("%m月%d日"))
            }
        }
    }
}

/// `days` business days after `from`: weekends, national holidays and the
/// year-end closing (12月29日〜1月3日) are skipped ([`crate::holiday`]).
pub fn add_business_days(from: NaiveDate, days: u32) -> NaiveDate {
    let mut date = from;
    let mut left = days;
    while left > 0 {
        date += Duration::days(1);
        if crate::holiday::is_business_day(date) {
            left -= 1;
        }
    }
    date
}

/// Whether a handoff is overdue on `today`: not received within the business
/// days, or urgent and not reported within its days. `urgency` is the
/// sheet's code (`within_week`, `within_month`, `none`).
pub fn overdue(
    state: HandoffState,
    sent_on: NaiveDate,
    urgency: Option<&str>,
    today: NaiveDate,
    policy: &HandoffPolicy,
) -> Option<Overdue> {
    if state == HandoffState::Sent {
        let due = add_business_days(sent_on, policy.receive_within_business_days);
        if today > due {
            return Some(Overdue::NotReceived { due });
        }
    }
    if matches!(
        state,
        HandoffState::Sent | HandoffState::Received | HandoffState::InProgress
    ) {
        let days = match urgency {
            Some("within_week") => Some(policy.report_within_days_urgent_week),
            Some("within_month") => Some(policy.report_within_days_urgent_month),
            _ => None,
        };
        if let Some(days) = days {
            let due = sent_on + Duration::days(i64::from(days));
            if today > due {
                return Some(Overdue::NotReported { due });
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use HandoffState::*;
    use HandoffStep::*;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    #[test]
    fn the_loop_closes_in_order() {
        let s = Sent.after(Receive).unwrap();
        let s = s.after(Start).unwrap();
        let s = s.after(Report).unwrap();
        assert_eq!(s.after(Acknowledge), Ok(Completed));
        assert_eq!(
            Received.after(Report),
            Ok(Reported),
            "reporting straight after receipt"
        );
    }

    #[test]
    fn illegal_steps_say_why() {
        assert_eq!(
            Sent.after(Report).unwrap_err().to_string(),
            "「送付済」の引継ぎは「報告」できません（先に受領してください）"
        );
        assert!(Completed.after(Withdraw).is_err());
        assert!(Reported.after(Return).is_err());
        assert!(
            Returned
                .after(Receive)
                .unwrap_err()
                .to_string()
                .contains("送り直す")
        );
        assert_eq!(
            Returned.after(Withdraw),
            Ok(Withdrawn),
            "closed with a reason after 差戻し"
        );
    }

    #[test]
    fn two_business_days_skip_the_weekend_holidays_and_the_year_end() {
        // Thursday 2026-11-26 → Monday 2026-11-30
        assert_eq!(add_business_days(day(11, 26), 2), day(11, 30));
        // Friday 2026-11-20 → (21, 22 weekend, 23 勤労感謝の日) → Tuesday 24, Wednesday 25
        assert_eq!(add_business_days(day(11, 20), 2), day(11, 25));
        // Monday 2026-12-28 → offices closed 29 to 3 → Monday 4, Tuesday 5 January
        assert_eq!(
            add_business_days(day(12, 28), 2),
            NaiveDate::from_ymd_opt(2027, 1, 5).unwrap()
        );
        let policy = HandoffPolicy::default();
        assert_eq!(overdue(Sent, day(11, 26), None, day(11, 30), &policy), None);
        assert_eq!(
            overdue(Sent, day(11, 26), None, day(12, 1), &policy),
            Some(Overdue::NotReceived { due: day(11, 30) })
        );
        assert_eq!(
            overdue(Received, day(11, 26), None, day(12, 20), &policy),
            None,
            "received and not urgent"
        );
    }

    #[test]
    fn urgent_handoffs_must_be_reported_in_time() {
        let policy = HandoffPolicy::default();
        assert_eq!(
            overdue(
                Received,
                day(11, 2),
                Some("within_week"),
                day(11, 9),
                &policy
            ),
            None
        );
        assert_eq!(
            overdue(
                InProgress,
                day(11, 2),
                Some("within_week"),
                day(11, 10),
                &policy
            ),
            Some(Overdue::NotReported { due: day(11, 9) })
        );
        assert_eq!(
            overdue(
                Received,
                day(11, 2),
                Some("within_month"),
                day(12, 2),
                &policy
            ),
            None
        );
        assert!(
            overdue(
                Received,
                day(11, 2),
                Some("within_month"),
                day(12, 3),
                &policy
            )
            .is_some()
        );
        assert_eq!(
            overdue(
                Reported,
                day(11, 2),
                Some("within_week"),
                day(12, 31),
                &policy
            ),
            None
        );
    }
}

//! 多機関協働: the case's course, the meeting kinds and the consent gate.
//!
//! Groundwork for the cases and meetings: the rules only, no storage yet.

use std::fmt;

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

/// 終結時評価 of one goal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoalOutcome {
    Achieved,
    Partly,
    NotAchieved,
}

impl GoalOutcome {
    pub fn code(self) -> &'static str {
        match self {
            GoalOutcome::Achieved => "achieved",
            GoalOutcome::Partly => "partly",
            GoalOutcome::NotAchieved => "not_achieved",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            GoalOutcome::Achieved => "達成",
            GoalOutcome::Partly => "一部達成",
            GoalOutcome::NotAchieved => "未達成",
        }
    }

    pub fn parse(code: &str) -> Option<GoalOutcome> {
        [
            GoalOutcome::Achieved,
            GoalOutcome::Partly,
            GoalOutcome::NotAchieved,
        ]
        .into_iter()
        .find(|o| o.code() == code || o.label() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CaseState::*;
    use CaseStep::*;

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

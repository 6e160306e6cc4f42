//! The directory of a municipality: fields, programmes and hub types.
//!
//! The agencies, departments and catchments themselves are data (the
//! municipality pack); these are the closed vocabularies the law fixes.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// 分野: the field an agency works in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// 高齢
    Elderly,
    /// 障がい
    Disability,
    /// 子ども
    Children,
    /// 困窮
    Poverty,
    /// 分野横断 (参加支援, アウトリーチ, 多機関協働)
    CrossField,
}

crate::code::listed_codes!(Field, Programme);

impl Field {
    pub const ALL: [Field; 5] = [
        Field::Elderly,
        Field::Disability,
        Field::Children,
        Field::Poverty,
        Field::CrossField,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Field::Elderly => "elderly",
            Field::Disability => "disability",
            Field::Children => "children",
            Field::Poverty => "poverty",
            Field::CrossField => "cross_field",
        }
    }

    /// The label staff read: 高齢, 障がい, 子ども, 困窮, 分野横断.
    pub fn label(self) -> &'static str {
        match self {
            Field::Elderly => "高齢",
            Field::Disability => "障がい",
            Field::Children => "子ども",
            Field::Poverty => "困窮",
            Field::CrossField => "分野横断",
        }
    }
}

impl FromStr for Field {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Field::ALL
            .into_iter()
            .find(|f| f.code() == s || f.label() == s)
            .ok_or_else(|| UnknownCode::new("分野", s))
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// 法第106条の4第2項 の事業: which numbered programme of the law an agency runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Programme {
    /// 第1号イ 包括的相談支援 (介護: 地域包括支援センター)
    #[serde(rename = "1-i")]
    ConsultationElderly,
    /// 第1号ロ 包括的相談支援 (障がい: 相談支援事業)
    #[serde(rename = "1-ro")]
    ConsultationDisability,
    /// 第1号ハ 包括的相談支援 (子ども: 利用者支援事業)
    #[serde(rename = "1-ha")]
    ConsultationChildren,
    /// 第1号ニ 包括的相談支援 (困窮: 自立相談支援事業)
    #[serde(rename = "1-ni")]
    ConsultationPoverty,
    /// 第2号 参加支援事業
    #[serde(rename = "2")]
    ParticipationSupport,
    /// 第3号イ 地域づくり (介護: 地域介護予防活動支援事業)
    #[serde(rename = "3-i")]
    CommunityCarePrevention,
    /// 第3号ロ 地域づくり (介護: 生活支援体制整備事業)
    #[serde(rename = "3-ro")]
    CommunityLivingSupport,
    /// 第3号ハ 地域づくり (障がい: 地域活動支援センター)
    #[serde(rename = "3-ha")]
    CommunityActivityCenter,
    /// 第3号ニ 地域づくり (子ども: 地域子育て支援拠点)
    #[serde(rename = "3-ni")]
    CommunityChildRearingHub,
    /// 第3号 生活困窮者支援等のための地域づくり事業
    #[serde(rename = "3-poverty")]
    CommunityPoverty,
    /// 第4号 アウトリーチ等を通じた継続的支援事業
    #[serde(rename = "4")]
    Outreach,
    /// 第5号 多機関協働事業
    #[serde(rename = "5")]
    MultiAgencyCollaboration,
    /// 第6号 支援プランの作成
    #[serde(rename = "6")]
    SupportPlan,
}

impl Programme {
    pub const ALL: [Programme; 13] = [
        Programme::ConsultationElderly,
        Programme::ConsultationDisability,
        Programme::ConsultationChildren,
        Programme::ConsultationPoverty,
        Programme::ParticipationSupport,
        Programme::CommunityCarePrevention,
        Programme::CommunityLivingSupport,
        Programme::CommunityActivityCenter,
        Programme::CommunityChildRearingHub,
        Programme::CommunityPoverty,
        Programme::Outreach,
        Programme::MultiAgencyCollaboration,
        Programme::SupportPlan,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Programme::ConsultationElderly => "1-i",
            Programme::ConsultationDisability => "1-ro",
            Programme::ConsultationChildren => "1-ha",
            Programme::ConsultationPoverty => "1-ni",
            Programme::ParticipationSupport => "2",
            Programme::CommunityCarePrevention => "3-i",
            Programme::CommunityLivingSupport => "3-ro",
            Programme::CommunityActivityCenter => "3-ha",
            Programme::CommunityChildRearingHub => "3-ni",
            Programme::CommunityPoverty => "3-poverty",
            Programme::Outreach => "4",
            Programme::MultiAgencyCollaboration => "5",
            Programme::SupportPlan => "6",
        }
    }

    /// The clause of 法第106条の4第2項, as the plan writes it.
    pub fn clause(self) -> &'static str {
        match self {
            Programme::ConsultationElderly => "第1号イ",
            Programme::ConsultationDisability => "第1号ロ",
            Programme::ConsultationChildren => "第1号ハ",
            Programme::ConsultationPoverty => "第1号ニ",
            Programme::ParticipationSupport => "第2号",
            Programme::CommunityCarePrevention => "第3号イ",
            Programme::CommunityLivingSupport => "第3号ロ",
            Programme::CommunityActivityCenter => "第3号ハ",
            Programme::CommunityChildRearingHub => "第3号ニ",
            Programme::CommunityPoverty => "第3号（困窮）",
            Programme::Outreach => "第4号",
            Programme::MultiAgencyCollaboration => "第5号",
            Programme::SupportPlan => "第6号",
        }
    }

    /// The programme's name in the law.
    pub fn name(self) -> &'static str {
        match self {
            Programme::ConsultationElderly
            | Programme::ConsultationDisability
            | Programme::ConsultationChildren
            | Programme::ConsultationPoverty => "包括的相談支援事業",
            Programme::ParticipationSupport => "参加支援事業",
            Programme::CommunityCarePrevention
            | Programme::CommunityLivingSupport
            | Programme::CommunityActivityCenter
            | Programme::CommunityChildRearingHub
            | Programme::CommunityPoverty => "地域づくり事業",
            Programme::Outreach => "アウトリーチ等を通じた継続的支援事業",
            Programme::MultiAgencyCollaboration => "多機関協働事業",
            Programme::SupportPlan => "支援プランの作成",
        }
    }

    /// The numbered item (第1号 … 第6号) used to group programmes in filters.
    pub fn item(self) -> u8 {
        match self {
            Programme::ConsultationElderly
            | Programme::ConsultationDisability
            | Programme::ConsultationChildren
            | Programme::ConsultationPoverty => 1,
            Programme::ParticipationSupport => 2,
            Programme::CommunityCarePrevention
            | Programme::CommunityLivingSupport
            | Programme::CommunityActivityCenter
            | Programme::CommunityChildRearingHub
            | Programme::CommunityPoverty => 3,
            Programme::Outreach => 4,
            Programme::MultiAgencyCollaboration => 5,
            Programme::SupportPlan => 6,
        }
    }

    /// 第1号 (包括的相談支援): an agency running it takes consultations.
    pub fn is_consultation(self) -> bool {
        self.item() == 1
    }
}

impl FromStr for Programme {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Programme::ALL
            .into_iter()
            .find(|p| p.code() == s)
            .ok_or_else(|| UnknownCode::new("事業", s))
    }
}

impl fmt::Display for Programme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.clause(), self.name())
    }
}

/// 拠点類型 of a consultation hub (3(1)オ 設置形態).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HubType {
    /// 基本型
    Basic,
    /// 統合型
    Integrated,
    /// 地域型
    Community,
}

crate::code::listed_codes!(HubType);

impl HubType {
    pub const ALL: [HubType; 3] = [HubType::Basic, HubType::Integrated, HubType::Community];

    pub fn code(self) -> &'static str {
        match self {
            HubType::Basic => "basic",
            HubType::Integrated => "integrated",
            HubType::Community => "community",
        }
    }
    pub fn label(self) -> &'static str {
        match self {
            HubType::Basic => "基本型",
            HubType::Integrated => "統合型",
            HubType::Community => "地域型",
        }
    }
}

impl FromStr for HubType {
    type Err = UnknownCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [HubType::Basic, HubType::Integrated, HubType::Community]
            .into_iter()
            .find(|h| h.code() == s)
            .ok_or_else(|| UnknownCode::new("拠点類型", s))
    }
}

/// A code that is not part of a closed vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{what}のコード「{code}」は定義されていません")]
pub struct UnknownCode {
    pub what: &'static str,
    pub code: String,
}

impl UnknownCode {
    fn new(what: &'static str, code: &str) -> Self {
        UnknownCode {
            what,
            code: code.to_owned(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_programme_code_round_trips() {
        for p in Programme::ALL {
            assert_eq!(p.code().parse::<Programme>().unwrap(), p);
        }
        assert!("7".parse::<Programme>().is_err());
    }

    #[test]
    fn fields_parse_from_code_or_japanese_label() {
        assert_eq!("高齢".parse::<Field>().unwrap(), Field::Elderly);
        assert_eq!("disability".parse::<Field>().unwrap(), Field::Disability);
        let err = "宇宙".parse::<Field>().unwrap_err();
        assert_eq!(err.to_string(), "分野のコード「宇宙」は定義されていません");
    }

    #[test]
    fn only_item_one_takes_consultations() {
        let consultation: Vec<_> = Programme::ALL
            .into_iter()
            .filter(|p| p.is_consultation())
            .map(Programme::clause)
            .collect();
        assert_eq!(consultation, ["第1号イ", "第1号ロ", "第1号ハ", "第1号ニ"]);
    }
}

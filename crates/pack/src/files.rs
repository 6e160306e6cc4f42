//! The files of a pack and their raw parsing.

use crate::{
    AddressSettings, AgencyData, CatchmentRule, CatchmentTown, DepartmentData, HubTypeInfo,
    MeetingKind, Municipality, Network, NetworkMember, PackError, PostalEntry, ProgrammeInfo,
    TownAlias,
};
use serde::{Deserialize, Deserializer, de::DeserializeOwned};
use std::path::Path;
use tsunagaru_domain::{HubType, LoginPolicy, PasswordPolicy};

/// The text of each file of a pack (stored as JSON by a pack load).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, Deserialize)]
pub struct PackSources {
    pub municipality_toml: String,
    pub agencies_toml: String,
    pub departments_csv: String,
    pub catchment_towns_csv: String,
    pub network_members_csv: String,
    pub postal_codes_csv: String,
    pub town_aliases_csv: String,
    pub catchment_rules_csv: String,
}

impl PackSources {
    /// 盛岡市's pack as compiled into the binary.
    pub fn morioka() -> PackSources {
        PackSources {
            municipality_toml: include_str!("../../../packs/morioka/municipality.toml").into(),
            agencies_toml: include_str!("../../../packs/morioka/agencies.toml").into(),
            departments_csv: include_str!("../../../packs/morioka/departments.csv").into(),
            catchment_towns_csv: include_str!("../../../packs/morioka/catchment_towns.csv").into(),
            network_members_csv: include_str!("../../../packs/morioka/network_members.csv").into(),
            postal_codes_csv: include_str!("../../../packs/morioka/postal_codes.csv").into(),
            town_aliases_csv: include_str!("../../../packs/morioka/town_aliases.csv").into(),
            catchment_rules_csv: include_str!("../../../packs/morioka/catchment_rules.csv").into(),
        }
    }

    /// Reads a municipality's pack from a directory holding the same files.
    pub fn from_dir(dir: &Path) -> Result<PackSources, PackError> {
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|error| PackError::Io {
                path: path.display().to_string(),
                error,
            })
        };
        Ok(PackSources {
            municipality_toml: read("municipality.toml")?,
            agencies_toml: read("agencies.toml")?,
            departments_csv: read("departments.csv")?,
            catchment_towns_csv: read("catchment_towns.csv")?,
            network_members_csv: read("network_members.csv")?,
            postal_codes_csv: read("postal_codes.csv")?,
            town_aliases_csv: read("town_aliases.csv")?,
            catchment_rules_csv: read("catchment_rules.csv")?,
        })
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct MunicipalityFile {
    pub municipality: Municipality,
    pub hub_types: HubTypesSection,
    pub programmes: Vec<ProgrammeInfo>,
    pub meeting_kinds: Vec<MeetingKind>,
    pub network: Network,
    pub password_policy: PasswordPolicy,
    pub login: LoginPolicy,
    #[serde(default)]
    pub second_factor: tsunagaru_domain::SecondFactorPolicy,
    #[serde(default)]
    pub address: AddressSettings,
    #[serde(default)]
    pub handoff: crate::HandoffSettings,
    #[serde(default)]
    pub outreach: crate::OutreachSettings,
    #[serde(default)]
    pub participation_menus: Vec<crate::MenuData>,
    #[serde(default)]
    pub reporting: crate::ReportingSettings,
    #[serde(default)]
    pub indicators: Vec<crate::Indicator>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct HubTypesSection {
    pub chosen: HubType,
    pub types: Vec<HubTypeInfo>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgenciesFile {
    agencies: Vec<AgencyData>,
}

pub(crate) struct RawPack {
    pub municipality: MunicipalityFile,
    pub agencies: Vec<AgencyData>,
    pub departments: Vec<DepartmentData>,
    pub catchment_towns: Vec<CatchmentTown>,
    pub network_members: Vec<NetworkMember>,
    pub postal_codes: Vec<PostalEntry>,
    pub town_aliases: Vec<TownAlias>,
    pub catchment_rules: Vec<CatchmentRule>,
}

pub(crate) fn parse_sources(sources: &PackSources) -> Result<RawPack, PackError> {
    let municipality: MunicipalityFile =
        toml::from_str(&sources.municipality_toml).map_err(|e| PackError::Syntax {
            file: "municipality.toml",
            message: e.to_string(),
        })?;
    let agencies: AgenciesFile =
        toml::from_str(&sources.agencies_toml).map_err(|e| PackError::Syntax {
            file: "agencies.toml",
            message: e.to_string(),
        })?;
    Ok(RawPack {
        municipality,
        agencies: agencies.agencies,
        departments: csv_rows("departments.csv", &sources.departments_csv)?,
        catchment_towns: csv_rows("catchment_towns.csv", &sources.catchment_towns_csv)?,
        network_members: csv_rows("network_members.csv", &sources.network_members_csv)?,
        postal_codes: csv_rows("postal_codes.csv", &sources.postal_codes_csv)?,
        town_aliases: csv_rows("town_aliases.csv", &sources.town_aliases_csv)?,
        catchment_rules: csv_rows("catchment_rules.csv", &sources.catchment_rules_csv)?,
    })
}

fn csv_rows<T: DeserializeOwned>(file: &'static str, text: &str) -> Result<Vec<T>, PackError> {
    // Spreadsheets save CSV with a BOM; accept it.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes())
        .deserialize()
        .enumerate()
        .map(|(i, row)| {
            row.map_err(|e| PackError::Syntax {
                file,
                message: format!("{}行目のデータ: {e}", i + 1),
            })
        })
        .collect()
}

/// ○ (or 〇, o, 1, true) marks a yes in the plan's tables; empty is no.
pub(crate) fn circle<'de, D: Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    let text = String::deserialize(deserializer)?;
    match text.trim() {
        "○" | "〇" | "◯" | "o" | "O" | "1" | "true" => Ok(true),
        "" | "×" | "0" | "false" => Ok(false),
        other => Err(serde::de::Error::custom(format!(
            "「{other}」は ○ か空欄にしてください"
        ))),
    }
}

//! Municipality packs.
//!
//! A pack is the data that makes Tsunagaru one municipality's system: its
//! agencies, departments, catchment table, network members, meeting names and
//! local rules. Packs are plain files (TOML and CSV) that a municipality writes;
//! 盛岡市's ships inside the binary. [`Pack::parse`] turns the files into
//! checked values: a pack that refers to a department or agency that does not
//! exist is refused with a message naming the file and row.

mod files;

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use tsunagaru_domain::contact::{Contact, ContactInput};
use tsunagaru_domain::{Field, HubType, LoginPolicy, PasswordPolicy, Programme};

pub use files::PackSources;

/// A checked municipality pack.
#[derive(Debug, Clone, Serialize)]
pub struct Pack {
    pub municipality: Municipality,
    pub hub_types: Vec<HubTypeInfo>,
    pub chosen_hub_type: HubType,
    pub programmes: Vec<ProgrammeInfo>,
    pub meeting_kinds: Vec<MeetingKind>,
    pub network: Network,
    pub agencies: Vec<AgencyData>,
    pub departments: Vec<DepartmentData>,
    pub catchment_towns: Vec<CatchmentTown>,
    pub network_members: Vec<NetworkMember>,
    pub postal_codes: Vec<PostalEntry>,
    pub town_aliases: Vec<TownAlias>,
    pub catchment_rules: Vec<CatchmentRule>,
    pub address: AddressSettings,
    pub handoff: HandoffSettings,
    pub outreach: OutreachSettings,
    pub participation_menus: Vec<MenuData>,
    pub reporting: ReportingSettings,
    /// 評価指標 (§2(3)): what the report shows against a target per 年度.
    pub indicators: Vec<Indicator>,
    pub password_policy: PasswordPolicy,
    pub login: LoginPolicy,
    /// Who must sign in with a second factor.
    pub second_factor: tsunagaru_domain::SecondFactorPolicy,
    /// The files it was parsed from, as the store keeps them so that every
    /// server on one database reads the same pack ([`Pack::sources`]).
    #[serde(skip)]
    sources: PackSources,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Municipality {
    pub name: String,
    pub prefecture: String,
    pub code: String,
    pub plan_title: String,
    pub plan_date: String,
    pub lead_department_no: u32,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct HubTypeInfo {
    pub code: HubType,
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ProgrammeInfo {
    pub code: Programme,
    pub scheme: String,
    pub department_no: u32,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct MeetingKind {
    /// case_conference | support_conference | council_plenary | council_working_group | case_review
    pub code: String,
    pub name: String,
    pub formal_name: String,
    pub purpose: String,
    pub consent_required: bool,
    pub schedule: String,
    pub participants: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Network {
    pub name: String,
    pub coordinator_title: String,
}

/// One agency (実施機関 / 拠点) as the pack describes it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct AgencyData {
    pub key: String,
    pub name: String,
    pub category: String,
    pub operator: Option<String>,
    pub address: Option<String>,
    pub fields: Vec<Field>,
    pub programmes: Vec<Programme>,
    pub department_no: u32,
    pub consultation: bool,
    pub hub_type: Option<HubType>,
    #[serde(default)]
    pub catchment_areas: Vec<String>,
    /// 委託 / 補助
    pub funding: Option<String>,
    /// The 事務局 of the network: receives handoffs whose partner is unknown.
    #[serde(default)]
    pub secretariat: bool,
    pub source: String,
    /// 電話・FAX・メール・受付時間・内線 (`[agencies.contact]`); the
    /// administrator's entries on the screen take precedence and survive loads.
    #[serde(default)]
    pub contact: ContactInput,
}

impl AgencyData {
    /// The contact details as checked at load.
    pub fn contact(&self) -> Contact {
        Contact::parse(&self.contact).unwrap_or_default()
    }
}

/// One row of 関係各課一覧.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct DepartmentData {
    pub no: u32,
    pub group: String,
    pub division: String,
    pub name: String,
    pub main_content: String,
    #[serde(deserialize_with = "files::circle")]
    pub consultation: bool,
    #[serde(deserialize_with = "files::circle")]
    pub community: bool,
    /// Contact details (optional columns phone, fax, email, hours, extension).
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub fax: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub hours: String,
    #[serde(default)]
    pub extension: String,
}

impl DepartmentData {
    fn contact_input(&self) -> ContactInput {
        ContactInput {
            phone: self.phone.clone(),
            fax: self.fax.clone(),
            email: self.email.clone(),
            hours: self.hours.clone(),
            extension: self.extension.clone(),
        }
    }

    /// The contact details as checked at load.
    pub fn contact(&self) -> Contact {
        Contact::parse(&self.contact_input()).unwrap_or_default()
    }
}

/// One town of a center's 担当地区 as the plan's table prints it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct CatchmentTown {
    pub agency_key: String,
    pub position: u32,
    pub town: String,
}

/// 相談支援包括化推進員: a member organization of the network, by field.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct NetworkMember {
    pub field: String,
    pub organization: String,
    pub unit: Option<String>,
}

/// One row of Japan Post's postal-code data for the municipality.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct PostalEntry {
    pub postal_code: String,
    /// Empty for the city's catch-all code.
    pub town: String,
    pub town_kana: String,
    /// The town has 丁目.
    #[serde(deserialize_with = "files::circle")]
    pub chome: bool,
    /// Numbers run per 字 (小字毎に番地が起番): the town has 字 addresses.
    #[serde(deserialize_with = "files::circle")]
    pub aza_numbering: bool,
    /// Which part of the town the code covers (Japan Post's note).
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum AliasKind {
    /// The plan misprints the town; accepted in input too.
    Misprint,
    /// The old form after the former ward/village prefix.
    Former,
    /// How the plan's table writes an entry; used to read the table only.
    Plan,
}

/// Another spelling of a town.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct TownAlias {
    pub alias: String,
    pub town: String,
    pub kind: AliasKind,
    pub source: String,
}

/// A finer catchment rule (replaces what the table says about its town).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct CatchmentRule {
    pub town: String,
    /// any | chome | chome_form | aza_form | aza | aza_other
    pub selector: String,
    pub value: Option<String>,
    pub agency_key: String,
    pub source: String,
}

/// The handoff loop's limits and the 相談内容 → 引継機関 suggestions.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct HandoffSettings {
    #[serde(flatten)]
    pub policy: tsunagaru_domain::handoff::HandoffPolicy,
    /// Concern code → agency keys (`catchment`: the 地域包括支援センター of the address).
    #[serde(default)]
    pub suggestions: std::collections::BTreeMap<String, Vec<String>>,
}

/// 事業実績's settings.
#[derive(Debug, Clone, Default, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ReportingSettings {
    /// The population the national surveys' rates divide by (per 10万人).
    /// Left out, the report shows no rates rather than invented ones.
    pub population: Option<u64>,
    /// Where the population figure comes from (and as of when).
    pub population_source: Option<String>,
}

/// One 評価指標: a figure of the report and its target per 年度.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub key: String,
    pub name: String,
    pub unit: String,
    /// The report's figure it reads, e.g. `consultations.total`.
    pub figure: String,
    /// Targets by 年度 (the year it starts in); none until the city sets them.
    #[serde(default)]
    pub targets: BTreeMap<String, u64>,
}

/// アウトリーチ (第4号): when a target without contact stands out.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct OutreachSettings {
    /// A target with no contact attempt for more than this many days is listed first.
    pub no_contact_alert_days: u32,
    /// 参加支援: a follow-up (定着支援) is proposed this many days after the last record.
    pub follow_up_every_days: u32,
}

impl Default for OutreachSettings {
    fn default() -> Self {
        OutreachSettings {
            no_contact_alert_days: 30,
            follow_up_every_days: 14,
        }
    }
}

/// A 支援メニュー of 参加支援 the plan names (the 事務局 adds new ones in the system).
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct MenuData {
    pub key: String,
    pub name: String,
    pub description: String,
    /// 受け入れ先
    pub host: String,
    /// The pack agency that hosts it, if it is one.
    #[serde(default)]
    pub host_agency_key: Option<String>,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub schedule: String,
    #[serde(default)]
    pub capacity: Option<u32>,
    /// 対象者
    pub suits: String,
    /// Where in the plan it is written.
    pub source: String,
}

/// How addresses of this municipality are written.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq, Default)]
pub struct AddressSettings {
    /// Prefixes that still mean this city in old records: a former ward or
    /// village (e.g. 玉山区, 岩手郡玉山村). After one, `former` aliases apply.
    #[serde(default)]
    pub former_names: Vec<String>,
}

/// A pack that cannot be used, and where the problem is.
#[derive(Debug, thiserror::Error)]
pub enum PackError {
    #[error("{file}: {message}")]
    Syntax { file: &'static str, message: String },
    #[error("{file}: {message}")]
    Reference { file: &'static str, message: String },
    #[error("{path}: 読み込めません: {error}")]
    Io { path: String, error: std::io::Error },
}

impl Pack {
    /// 盛岡市's pack, embedded in the binary.
    pub fn morioka() -> Pack {
        Pack::parse(&PackSources::morioka())
            .expect("the embedded 盛岡市 pack is checked by its tests")
    }

    /// The files this pack was parsed from: what a pack load stores, and
    /// what another server parses again when it sees the load.
    pub fn sources(&self) -> &PackSources {
        &self.sources
    }

    /// Parses and cross-checks the files of a pack.
    pub fn parse(sources: &PackSources) -> Result<Pack, PackError> {
        let raw = files::parse_sources(sources)?;
        // A password may not hold the city's or the prefecture's name
        // (盛岡市 → 盛岡, 岩手県 → 岩手), besides the words the pack lists.
        let mut password_policy = raw.municipality.password_policy.clone();
        for name in [
            &raw.municipality.municipality.name,
            &raw.municipality.municipality.prefecture,
        ] {
            let stem = name.trim_end_matches(['市', '町', '村', '区', '県', '府', '都', '道']);
            if stem.chars().count() >= 2
                && !password_policy.forbidden_words.iter().any(|w| w == stem)
            {
                password_policy.forbidden_words.push(stem.to_owned());
            }
        }
        let pack = Pack {
            municipality: raw.municipality.municipality,
            chosen_hub_type: raw.municipality.hub_types.chosen,
            hub_types: raw.municipality.hub_types.types,
            programmes: raw.municipality.programmes,
            meeting_kinds: raw.municipality.meeting_kinds,
            network: raw.municipality.network,
            password_policy,
            login: raw.municipality.login,
            second_factor: raw.municipality.second_factor,
            agencies: raw.agencies,
            departments: raw.departments,
            catchment_towns: raw.catchment_towns,
            network_members: raw.network_members,
            postal_codes: raw.postal_codes,
            town_aliases: raw.town_aliases,
            catchment_rules: raw.catchment_rules,
            address: raw.municipality.address,
            handoff: raw.municipality.handoff,
            outreach: raw.municipality.outreach,
            participation_menus: raw.municipality.participation_menus,
            reporting: raw.municipality.reporting,
            indicators: raw.municipality.indicators,
            sources: sources.clone(),
        };
        pack.check_references()?;
        Ok(pack)
    }

    fn check_references(&self) -> Result<(), PackError> {
        let department_nos: BTreeSet<u32> = self.departments.iter().map(|d| d.no).collect();
        let reference = |file, message: String| Err(PackError::Reference { file, message });
        for i in &self.indicators {
            if !tsunagaru_domain::report::FIGURES.contains(&i.figure.as_str()) {
                return reference(
                    "municipality.toml",
                    format!(
                        "評価指標「{}」の figure「{}」は集計項目にありません（{}）",
                        i.name,
                        i.figure,
                        tsunagaru_domain::report::FIGURES.join(", ")
                    ),
                );
            }
            if let Some(bad) = i
                .targets
                .keys()
                .find(|y| tsunagaru_domain::report::FiscalYear::parse(y).is_err())
            {
                return reference(
                    "municipality.toml",
                    format!(
                        "評価指標「{}」の目標の年度「{bad}」を読み取れません",
                        i.name
                    ),
                );
            }
        }
        if department_nos.len() != self.departments.len() {
            return reference("departments.csv", "同じ番号 (no) の行が複数あります".into());
        }
        if !department_nos.contains(&self.municipality.lead_department_no) {
            return reference(
                "municipality.toml",
                format!(
                    "主管課の番号 {} が departments.csv にありません",
                    self.municipality.lead_department_no
                ),
            );
        }
        for programme in &self.programmes {
            if !department_nos.contains(&programme.department_no) {
                return reference(
                    "municipality.toml",
                    format!(
                        "事業 {} の担当課番号 {} が departments.csv にありません",
                        programme.code.clause(),
                        programme.department_no
                    ),
                );
            }
        }
        let contact_problem = |name: &str, problems: Vec<(&str, String)>| {
            problems
                .into_iter()
                .map(|(field, message)| format!("{name} の連絡先 {field}: {message}"))
                .collect::<Vec<_>>()
                .join(" / ")
        };
        for d in &self.departments {
            if let Err(problems) = Contact::parse(&d.contact_input()) {
                return reference("departments.csv", contact_problem(&d.name, problems));
            }
        }
        let mut keys = BTreeSet::new();
        for agency in &self.agencies {
            if let Err(problems) = Contact::parse(&agency.contact) {
                return reference("agencies.toml", contact_problem(&agency.name, problems));
            }
            if !keys.insert(agency.key.as_str()) {
                return reference(
                    "agencies.toml",
                    format!("key「{}」が重複しています", agency.key),
                );
            }
            if !department_nos.contains(&agency.department_no) {
                return reference(
                    "agencies.toml",
                    format!(
                        "{} の担当課番号 {} が departments.csv にありません",
                        agency.name, agency.department_no
                    ),
                );
            }
            if agency.fields.is_empty() || agency.programmes.is_empty() {
                return reference(
                    "agencies.toml",
                    format!("{} に分野または事業がありません", agency.name),
                );
            }
            if agency.consultation != agency.programmes.iter().any(|p| p.is_consultation()) {
                return reference(
                    "agencies.toml",
                    format!(
                        "{}: consultation は第1号の事業を行う機関だけ true にします",
                        agency.name
                    ),
                );
            }
        }
        for town in &self.catchment_towns {
            if !keys.contains(town.agency_key.as_str()) {
                return reference(
                    "catchment_towns.csv",
                    format!(
                        "機関 key「{}」（町名 {}）が agencies.toml にありません",
                        town.agency_key, town.town
                    ),
                );
            }
        }
        for rule in &self.catchment_rules {
            if !keys.contains(rule.agency_key.as_str()) {
                return reference(
                    "catchment_rules.csv",
                    format!(
                        "機関 key「{}」（町名 {}）が agencies.toml にありません",
                        rule.agency_key, rule.town
                    ),
                );
            }
        }
        let mut menu_keys = BTreeSet::new();
        for menu in &self.participation_menus {
            if !menu_keys.insert(menu.key.as_str()) {
                return reference(
                    "municipality.toml",
                    format!("支援メニューの key「{}」が重複しています", menu.key),
                );
            }
            if let Some(host) = &menu.host_agency_key
                && !keys.contains(host.as_str())
            {
                return reference(
                    "municipality.toml",
                    format!(
                        "支援メニュー「{}」の受け入れ先 key「{host}」が agencies.toml にありません",
                        menu.name
                    ),
                );
            }
        }
        for (concern, targets) in &self.handoff.suggestions {
            if tsunagaru_domain::intake::Concern::parse(concern).is_none() {
                return reference(
                    "municipality.toml",
                    format!(
                        "[handoff.suggestions] の相談内容「{concern}」はシートの項目にありません"
                    ),
                );
            }
            // department-N names the agency row of 関係各課 No.N.
            let is_department = |t: &str| {
                t.strip_prefix("department-")
                    .and_then(|n| n.parse::<u32>().ok())
                    .is_some_and(|n| department_nos.contains(&n))
            };
            if let Some(bad) = targets
                .iter()
                .find(|t| *t != "catchment" && !keys.contains(t.as_str()) && !is_department(t))
            {
                return reference(
                    "municipality.toml",
                    format!(
                        "[handoff.suggestions] の機関 key「{bad}」が agencies.toml にありません"
                    ),
                );
            }
        }
        if self.agencies.iter().filter(|a| a.secretariat).count() != 1 {
            return reference(
                "agencies.toml",
                "事務局 (secretariat = true) はちょうど1機関に指定してください".into(),
            );
        }
        Ok(())
    }

    pub fn department(&self, no: u32) -> Option<&DepartmentData> {
        self.departments.iter().find(|d| d.no == no)
    }

    pub fn meeting_kind(&self, code: &str) -> Option<&MeetingKind> {
        self.meeting_kinds.iter().find(|k| k.code == code)
    }

    pub fn hub_type_name(&self, hub_type: HubType) -> &str {
        self.hub_types
            .iter()
            .find(|h| h.code == hub_type)
            .map_or(hub_type.label(), |h| h.name.as_str())
    }

    /// The towns of one center's 担当地区, in the plan's order.
    pub fn towns_of<'a>(&'a self, agency_key: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.catchment_towns
            .iter()
            .filter(move |t| t.agency_key == agency_key)
            .map(|t| t.town.as_str())
    }
}

#[cfg(test)]
mod tests;

//! The catchment rules, built from the pack: the plan's table read entry by
//! entry, replaced town by town by the finer rules, over the towns Japan Post
//! knows.

use crate::text::{fold, fold_str};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use tsunagaru_pack::{AliasKind, Pack};

/// Which part of a town a rule covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// The whole town.
    Any,
    /// 丁目 `from..=to`.
    Chome(u32, u32),
    /// The part written with 丁目 (住居表示), not with 字.
    ChomeForm,
    /// The part written with 字.
    AzaForm,
    /// These 字.
    Aza(Vec<String>),
    /// Every 字 but these.
    AzaOther(Vec<String>),
}

/// Whether an address is in a rule's part of the town: yes, no, or the
/// address does not say.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fit {
    Yes,
    No,
    Unknown,
}

impl Selector {
    pub(crate) fn fit(&self, chome: Option<u32>, aza: Option<&str>, aza_marked: bool) -> Fit {
        let aza_form = aza.is_some() || aza_marked;
        let in_list = |names: &[String]| {
            aza.map(|a| {
                let a = fold_str(a);
                names.iter().any(|n| a.starts_with(&fold_str(n)))
            })
        };
        match self {
            Selector::Any => Fit::Yes,
            Selector::Chome(from, to) => match chome {
                Some(n) if (*from..=*to).contains(&n) => Fit::Yes,
                Some(_) => Fit::No,
                None if aza_form => Fit::No,
                None => Fit::Unknown,
            },
            Selector::ChomeForm => match (chome, aza_form) {
                (Some(_), _) => Fit::Yes,
                (None, true) => Fit::No,
                (None, false) => Fit::Unknown,
            },
            Selector::AzaForm => match (chome, aza_form) {
                (_, true) => Fit::Yes,
                (Some(_), false) => Fit::No,
                (None, false) => Fit::Unknown,
            },
            Selector::Aza(names) => match (chome, in_list(names)) {
                (_, Some(true)) => Fit::Yes,
                (_, Some(false)) | (Some(_), None) => Fit::No,
                (None, None) => Fit::Unknown,
            },
            Selector::AzaOther(names) => match (chome, in_list(names)) {
                (_, Some(false)) => Fit::Yes,
                (_, Some(true)) | (Some(_), None) => Fit::No,
                (None, None) => Fit::Unknown,
            },
        }
    }

    fn parse(selector: &str, value: Option<&str>) -> Result<Selector, String> {
        let names = || -> Vec<String> {
            value
                .unwrap_or_default()
                .split('・')
                .map(str::trim)
                .filter(|n| !n.is_empty())
                .map(str::to_owned)
                .collect()
        };
        Ok(match selector {
            "any" => Selector::Any,
            "chome_form" => Selector::ChomeForm,
            "aza_form" => Selector::AzaForm,
            "aza" => Selector::Aza(names()),
            "aza_other" => Selector::AzaOther(names()),
            "chome" => {
                let value = value.unwrap_or_default();
                let (from, to) = value.split_once('-').unwrap_or((value, value));
                let parse = |s: &str| {
                    s.trim()
                        .parse::<u32>()
                        .map_err(|_| format!("丁目の範囲「{value}」を読めません"))
                };
                Selector::Chome(parse(from)?, parse(to)?)
            }
            other => return Err(format!("selector「{other}」は定義されていません")),
        })
    }
}

/// A rule: this part of this town belongs to this center.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub selector: Selector,
    pub center: usize,
}

#[derive(Debug, Clone)]
pub(crate) struct Town {
    pub name: String,
    /// Written with 丁目 somewhere.
    pub has_chome: bool,
    /// Written with 字 somewhere.
    pub has_aza: bool,
    pub rules: Vec<Rule>,
}

/// One way to write a town, as matched against input.
#[derive(Debug, Clone)]
struct Spelling {
    /// Folded characters.
    key: Vec<char>,
    town: usize,
    /// Only after a former ward/village prefix.
    former_only: bool,
}

/// Something in the pack's address data worth a person's attention, with
/// what the router does about it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Discrepancy {
    pub kind: &'static str,
    pub subject: String,
    pub decision: String,
}

#[derive(Debug)]
pub(crate) struct Index {
    pub centers: Vec<String>,
    pub towns: Vec<Town>,
    spellings: HashMap<char, Vec<Spelling>>,
    pub postal: BTreeMap<String, Vec<usize>>,
    pub former_names: Vec<String>,
    pub city: String,
    pub prefecture: String,
    pub discrepancies: Vec<Discrepancy>,
}

impl Index {
    pub fn build(pack: &Pack) -> Result<Index, String> {
        let centers_by_key: BTreeMap<&str, usize> = pack
            .agencies
            .iter()
            .filter(|a| {
                !a.catchment_areas.is_empty()
                    || pack.catchment_towns.iter().any(|t| t.agency_key == a.key)
            })
            .enumerate()
            .map(|(i, a)| (a.key.as_str(), i))
            .collect();
        let mut centers = vec![String::new(); centers_by_key.len()];
        for a in &pack.agencies {
            if let Some(&i) = centers_by_key.get(a.key.as_str()) {
                centers[i] = a.name.clone();
            }
        }
        let mut discrepancies = Vec::new();

        // Towns: Japan Post's, by folded name.
        let mut towns: Vec<Town> = Vec::new();
        let mut town_by_key: HashMap<String, usize> = HashMap::new();
        let mut postal: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for entry in &pack.postal_codes {
            let codes = postal.entry(entry.postal_code.clone()).or_default();
            if entry.town.is_empty() {
                continue;
            }
            let key = fold_str(&entry.town);
            let id = *town_by_key.entry(key).or_insert_with(|| {
                towns.push(Town {
                    name: entry.town.clone(),
                    has_chome: false,
                    has_aza: false,
                    rules: Vec::new(),
                });
                towns.len() - 1
            });
            towns[id].has_chome |= entry.chome;
            towns[id].has_aza |= entry.aza_numbering;
            if !codes.contains(&id) {
                codes.push(id);
            }
        }
        let aliases: HashMap<String, (&str, AliasKind)> = pack
            .town_aliases
            .iter()
            .map(|a| (fold_str(&a.alias), (a.town.as_str(), a.kind)))
            .collect();
        let resolve = |name: &str, for_plan: bool| -> Option<usize> {
            let key = fold_str(name);
            if let Some(&id) = town_by_key.get(&key) {
                return Some(id);
            }
            match aliases.get(&key) {
                Some((town, kind)) if for_plan || *kind == AliasKind::Misprint => {
                    town_by_key.get(&fold_str(town)).copied()
                }
                _ => None,
            }
        };

        // The plan's table, entry by entry.
        struct Entry {
            town: usize,
            center: usize,
            form: EntryForm,
        }
        let mut entries = Vec::new();
        for row in &pack.catchment_towns {
            let Some(&center) = centers_by_key.get(row.agency_key.as_str()) else {
                continue;
            };
            let (name, form) = split_entry(&row.town);
            match resolve(name, true) {
                Some(town) => {
                    if towns[town].name != name {
                        let alias = pack
                            .town_aliases
                            .iter()
                            .find(|a| fold_str(&a.alias) == fold_str(name));
                        let kind = if alias.is_some() {
                            "表記の読み替え"
                        } else {
                            "異体字"
                        };
                        discrepancies.push(Discrepancy {
                            kind,
                            subject: format!("計画の「{}」（{}）", row.town, centers[center]),
                            decision: format!(
                                "日本郵便の「{}」として扱う{}",
                                towns[town].name,
                                alias
                                    .map(|a| format!("（{}）", a.source))
                                    .unwrap_or_default()
                            ),
                        });
                    }
                    if matches!(form, EntryForm::Aza) {
                        towns[town].has_aza = true;
                    }
                    if matches!(form, EntryForm::Chome(..)) {
                        towns[town].has_chome = true;
                    }
                    entries.push(Entry { town, center, form });
                }
                None => discrepancies.push(Discrepancy {
                    kind: "日本郵便にない町名",
                    subject: format!("計画の「{}」（{}）", row.town, centers[center]),
                    decision: "規則を作らない（町名を確認して自治体パックを直してください）".into(),
                }),
            }
        }
        // Finer rules replace the table for their towns.
        let mut fine_towns = BTreeSet::new();
        for rule in &pack.catchment_rules {
            let town = resolve(&rule.town, true).ok_or_else(|| {
                format!(
                    "catchment_rules.csv: 町名「{}」が日本郵便のデータにありません",
                    rule.town
                )
            })?;
            let center = *centers_by_key
                .get(rule.agency_key.as_str())
                .ok_or_else(|| {
                    format!(
                        "catchment_rules.csv: 機関「{}」は担当地区を持ちません",
                        rule.agency_key
                    )
                })?;
            let selector = Selector::parse(&rule.selector, rule.value.as_deref())
                .map_err(|e| format!("catchment_rules.csv: {e}"))?;
            if matches!(
                selector,
                Selector::Aza(_) | Selector::AzaOther(_) | Selector::AzaForm
            ) {
                towns[town].has_aza = true;
            }
            fine_towns.insert(town);
            towns[town].rules.push(Rule { selector, center });
        }
        for entry in &entries {
            if fine_towns.contains(&entry.town) {
                continue;
            }
            let town_has_aza_entry = entries
                .iter()
                .any(|e| e.town == entry.town && matches!(e.form, EntryForm::Aza));
            let selector = match entry.form {
                EntryForm::Aza => Selector::AzaForm,
                EntryForm::Chome(from, to) => Selector::Chome(from, to),
                EntryForm::Plain if town_has_aza_entry => Selector::ChomeForm,
                EntryForm::Plain => Selector::Any,
            };
            towns[entry.town].rules.push(Rule {
                selector,
                center: entry.center,
            });
        }
        for town in &towns {
            let mut listed: Vec<&str> = town
                .rules
                .iter()
                .map(|r| centers[r.center].as_str())
                .collect();
            listed.sort_unstable();
            listed.dedup();
            if town.rules.is_empty() {
                discrepancies.push(Discrepancy {
                    kind: "計画にない町名",
                    subject: format!("日本郵便の「{}」", town.name),
                    decision: "unregistered と答える（推測しない）".into(),
                });
            } else if listed.len() > 1
                && town
                    .rules
                    .iter()
                    .filter(|r| r.selector == Selector::Any || r.selector == Selector::ChomeForm)
                    .count()
                    > 1
            {
                discrepancies.push(Discrepancy {
                    kind: "複数のセンターに掲載",
                    subject: format!("「{}」（{}）", town.name, listed.join("・")),
                    decision: "住所から決まらないときは ambiguous として候補を示す".into(),
                });
            }
        }

        // Spellings: each town, its misprints and former forms, and 〜通り for 〜通.
        let mut spellings: HashMap<char, Vec<Spelling>> = HashMap::new();
        let mut add = |name: &str, town: usize, former_only: bool| {
            let key: Vec<char> = name.chars().map(fold).collect();
            if let Some(&first) = key.first() {
                spellings.entry(first).or_default().push(Spelling {
                    key,
                    town,
                    former_only,
                });
            }
        };
        for (id, town) in towns.iter().enumerate() {
            add(&town.name, id, false);
            if town.name.ends_with('通') {
                add(&format!("{}り", town.name), id, false);
            }
        }
        for alias in &pack.town_aliases {
            let Some(town) = town_by_key.get(&fold_str(&alias.town)).copied() else {
                return Err(format!(
                    "town_aliases.csv: 町名「{}」が日本郵便のデータにありません",
                    alias.town
                ));
            };
            match alias.kind {
                AliasKind::Misprint => add(&alias.alias, town, false),
                AliasKind::Former => add(&alias.alias, town, true),
                AliasKind::Plan => {}
            }
        }
        for list in spellings.values_mut() {
            // Longest first, so 玉山永井 wins over 玉山 and 湯沢東 over 湯沢;
            // a former form before the town of the same length.
            list.sort_by(|a, b| {
                b.key
                    .len()
                    .cmp(&a.key.len())
                    .then(b.former_only.cmp(&a.former_only))
            });
        }
        Ok(Index {
            centers,
            towns,
            spellings,
            postal,
            former_names: pack.address.former_names.clone(),
            city: pack.municipality.name.clone(),
            prefecture: pack.municipality.prefecture.clone(),
            discrepancies,
        })
    }

    /// The longest town spelling at the start of `text`: the town and how
    /// many characters it took.
    pub fn match_town(&self, text: &str, former: bool) -> Option<(usize, usize)> {
        let first = fold(text.chars().next()?);
        let candidates = self.spellings.get(&first)?;
        let mut head = [' '; 16];
        let mut len = 0;
        for c in text.chars().take(head.len()) {
            head[len] = fold(c);
            len += 1;
        }
        candidates
            .iter()
            .filter(|s| former || !s.former_only)
            .find(|s| s.key.len() <= len && head[..s.key.len()] == s.key[..])
            .map(|s| (s.town, s.key.len()))
    }
}

/// Reads a table entry: 上田字 → (上田, 字), 高松1～3 → (高松, 丁目 1–3).
fn split_entry(entry: &str) -> (&str, EntryForm) {
    if let Some(name) = entry.strip_suffix('字') {
        return (name, EntryForm::Aza);
    }
    // 高松1～3 (the plan's digits may be full-width)
    let digits_at = entry.find(|c: char| c.is_ascii_digit() || ('０'..='９').contains(&c));
    if let Some(at) = digits_at {
        let (name, range) = entry.split_at(at);
        let range: String = range
            .chars()
            .map(|c| {
                if c == '～' || c == '〜' || c == '~' {
                    '-'
                } else {
                    c
                }
            })
            .collect();
        let range = crate::text::normalize_text(&range);
        let (from, to) = range.split_once('-').unwrap_or((&range, &range));
        if let (Ok(from), Ok(to)) = (from.parse(), to.parse()) {
            return (name, EntryForm::Chome(from, to));
        }
    }
    (entry, EntryForm::Plain)
}

/// How the plan's table writes an entry.
#[derive(Debug, Clone, Copy)]
enum EntryForm {
    Plain,
    Aza,
    Chome(u32, u32),
}

//! The router: an address in, a center (or an honest "cannot say") out.

use crate::parse::{Parsed, parse};
use crate::rules::{Discrepancy, Fit, Index};
use serde::Serialize;
use tsunagaru_pack::{Pack, PostalEntry};

/// What the router could say about an address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AddressStatus))]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// One center.
    Routed,
    /// The town is served by more than one center and the address does not
    /// say which part it is in: see the candidates.
    Ambiguous,
    /// A town of this city that the rules do not cover.
    Unregistered,
    /// Another municipality.
    Outside,
    /// Not an address.
    Invalid,
}

/// The answer for one address (the same object on the CLI and the API).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = AddressRoute))]
pub struct Route {
    pub input: String,
    pub status: Status,
    /// routed のときの担当センター名
    pub center: Option<String>,
    /// 候補のセンター名（ambiguous のとき複数）
    pub candidates: Vec<String>,
    /// 正規化した町名
    pub town: Option<String>,
    /// 正規化した住所（建物名を除く）
    pub normalized: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouterError(pub String);

impl std::fmt::Display for RouterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RouterError {}

/// A town of a postal code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostalTown {
    pub town: String,
    pub town_kana: String,
    /// 町の一部だけの番号のとき、その区域（日本郵便の注記）
    pub note: Option<String>,
}

#[derive(Debug)]
pub struct Router {
    index: Index,
    postal_entries: Vec<PostalEntry>,
}

impl Router {
    pub fn from_pack(pack: &Pack) -> Result<Router, RouterError> {
        Ok(Router {
            index: Index::build(pack).map_err(RouterError)?,
            postal_entries: pack.postal_codes.clone(),
        })
    }

    pub fn route(&self, input: &str) -> Route {
        let parsed = parse(input, &self.index);
        let mut route = Route {
            input: input.to_owned(),
            status: Status::Invalid,
            center: None,
            candidates: Vec::new(),
            town: None,
            normalized: None,
        };
        if parsed.empty {
            return route;
        }
        let town = parsed.town.or_else(|| self.town_of_postal_code(&parsed));
        match town {
            Some(town) => {
                let parsed = Parsed {
                    town: Some(town),
                    ..parsed
                };
                route.town = Some(self.index.towns[town].name.clone());
                route.normalized = parsed.normalized(&self.index);
                let centers = self.centers_for(&parsed, town);
                route.status = match centers.len() {
                    0 => Status::Unregistered,
                    1 => Status::Routed,
                    _ => Status::Ambiguous,
                };
                if route.status == Status::Routed {
                    route.center = Some(self.index.centers[centers[0]].clone());
                }
                route.candidates = centers
                    .into_iter()
                    .map(|c| self.index.centers[c].clone())
                    .collect();
            }
            None if parsed.outside => route.status = Status::Outside,
            None if parsed.in_city => route.status = Status::Unregistered,
            // A postal code that is not this city's, and no town of ours.
            None if parsed
                .postal_code
                .as_ref()
                .is_some_and(|c| !self.index.postal.contains_key(c)) =>
            {
                route.status = Status::Outside
            }
            None => {}
        }
        route
    }

    /// A postal code alone names the town when it covers exactly one.
    fn town_of_postal_code(&self, parsed: &Parsed) -> Option<usize> {
        match self
            .index
            .postal
            .get(parsed.postal_code.as_ref()?)?
            .as_slice()
        {
            [town] => Some(*town),
            _ => None,
        }
    }

    /// The centers whose rules fit: those that certainly do, else those the
    /// address does not rule out.
    fn centers_for(&self, parsed: &Parsed, town: usize) -> Vec<usize> {
        let mut yes = Vec::new();
        let mut unknown = Vec::new();
        for rule in &self.index.towns[town].rules {
            match rule
                .selector
                .fit(parsed.chome, parsed.aza.as_deref(), parsed.aza_marked)
            {
                Fit::Yes => yes.push(rule.center),
                Fit::Unknown => unknown.push(rule.center),
                Fit::No => {}
            }
        }
        let mut centers = if yes.is_empty() { unknown } else { yes };
        centers.sort_unstable();
        centers.dedup();
        centers
    }

    /// The towns of a postal code (`0200114`, `020-0114`, full-width …).
    pub fn postal_towns(&self, code: &str) -> Vec<PostalTown> {
        let digits: String = crate::text::normalize_text(code)
            .chars()
            .filter(char::is_ascii_digit)
            .collect();
        self.postal_entries
            .iter()
            .filter(|e| e.postal_code == digits && !e.town.is_empty())
            .map(|e| PostalTown {
                town: e.town.clone(),
                town_kana: e.town_kana.clone(),
                note: e.note.clone(),
            })
            .collect()
    }

    /// What the pack's address data disagrees on, with the decisions taken.
    pub fn discrepancies(&self) -> &[Discrepancy] {
        &self.index.discrepancies
    }

    /// The centers with a catchment, in pack order.
    pub fn centers(&self) -> &[String] {
        &self.index.centers
    }

    /// Every town the router knows, with the centers its rules name.
    pub fn towns(&self) -> impl Iterator<Item = (&str, Vec<&str>)> {
        self.index.towns.iter().map(|t| {
            let mut centers: Vec<&str> = t
                .rules
                .iter()
                .map(|r| self.index.centers[r.center].as_str())
                .collect();
            centers.dedup();
            (t.name.as_str(), centers)
        })
    }
}

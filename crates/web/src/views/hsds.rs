//! The directory of community resources as Open Referral HSDS 3.0 JSON
//! (organizations, services, locations, service_at_locations, schedules) and
//! as CSV for Excel (UTF-8 with BOM, CRLF): the 拠点 and 社会資源, the
//! 参加支援 menus as services of their host organisations, and the
//! 出前相談会 as dated schedules of the network's consultation service.
//!
//! HSDS wants UUIDs; ours are derived from the record (`tsunagaru:<kind>:<key>`)
//! by SHA-256, shaped as RFC 9562 version 8, so an export names the same
//! thing the same way every time and a consumer can update rather than
//! duplicate.

use crate::AppState;
use crate::error::ApiError;
use crate::views::reach::{ResourceView, resource_view};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use tsunagaru_domain::reach::EventKind;
use tsunagaru_store::{EventRow, ParticipationMenu};
use utoipa::ToSchema;

/// What the directory exports besides the 拠点: the active 参加支援 menus,
/// the 出前相談会 (with the organisation that holds them) .
pub struct Extras<'a> {
    pub menus: &'a [ParticipationMenu],
    pub events: &'a [EventRow],
    /// The organisation that holds the 出前相談会 (the 事務局's).
    pub events_host: &'a str,
}

/// An 出前相談会 day in words: 令和8年11月15日（2026年）.
fn event_day(e: &EventRow) -> String {
    crate::views::intake::date_label(e.held_on)
}

/// A stable UUID (version 8, RFC 9562 variant) for `kind` + `key`.
pub fn stable_uuid(kind: &str, key: &str) -> String {
    let digest = Sha256::digest(format!("tsunagaru:{kind}:{key}").as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x80;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn resource_key(r: &ResourceView) -> String {
    r.key.clone().unwrap_or_else(|| format!("id-{}", r.id))
}

/// The directory in Open Referral HSDS 3.0: its five tables, each a list
/// of objects linked by their UUIDs (`HsdsExport` in the OpenAPI document,
/// derived from these types; a field HSDS leaves optional is absent rather
/// than empty).
#[derive(Debug, PartialEq, Serialize, ToSchema)]
pub struct HsdsExport {
    pub organizations: Vec<Organization>,
    pub services: Vec<Service>,
    pub locations: Vec<Location>,
    pub service_at_locations: Vec<ServiceAtLocation>,
    pub schedules: Vec<Schedule>,
}

/// HSDS `organization`: who runs a service.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = HsdsOrganization)]
pub struct Organization {
    #[schema(pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub id: String,
    pub name: String,
    pub description: String,
}

/// HSDS `service`.
#[derive(Debug, PartialEq, Serialize, ToSchema)]
#[schema(as = HsdsService)]
pub struct Service {
    #[schema(pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub id: String,
    #[schema(pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub organization_id: String,
    pub name: String,
    pub description: String,
    /// HSDS の状態（いつも active: 廃止した資源は出さない）
    #[schema(schema_with = active_status)]
    pub status: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eligibility_description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_process: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub phones: Vec<Phone>,
}

/// HSDS `phone` of a service.
#[derive(Debug, PartialEq, Serialize, ToSchema)]
#[schema(as = HsdsPhone)]
pub struct Phone {
    #[schema(pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub id: String,
    #[schema(pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub service_id: String,
    pub number: String,
}

/// HSDS `location`: where a service is given.
#[derive(Debug, PartialEq, Serialize, ToSchema)]
#[schema(as = HsdsLocation)]
pub struct Location {
    #[schema(pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub id: String,
    #[schema(schema_with = physical)]
    pub location_type: &'static str,
    pub name: String,
    /// 担当地域包括支援センター（住所から求めたとき）
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<Address>,
}

/// HSDS `address` of a location.
#[derive(Debug, PartialEq, Serialize, ToSchema)]
#[schema(as = HsdsAddress)]
pub struct Address {
    #[schema(pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub id: String,
    #[schema(pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub location_id: String,
    /// 市名より後の住所
    pub address_1: String,
    pub city: String,
    pub state_province: String,
    pub postal_code: String,
    /// ISO 3166-1（JP）
    pub country: &'static str,
    #[schema(schema_with = physical)]
    pub address_type: &'static str,
}

/// HSDS `service_at_location`.
#[derive(Debug, PartialEq, Serialize, ToSchema)]
#[schema(as = HsdsServiceAtLocation)]
pub struct ServiceAtLocation {
    #[schema(pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub id: String,
    #[schema(pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub service_id: String,
    #[schema(pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub location_id: String,
}

/// HSDS `schedule`: in words, or a dated day (出前相談会).
#[derive(Debug, Default, PartialEq, Serialize, ToSchema)]
#[schema(as = HsdsSchedule)]
pub struct Schedule {
    #[schema(pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub id: String,
    #[schema(pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub service_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(pattern = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")]
    pub location_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_from: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub valid_to: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub dtstart: Option<String>,
    /// UTC からの時差（時間）
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attending_type: Option<String>,
    pub description: String,
}

fn active_status() -> utoipa::openapi::Schema {
    tsunagaru_domain::openapi::one_of_strings(&["active"])
}

fn physical() -> utoipa::openapi::Schema {
    tsunagaru_domain::openapi::one_of_strings(&["physical"])
}

/// Builds the export from the active resources, menus and events.
pub fn build(
    resources: &[ResourceView],
    extras: &Extras<'_>,
    prefecture: &str,
    city: &str,
) -> HsdsExport {
    // One organization per operator; a resource without one is its own.
    let mut organizations: BTreeMap<String, Organization> = BTreeMap::new();
    let mut services = Vec::new();
    let mut locations = Vec::new();
    let mut at_locations = Vec::new();
    let mut schedules = Vec::new();
    for r in resources {
        let key = resource_key(r);
        let org_name = if r.operator.is_empty() {
            r.name.clone()
        } else {
            r.operator.clone()
        };
        let org_id = stable_uuid("organization", &org_name);
        organizations
            .entry(org_name.clone())
            .or_insert_with(|| Organization {
                id: org_id.clone(),
                name: org_name,
                description: format!("{city}の地域の社会資源を運営する団体"),
            });
        let service_id = stable_uuid("service", &key);
        services.push(Service {
            id: service_id.clone(),
            organization_id: org_id,
            name: r.name.clone(),
            description: if r.description.is_empty() {
                r.kind_label.clone()
            } else {
                format!("{}。{}", r.kind_label, r.description)
            },
            status: "active",
            eligibility_description: (!r.audience.is_empty()).then(|| r.audience.clone()),
            application_process: None,
            email: r.email.clone(),
            phones: r
                .phone
                .iter()
                .map(|phone| Phone {
                    id: stable_uuid("phone", &key),
                    service_id: service_id.clone(),
                    number: phone.clone(),
                })
                .collect(),
        });
        if let Some(address) = &r.address {
            let location_id = stable_uuid("location", &key);
            let address_1 = address
                .trim_start_matches(prefecture)
                .trim_start_matches(city)
                .to_owned();
            locations.push(Location {
                id: location_id.clone(),
                location_type: "physical",
                name: r.name.clone(),
                description: r
                    .catchment
                    .as_ref()
                    .map(|c| format!("担当地域包括支援センター: {c}")),
                addresses: vec![Address {
                    id: stable_uuid("address", &key),
                    location_id: location_id.clone(),
                    address_1,
                    city: city.to_owned(),
                    state_province: prefecture.to_owned(),
                    postal_code: String::new(),
                    country: "JP",
                    address_type: "physical",
                }],
            });
            at_locations.push(ServiceAtLocation {
                id: stable_uuid("service_at_location", &key),
                service_id: service_id.clone(),
                location_id,
            });
        }
        if !r.schedule.is_empty() {
            schedules.push(Schedule {
                id: stable_uuid("schedule", &key),
                service_id,
                description: r.schedule.clone(),
                ..Schedule::default()
            });
        }
    }
    let mut organization = |name: &str, description: String| -> String {
        let id = stable_uuid("organization", name);
        organizations
            .entry(name.to_owned())
            .or_insert_with(|| Organization {
                id: id.clone(),
                name: name.to_owned(),
                description,
            });
        id
    };
    // 参加支援: each active menu is a service of its host.
    for m in extras.menus.iter().filter(|m| m.active) {
        let key = m.key.clone().unwrap_or_else(|| format!("id-{}", m.id));
        let host = if m.host.trim().is_empty() {
            m.name.as_str()
        } else {
            m.host.as_str()
        };
        let org_id = organization(
            host,
            format!("{city}の参加支援（社会参加の場）を受け入れる団体"),
        );
        let service_id = stable_uuid("menu", &key);
        services.push(Service {
            id: service_id.clone(),
            organization_id: org_id,
            name: m.name.clone(),
            description: if m.description.is_empty() {
                "参加支援メニュー".to_owned()
            } else {
                format!("参加支援メニュー。{}", m.description)
            },
            status: "active",
            eligibility_description: (!m.suits.is_empty()).then(|| m.suits.clone()),
            application_process: Some(match m.capacity {
                Some(capacity) => {
                    format!("支援機関・事務局を通じて申し込む（定員 {capacity} 名）")
                }
                None => "支援機関・事務局を通じて申し込む".to_owned(),
            }),
            email: None,
            phones: Vec::new(),
        });
        if !m.place.trim().is_empty() {
            let location_id = stable_uuid("menu_location", &key);
            locations.push(Location {
                id: location_id.clone(),
                location_type: "physical",
                name: m.place.clone(),
                description: None,
                addresses: Vec::new(),
            });
            at_locations.push(ServiceAtLocation {
                id: stable_uuid("menu_at_location", &key),
                service_id: service_id.clone(),
                location_id,
            });
        }
        if !m.schedule.trim().is_empty() {
            schedules.push(Schedule {
                id: stable_uuid("menu_schedule", &key),
                service_id,
                description: m.schedule.clone(),
                ..Schedule::default()
            });
        }
    }
    // 出前相談会: one service of the network, a dated schedule per event.
    let pop_ups: Vec<&EventRow> = extras
        .events
        .iter()
        .filter(|e| e.kind == EventKind::PopUpConsultation)
        .collect();
    if !pop_ups.is_empty() {
        let org_id = organization(
            extras.events_host,
            format!("{city}の重層的支援体制整備事業の事務局"),
        );
        let service_id = stable_uuid("service", "pop_up_consultation");
        services.push(Service {
            id: service_id.clone(),
            organization_id: org_id,
            name: "出前相談会（困りごとまるごと無料相談会）".to_owned(),
            description:
                "地域に出向いて、どんな困りごとでもまるごと受け付ける相談会。予約不要・無料"
                    .to_owned(),
            status: "active",
            eligibility_description: None,
            application_process: None,
            email: None,
            phones: Vec::new(),
        });
        for e in pop_ups {
            let key = format!("event-{}", e.id);
            let day = e.held_on.to_string();
            let place = (!e.place.trim().is_empty()).then(|| {
                let location_id = stable_uuid("event_location", &key);
                locations.push(Location {
                    id: location_id.clone(),
                    location_type: "physical",
                    name: e.place.clone(),
                    description: None,
                    addresses: Vec::new(),
                });
                location_id
            });
            schedules.push(Schedule {
                id: stable_uuid("schedule", &key),
                service_id: service_id.clone(),
                attending_type: place.as_ref().map(|_| format!("会場: {}", e.place)),
                location_id: place,
                valid_from: Some(day.clone()),
                valid_to: Some(day.clone()),
                dtstart: Some(day),
                timezone: Some(9),
                description: format!(
                    "{} {}",
                    event_day(e),
                    if e.title.is_empty() {
                        "出前相談会"
                    } else {
                        e.title.as_str()
                    }
                ),
            });
        }
    }
    HsdsExport {
        organizations: organizations.into_values().collect(),
        services,
        locations,
        service_at_locations: at_locations,
        schedules,
    }
}

/// The menus and events the directory carries, and who holds the events.
async fn extras_of(
    state: &AppState,
) -> Result<(Vec<ParticipationMenu>, Vec<EventRow>, String), ApiError> {
    let menus = state.app.menus().await?;
    let events = state.app.events().await?;
    let host = state
        .app
        .agencies()
        .await?
        .into_iter()
        .find(|a| a.secretariat && a.active)
        .map(|a| a.name)
        .unwrap_or_else(|| state.pack().municipality.name.clone());
    Ok((menus, events, host))
}

async fn active_views(state: &AppState) -> Result<Vec<ResourceView>, ApiError> {
    Ok(state
        .app
        .resources()
        .await?
        .iter()
        .filter(|r| r.active)
        .map(|r| resource_view(state, r))
        .collect())
}

pub async fn export(state: &AppState) -> Result<HsdsExport, ApiError> {
    let views = active_views(state).await?;
    let (menus, events, host) = extras_of(state).await?;
    Ok(build(
        &views,
        &Extras {
            menus: &menus,
            events: &events,
            events_host: &host,
        },
        &state.pack().municipality.prefecture,
        &state.pack().municipality.name,
    ))
}

/// The directory as CSV that opens in Excel: UTF-8 with BOM, CRLF; the
/// 拠点, then the active 参加支援 menus, then the 出前相談会.
pub fn csv_of(resources: &[ResourceView], extras: &Extras<'_>) -> String {
    let header = [
        "名前",
        "種類",
        "内容",
        "住所",
        "担当地域包括支援センター",
        "日時",
        "運営",
        "対象",
        "電話",
        "メール",
        "出典",
    ];
    let mut rows: Vec<[String; 11]> = resources
        .iter()
        .map(|r| {
            [
                r.name.clone(),
                r.kind_label.clone(),
                r.description.clone(),
                r.address.clone().unwrap_or_default(),
                r.catchment.clone().unwrap_or_default(),
                r.schedule.clone(),
                r.operator.clone(),
                r.audience.clone(),
                r.phone.clone().unwrap_or_default(),
                r.email.clone().unwrap_or_default(),
                r.source.clone(),
            ]
        })
        .collect();
    for m in extras.menus.iter().filter(|m| m.active) {
        rows.push([
            m.name.clone(),
            "参加支援メニュー".into(),
            m.description.clone(),
            m.place.clone(),
            String::new(),
            m.schedule.clone(),
            m.host.clone(),
            m.suits.clone(),
            String::new(),
            String::new(),
            m.source.clone(),
        ]);
    }
    for e in extras
        .events
        .iter()
        .filter(|e| e.kind == EventKind::PopUpConsultation)
    {
        rows.push([
            if e.title.is_empty() {
                "出前相談会".into()
            } else {
                e.title.clone()
            },
            "出前相談会".into(),
            String::new(),
            e.place.clone(),
            String::new(),
            event_day(e),
            extras.events_host.to_owned(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
    }
    tsunagaru_app::export::csv_document(&header, rows.iter().map(|r| r.iter().map(String::as_str)))
}

pub async fn csv(state: &AppState) -> Result<String, ApiError> {
    let (menus, events, host) = extras_of(state).await?;
    Ok(csv_of(
        &active_views(state).await?,
        &Extras {
            menus: &menus,
            events: &events,
            events_host: &host,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_stable_and_well_formed() {
        let a = stable_uuid("service", "kosodate-hub-01-koma");
        assert_eq!(a, stable_uuid("service", "kosodate-hub-01-koma"));
        assert_ne!(a, stable_uuid("location", "kosodate-hub-01-koma"));
        let parts: Vec<&str> = a.split('-').collect();
        assert_eq!(
            parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
            vec![8, 4, 4, 4, 12]
        );
        assert!(parts[2].starts_with('8'));
        assert!(matches!(&parts[3][..1], "8" | "9" | "a" | "b"));
    }
}

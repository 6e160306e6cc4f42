//! The directory of community resources as Open Referral HSDS 3.0 JSON
//! (organizations, services, locations, service_at_locations, schedules) and
//! as CSV for Excel (UTF-8 with BOM, CRLF).
//!
//! HSDS wants UUIDs; ours are derived from the record (`tsunagaru:<kind>:<key>`)
//! by SHA-256, shaped as RFC 9562 version 8, so an export names the same
//! thing the same way every time and a consumer can update rather than
//! duplicate.

use crate::AppState;
use crate::error::ApiError;
use crate::views::reach::{ResourceView, resource_view};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

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

/// Builds the export from the active resources.
pub fn build(resources: &[ResourceView], prefecture: &str, city: &str) -> Value {
    // One organization per operator; a resource without one is its own.
    let mut organizations: BTreeMap<String, Value> = BTreeMap::new();
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
        organizations.entry(org_name.clone()).or_insert_with(|| {
            json!({
                "id": org_id,
                "name": org_name,
                "description": format!("{city}の地域の社会資源を運営する団体"),
            })
        });
        let service_id = stable_uuid("service", &key);
        let mut service = json!({
            "id": service_id,
            "organization_id": org_id,
            "name": r.name,
            "description": if r.description.is_empty() { r.kind_label.clone() } else { format!("{}。{}", r.kind_label, r.description) },
            "status": "active",
        });
        if !r.audience.is_empty() {
            service["eligibility_description"] = json!(r.audience);
        }
        if let Some(email) = &r.email {
            service["email"] = json!(email);
        }
        if let Some(phone) = &r.phone {
            service["phones"] = json!([{
                "id": stable_uuid("phone", &key),
                "service_id": service_id,
                "number": phone,
            }]);
        }
        services.push(service);
        if let Some(address) = &r.address {
            let location_id = stable_uuid("location", &key);
            let address_1 = address
                .trim_start_matches(prefecture)
                .trim_start_matches(city)
                .to_owned();
            let mut location = json!({
                "id": location_id,
                "location_type": "physical",
                "name": r.name,
                "addresses": [{
                    "id": stable_uuid("address", &key),
                    "location_id": location_id,
                    "address_1": address_1,
                    "city": city,
                    "state_province": prefecture,
                    "postal_code": "",
                    "country": "JP",
                    "address_type": "physical",
                }],
            });
            if let Some(c) = &r.catchment {
                location["description"] = json!(format!("担当地域包括支援センター: {c}"));
            }
            locations.push(location);
            at_locations.push(json!({
                "id": stable_uuid("service_at_location", &key),
                "service_id": service_id,
                "location_id": location_id,
            }));
        }
        if !r.schedule.is_empty() {
            schedules.push(json!({
                "id": stable_uuid("schedule", &key),
                "service_id": service_id,
                "description": r.schedule,
            }));
        }
    }
    json!({
        "organizations": organizations.into_values().collect::<Vec<_>>(),
        "services": services,
        "locations": locations,
        "service_at_locations": at_locations,
        "schedules": schedules,
    })
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

pub async fn export(state: &AppState) -> Result<Value, ApiError> {
    let views = active_views(state).await?;
    Ok(build(
        &views,
        &state.pack.municipality.prefecture,
        &state.pack.municipality.name,
    ))
}

/// The directory as CSV that opens in Excel: UTF-8 with BOM, CRLF.
pub fn csv_of(resources: &[ResourceView]) -> String {
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
    tsunagaru_app::export::csv_document(
        &header,
        resources.iter().map(|r| {
            [
                r.name.as_str(),
                r.kind_label.as_str(),
                r.description.as_str(),
                r.address.as_deref().unwrap_or(""),
                r.catchment.as_deref().unwrap_or(""),
                r.schedule.as_str(),
                r.operator.as_str(),
                r.audience.as_str(),
                r.phone.as_deref().unwrap_or(""),
                r.email.as_deref().unwrap_or(""),
                r.source.as_str(),
            ]
        }),
    )
}

pub async fn csv(state: &AppState) -> Result<String, ApiError> {
    Ok(csv_of(&active_views(state).await?))
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

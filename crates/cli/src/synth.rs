//! `tsunagaru synth`: a realistic, fictional data set for benchmarks and for
//! trying the system at size.
//!
//! Persons get names from a shipped list of common family and given names
//! with their readings (`data/synth_names.txt`, combined at random), birth
//! dates over eighty years, addresses over the pack's towns (postal code,
//! 丁目 or 番地 as the town has them) and phones; each has a consultation at
//! one of the agencies that take them, by one of its workers, on a day
//! spread over the last three 年度, with concerns, a household, progress
//! notes and, for some, a handoff to another agency. Every sheet is built
//! as typed input and parsed as a worker's would be, and written through
//! the application ([`App::import_intakes`]) in large transactions, with a
//! progress line per batch. The same seed gives the same data set.

use anyhow::{Context, Result, bail};
use chrono::{Days, NaiveDate};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::io::Write;
use std::time::Instant;
use tsunagaru_app::person_records::NOTE_METHODS;
use tsunagaru_app::{Actor, App};
use tsunagaru_domain::Role;
use tsunagaru_domain::handoff::Purpose;
use tsunagaru_domain::intake::{Concern, IntakeInput, Urgency};
use tsunagaru_pack::Pack;
use tsunagaru_store::{HandoffNotes, ImportedIntake, ImportedNote, IntakeContext, NewHandoff};

const NAMES: &str = include_str!("../data/synth_names.txt");

/// What to generate.
pub struct Options {
    pub persons: u64,
    pub notes_per_person: u32,
    pub seed: u64,
    /// Intakes per transaction.
    pub batch: usize,
}

/// A name and its reading.
type Named = (&'static str, &'static str);

struct Names {
    family: Vec<Named>,
    male: Vec<Named>,
    female: Vec<Named>,
}

impl Names {
    fn shipped() -> Names {
        let mut names = Names {
            family: Vec::new(),
            male: Vec::new(),
            female: Vec::new(),
        };
        for line in NAMES
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
        {
            let mut parts = line.split('\t');
            let (Some(kind), Some(name), Some(kana)) = (parts.next(), parts.next(), parts.next())
            else {
                continue;
            };
            match kind {
                "family" => names.family.push((name, kana)),
                "male" => names.male.push((name, kana)),
                "female" => names.female.push((name, kana)),
                _ => {}
            }
        }
        names
    }
}

/// SplitMix64: small, fast and the same everywhere for one seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// True with probability `percent` / 100.
    fn percent(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// A town of the pack, as an address is written in it.
struct Town {
    postal_code: String,
    town: String,
    chome: bool,
}

/// An agency that takes consultations, and its workers.
struct Desk {
    agency_id: i64,
    user_ids: Vec<i64>,
}

/// What was written.
pub struct Written {
    pub persons: u64,
    pub notes: u64,
    pub handoffs: u64,
}

/// Generates and writes `options.persons` persons through `app`.
pub async fn run(app: &App, pack: &Pack, options: &Options) -> Result<Written> {
    let names = Names::shipped();
    let towns: Vec<Town> = pack
        .postal_codes
        .iter()
        .filter(|p| !p.town.is_empty())
        .map(|p| Town {
            postal_code: p.postal_code.clone(),
            town: p.town.clone(),
            chome: p.chome,
        })
        .collect();
    if towns.is_empty() {
        bail!("自治体パックに町名（郵便番号の一覧）がないため、住所を作れません");
    }
    let desks = desks(app).await?;
    if desks.is_empty() {
        bail!(
            "相談を受け付ける機関に職員がいません（`tsunagaru serve --demo` か synth が見本ユーザーを作ります）"
        );
    }
    let agency_ids: Vec<i64> = desks.iter().map(|d| d.agency_id).collect();
    let today = app.today();
    // Three 年度 back from today.
    let first_day = today - Days::new(3 * 365);
    let span = (today - first_day).num_days().max(1) as usize;
    let actor = Actor::command_line(Role::Admin);
    let mut rng = Rng(options.seed);
    let mut written = Written {
        persons: 0,
        notes: 0,
        handoffs: 0,
    };
    let started = Instant::now();
    while written.persons < options.persons {
        let size = (options.persons - written.persons).min(options.batch as u64) as usize;
        let mut batch = Vec::with_capacity(size);
        for _ in 0..size {
            let n = written.persons + batch.len() as u64;
            let received_on = first_day + Days::new(rng.below(span) as u64);
            let desk = rng.pick(&desks);
            let user_id = *rng.pick(&desk.user_ids);
            let town = rng.pick(&towns);
            // 本人's 同意 to share, as most sheets have it; only those are handed off.
            let consents = rng.percent(85);
            let input = sheet(&mut rng, &names, town, n, received_on, consents, pack);
            let sheet = serde_json::from_value::<IntakeInput>(input)
                .context("見本の受付シート")?
                .parse(today)
                .map_err(|errors| anyhow::anyhow!("見本の受付シートが通りません: {errors:?}"))?;
            let notes = (0..options.notes_per_person)
                .map(|k| {
                    let after = (today - received_on).num_days().max(0) as usize;
                    ImportedNote {
                        noted_on: received_on + Days::new(rng.below(after + 1) as u64),
                        method: rng.pick(&NOTE_METHODS[..4]).to_string(),
                        content: format!("{}（見本の経過記録 {}）", rng.pick(&NOTE_TEXTS), k + 1),
                    }
                })
                .collect::<Vec<_>>();
            let handoffs = if consents && rng.percent(10) && agency_ids.len() > 1 {
                let to = *rng.pick(&agency_ids);
                let to = if to == desk.agency_id {
                    *agency_ids
                        .iter()
                        .find(|a| **a != desk.agency_id)
                        .unwrap_or(&to)
                } else {
                    to
                };
                vec![handoff(desk.agency_id, to, user_id, received_on)]
            } else {
                Vec::new()
            };
            written.notes += notes.len() as u64;
            written.handoffs += handoffs.len() as u64;
            batch.push(ImportedIntake {
                sheet,
                ctx: IntakeContext {
                    agency_id: desk.agency_id,
                    user_id,
                    town: Some(town.town.clone()),
                    existing_person_id: None,
                    outreach_target_id: None,
                    event_id: None,
                },
                notes,
                handoffs,
            });
        }
        app.import_intakes(&actor, &batch)
            .await
            .map_err(|e| anyhow::anyhow!("書き込めませんでした: {e}"))?;
        written.persons += batch.len() as u64;
        let seconds = started.elapsed().as_secs_f64().max(1e-9);
        eprint!(
            "\r{} / {} 人（{:.0}%）、{:.0} 人/秒   ",
            written.persons,
            options.persons,
            100.0 * written.persons as f64 / options.persons as f64,
            written.persons as f64 / seconds
        );
        let _ = std::io::stderr().flush();
    }
    eprintln!();
    eprint!("検索の索引を整えています…");
    app.settle_after_import(&actor)
        .await
        .map_err(|e| anyhow::anyhow!("索引を整えられませんでした: {e}"))?;
    eprintln!("完了");
    Ok(written)
}

/// The agencies that take consultations, each with its active staff.
async fn desks(app: &App) -> Result<Vec<Desk>> {
    let users = app
        .staff()
        .await
        .map_err(|e| anyhow::anyhow!("ユーザーを読めません: {e}"))?;
    let mut by_agency: HashMap<i64, Vec<i64>> = HashMap::new();
    for user in users
        .iter()
        .filter(|u| u.active && matches!(u.role, Role::Staff | Role::Csw))
    {
        for agency in &user.agency_ids {
            by_agency.entry(*agency).or_default().push(user.id);
        }
    }
    let agencies = app
        .agencies()
        .await
        .map_err(|e| anyhow::anyhow!("機関を読めません: {e}"))?;
    Ok(agencies
        .iter()
        .filter(|a| a.active && a.consultation)
        .filter_map(|a| {
            by_agency.remove(&a.id).map(|user_ids| Desk {
                agency_id: a.id,
                user_ids,
            })
        })
        .collect())
}

const CHIEF_COMPLAINTS: [&str; 8] = [
    "親の介護と自分の仕事の両立が難しい",
    "収入が減り、家賃の支払いが心配",
    "子どもが学校に行けていない",
    "一人暮らしで体調に不安がある",
    "家族が長く家から出ていない",
    "借金の返済で生活が苦しい",
    "近所付き合いがなく、困ったときに頼れる人がいない",
    "障害のある家族の将来が心配",
];

const NOTE_TEXTS: [&str; 6] = [
    "本人と電話で近況を確認した",
    "自宅を訪問し、生活の様子を聞き取った",
    "関係機関と今後の支援について協議した",
    "家族から相談があり、状況を聞き取った",
    "申請の手続きに同行した",
    "本人から連絡があり、次回の面談日を決めた",
];

/// One intake sheet as a worker would type it.
fn sheet(
    rng: &mut Rng,
    names: &Names,
    town: &Town,
    n: u64,
    received_on: NaiveDate,
    consents: bool,
    pack: &Pack,
) -> Value {
    let female = rng.percent(55);
    let family = *rng.pick(&names.family);
    let given = *rng.pick(if female { &names.female } else { &names.male });
    // Ages 18 to 97 on the day, more of them older.
    let age = 18 + (rng.below(80).max(rng.below(80))) as u64;
    let birth_date = received_on - Days::new(age * 365 + rng.below(365) as u64);
    let line = if town.chome {
        format!(
            "{}{}{}丁目{}-{}",
            pack.municipality.name,
            town.town,
            1 + rng.below(5),
            1 + rng.below(30),
            1 + rng.below(20)
        )
    } else {
        format!(
            "{}{}{}番地{}",
            pack.municipality.name,
            town.town,
            1 + rng.below(300),
            1 + rng.below(20)
        )
    };
    // A number of its own for most persons: the running number keeps them apart.
    let phones = if rng.percent(80) {
        if rng.percent(60) {
            vec![
                json!({"kind": "mobile", "number": format!("090-{:04}-{:04}", (n / 10_000) % 10_000, n % 10_000)}),
            ]
        } else {
            vec![
                json!({"kind": "home", "number": format!("019-6{:02}-{:04}", (n / 10_000) % 100, n % 10_000)}),
            ]
        }
    } else {
        Vec::new()
    };
    // その他 asks for its own words; the named categories do not.
    let named: Vec<&str> = Concern::ALL
        .iter()
        .filter(|c| **c != Concern::Other)
        .map(|c| c.code())
        .collect();
    let mut concerns = vec![json!({"category": rng.pick(&named), "main": true})];
    for _ in 0..rng.below(3) {
        let more = *rng.pick(&named);
        if concerns.iter().all(|c| c["category"] != more) {
            concerns.push(json!({"category": more}));
        }
    }
    let name = format!("{} {}", family.0, given.0);
    let mut household = vec![json!({"name": name, "relationship": "本人",
        "sex": if female { "female" } else { "male" }, "age": age,
        "consent": if consents { "yes" } else { "unknown" }})];
    for _ in 0..rng.below(3) {
        let (relationship, sex) = *rng.pick(&[
            ("母", "female"),
            ("父", "male"),
            ("妻", "female"),
            ("夫", "male"),
            ("長男", "male"),
            ("長女", "female"),
        ]);
        household.push(json!({
            "name": format!("{} {}", family.0, rng.pick(if sex == "female" { &names.female } else { &names.male }).0),
            "relationship": relationship, "sex": sex,
            "living": rng.pick(&["together", "separate_in_city", "separate_outside"]),
            "support": rng.pick(&["needed", "not_needed", "unknown"]),
            "consent": rng.pick(&["yes", "no", "unknown"]),
        }));
    }
    json!({
        "method": rng.pick(&["phone", "in_person", "home_visit"]),
        "received_on": received_on.to_string(),
        "person": {
            "name": name,
            "kana": format!("{} {}", family.1, given.1),
            "sex": if female { "female" } else { "male" },
            "birth_date": birth_date.to_string(),
            "address": {"postal_code": town.postal_code, "line": line},
            "phones": phones,
        },
        "concerns": concerns,
        "chief_complaint": rng.pick(&CHIEF_COMPLAINTS),
        "situation": "見本データ（tsunagaru synth が作成した架空の相談）",
        "household": household,
        "urgency": rng.pick(Urgency::ALL).code(),
    })
}

/// A handoff sent on the day of the consultation.
fn handoff(from: i64, to: i64, sent_by: i64, sent_on: NaiveDate) -> NewHandoff {
    NewHandoff {
        // The import sets both to the intake's own.
        consultation_id: 0,
        person_id: 0,
        from_agency_id: from,
        to_agency_id: to,
        purpose: Purpose::Refer,
        continue_at_origin: true,
        urgency: Urgency::WithinMonth,
        told_contact_name: None,
        told_contact_phone: None,
        notes: HandoffNotes {
            done: "受付時に状況を聞き取った".into(),
            requests: "専門的な相談への対応をお願いします".into(),
            ..HandoffNotes::default()
        },
        consent_override_reason: None,
        self_consent_reason: None,
        sender_phone: None,
        sent_on,
        sent_by,
    }
}

//! The steps of the intake benchmarks, the same on every backend
//! (`store-sqlite/benches/intake.rs`, `store-postgres/benches/intake.rs`):
//! one intake as the application does it, one writer's rate, and many
//! writers at once. Included by `#[path]`; synthetic rows only.

use std::sync::Arc;
use std::time::{Duration, Instant};
use tsunagaru_domain::audit::{AuditAction, NewAuditEvent};
use tsunagaru_domain::intake::{IntakeInput, IntakeSheet};
use tsunagaru_domain::kana::{search_key, similar};
use tsunagaru_domain::user::{Role, Username};
use tsunagaru_store::{IntakeContext, NewUser, PersonQuery, Repository};

/// A new database made ready: the 盛岡市 pack and the one worker (id 1, at
/// agency 1) every intake is written by.
pub async fn prepare<R: Repository>(store: &R) {
    store
        .load_pack(
            &tsunagaru_pack::Pack::morioka(),
            NewAuditEvent::new(AuditAction::PackLoaded, "system"),
        )
        .await
        .expect("the pack loads");
    store
        .create_user(
            NewUser {
                username: Username::parse("bench").unwrap(),
                display_name: "計測".into(),
                role: Role::Staff,
                password_hash: "x".into(),
                agency_ids: vec![1],
            },
            NewAuditEvent::new(AuditAction::UserCreated, "system"),
        )
        .await
        .expect("a user");
}

/// Intakes per measurement (`TSUNAGARU_BENCH_INTAKES`, default 400).
pub fn intakes() -> usize {
    std::env::var("TSUNAGARU_BENCH_INTAKES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(400)
}

/// Intakes written by the many writers at once, and by raw SQL for the
/// baseline (`TSUNAGARU_BENCH_CONCURRENT`, default 3,200): enough that the
/// p99 is not a handful of samples.
pub fn concurrent_intakes() -> usize {
    std::env::var("TSUNAGARU_BENCH_CONCURRENT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3_200)
}

/// Persons on record in the full database (`TSUNAGARU_BENCH_PERSONS`).
pub fn persons(default: i64) -> i64 {
    std::env::var("TSUNAGARU_BENCH_PERSONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// p50, p99, the rate and the mean of many writers' intakes.
pub fn summary(latencies: &Latencies) -> (Duration, Duration, f64, Duration) {
    let mut sorted = latencies.each.clone();
    sorted.sort_unstable();
    let p = |q: f64| sorted[((sorted.len() as f64 - 1.0) * q).round() as usize];
    let total: Duration = latencies.iter().sum();
    (
        p(0.50),
        p(0.99),
        sorted.len() as f64 / latencies.wall.as_secs_f64(),
        total / sorted.len() as u32,
    )
}

#[derive(Default)]
pub struct Latencies {
    pub each: Vec<Duration>,
    /// Each intake's duplicate checks and its write (with the wait for the
    /// turn and for the commit), in the same order.
    pub parts: Vec<(Duration, Duration)>,
    pub wall: Duration,
}

impl Latencies {
    pub fn iter(&self) -> impl Iterator<Item = &Duration> {
        self.each.iter()
    }

    /// "checks p50 … p99 …; write p50 … p99 …": where the time goes.
    pub fn parts(&self) -> String {
        let quantiles = |mut times: Vec<Duration>| {
            times.sort_unstable();
            let p = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
            format!("p50 {:.1?} p99 {:.1?}", p(0.50), p(0.99))
        };
        format!(
            "checks {}; write {}",
            quantiles(self.parts.iter().map(|p| p.0).collect()),
            quantiles(self.parts.iter().map(|p| p.1).collect())
        )
    }
}

pub fn sheet(i: usize) -> IntakeSheet {
    let input: IntakeInput = serde_json::from_value(serde_json::json!({
        "method": "phone", "received_on": "2026-11-20",
        "person": {"name": format!("計測 太郎{i}"), "kana": "けいそく たろう", "sex": "male",
                   "birth_date": (chrono::NaiveDate::from_ymd_opt(1940, 1, 1).unwrap()
                                  + chrono::Days::new((i % 25_000) as u64)).to_string(),
                   "phones": [{"kind": "home", "number": format!("0198{:06}", i % 1_000_000)}]},
        "concerns": [{"category": "care", "main": true}],
        "chief_complaint": "計測用の主訴"
    }))
    .unwrap();
    input
        .parse(chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap())
        .expect("the sheet is valid")
}

/// One intake as the application does it: both duplicate checks, then the
/// write. Returns how long each part took.
pub async fn intake<R: Repository>(store: &R, i: usize) -> (Duration, Duration) {
    let sheet = sheet(i);
    let started = Instant::now();
    let agencies = [1_i64];
    // As `App::possible_duplicates`: the names of everyone born that day,
    // then the near ones read in scope.
    let name_key = search_key(&sheet.person.name);
    let born = store
        .born_on(sheet.person.birth_date.unwrap().date(), 5_000)
        .await
        .unwrap();
    let near: Vec<i64> = born
        .into_iter()
        .filter(|c| similar(&c.name_key, &name_key))
        .map(|c| c.id)
        .collect();
    if !near.is_empty() {
        let by_name = PersonQuery {
            ids: Some(near),
            ..PersonQuery::default()
        };
        store
            .search_persons(&agencies, &by_name, 200)
            .await
            .unwrap();
    }
    for phone in &sheet.person.phones {
        let by_phone = PersonQuery {
            same_phone: Some(phone.key()),
            ..PersonQuery::default()
        };
        store
            .search_persons(&agencies, &by_phone, 20)
            .await
            .unwrap();
    }
    let checked = Instant::now();
    let ctx = IntakeContext {
        agency_id: 1,
        user_id: 1,
        town: None,
        existing_person_id: None,
        outreach_target_id: None,
        event_id: None,
    };
    store
        .create_intake(
            &sheet,
            &ctx,
            NewAuditEvent::new(AuditAction::ConsultationCreated, "bench").by_user(1),
        )
        .await
        .unwrap();
    (checked - started, checked.elapsed())
}

/// One writer's intakes: how many, in how long, and the time of the checks
/// and of the write, summed over the rounds they were taken in.
#[derive(Default)]
pub struct Rate {
    pub count: usize,
    pub elapsed: Duration,
    pub checks: Duration,
    pub write: Duration,
}

impl Rate {
    pub fn per_second(&self) -> f64 {
        self.count as f64 / self.elapsed.as_secs_f64()
    }

    fn mean(&self, total: Duration) -> Duration {
        total / self.count.max(1) as u32
    }

    fn add(&mut self, other: Rate) {
        self.count += other.count;
        self.elapsed += other.elapsed;
        self.checks += other.checks;
        self.write += other.write;
    }
}

pub async fn rate<R: Repository>(store: &R, n: usize, offset: usize) -> Rate {
    let started = Instant::now();
    let (mut checks, mut write) = (Duration::ZERO, Duration::ZERO);
    for i in 0..n {
        let (c, w) = intake(store, offset + i).await;
        checks += c;
        write += w;
    }
    Rate {
        count: n,
        elapsed: started.elapsed(),
        checks,
        write,
    }
}

/// `writers` tasks writing `each` intakes at once (sheets numbered from
/// `offset`).
pub async fn concurrent<R: Repository + 'static>(
    store: &Arc<R>,
    writers: usize,
    each: usize,
    offset: usize,
) -> Latencies {
    let started = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..writers {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            let mut times = Vec::with_capacity(each);
            for k in 0..each {
                let t = Instant::now();
                let parts = intake(store.as_ref(), offset + w * each + k).await;
                times.push((t.elapsed(), parts));
            }
            times
        }));
    }
    let (mut each_time, mut parts) = (Vec::new(), Vec::new());
    for t in tasks {
        for (time, part) in t.await.unwrap() {
            each_time.push(time);
            parts.push(part);
        }
    }
    Latencies {
        each: each_time,
        parts,
        wall: started.elapsed(),
    }
}

impl Latencies {
    fn add(&mut self, other: Latencies) {
        self.each.extend(other.each);
        self.parts.extend(other.parts);
        self.wall += other.wall;
    }
}

/// Writers at once in the many-writer measurements.
pub const WRITERS: usize = 16;

/// The rounds each comparison is measured in, its sides taking turns: the
/// machine's speed drifting during a run (other work on the host, the
/// disk) then falls on both sides of a ratio alike, not on whichever side
/// ran later.
pub const ROUNDS: usize = 4;

/// The three measurements of both benches, printed as ratios in one run,
/// each in [`ROUNDS`] rounds whose sides take turns: one writer at 0 and
/// at N persons; 16 writers into the database that started empty against
/// the raw database writing the same rows (`raw`, named `raw_label`, given
/// the count, answering its rate); 16 writers at N persons against 16 at 0.
pub async fn measure<R: Repository + 'static>(
    empty: &Arc<R>,
    full: &Arc<R>,
    persons: i64,
    raw_label: &str,
    raw: impl AsyncFn(usize) -> f64,
) {
    // 1. One writer: the rate into an empty database and into a full one.
    let per_round = intakes().div_ceil(ROUNDS);
    let (mut at_zero, mut at_n) = (Rate::default(), Rate::default());
    for round in 0..ROUNDS {
        at_zero.add(rate(empty.as_ref(), per_round, round * per_round).await);
        at_n.add(rate(full.as_ref(), per_round, round * per_round).await);
    }
    println!(
        "intake (duplicate checks + write): {:.0}/s at 0 persons, {:.0}/s at {persons}: {:.0}% of the rate at 0",
        at_zero.per_second(),
        at_n.per_second(),
        100.0 * at_n.per_second() / at_zero.per_second()
    );
    println!(
        "  checks {:.2?} + write {:.2?} at 0 persons; checks {:.2?} + write {:.2?} at {persons}",
        at_zero.mean(at_zero.checks),
        at_zero.mean(at_zero.write),
        at_n.mean(at_n.checks),
        at_n.mean(at_n.write)
    );

    // 2. and 3. Sixteen writers at once into the database that started
    //    empty, the raw database writing the same rows, and sixteen writers
    //    into the full database (as a city's many workers write), in turns.
    let each = concurrent_intakes().div_ceil(WRITERS * ROUNDS);
    let (mut latencies, mut at_n_many) = (Latencies::default(), Latencies::default());
    let (mut raw_count, mut raw_seconds) = (0, 0.0);
    for round in 0..ROUNDS {
        let offset = 10_000 + round * WRITERS * each;
        latencies.add(concurrent(empty, WRITERS, each, offset).await);
        let n = WRITERS * each;
        raw_seconds += n as f64 / raw(n).await;
        raw_count += n;
        at_n_many.add(concurrent(full, WRITERS, each, offset).await);
    }
    let (p50, p99, concurrent_rate, mean) = summary(&latencies);
    let raw = raw_count as f64 / raw_seconds;
    println!(
        "{WRITERS} writers: p50 {p50:.1?}, p99 {p99:.1?}, {concurrent_rate:.0}/s; {raw_label} {raw:.0}/s: {:.0}% of raw (mean {mean:.1?})",
        100.0 * concurrent_rate / raw,
    );
    println!("  {}", latencies.parts());
    let (p50_n, p99_n, rate_n, _) = summary(&at_n_many);
    println!(
        "{WRITERS} writers at {persons} persons: p50 {p50_n:.1?}, p99 {p99_n:.1?}, {rate_n:.0}/s: {:.0}% of the rate at 0",
        100.0 * rate_n / concurrent_rate
    );
    println!("  {}", at_n_many.parts());
}

//! Addresses per second on one core, for a realistic mix of the ways staff
//! and spreadsheets write 盛岡市 addresses.
//!
//!     cargo bench -p tsunagaru-address
//!
//! Reports the router's throughput, and as a baseline run in the same process
//! over the same inputs, the text clean-up alone (NFKC, hyphens, spaces), so
//! the figure can be read as a ratio on any machine. Then it streams a million
//! lines through `route_lines` and reports the memory it took.

use std::hint::black_box;
use std::time::Instant;
use tsunagaru_address::{Router, Status, normalize_text, route_lines};
use tsunagaru_pack::Pack;

/// The mix: every town of the pack in the forms seen in real records
/// (official, abbreviated, full-width, kanji numerals, with postal code and
/// building, old 玉山区 form), plus some addresses of other municipalities
/// and some rubbish.
fn mix(router: &Router) -> Vec<String> {
    let towns: Vec<String> = router.towns().map(|(t, _)| t.to_owned()).collect();
    let mut out = Vec::new();
    for (i, town) in towns.iter().enumerate() {
        let n = i % 4 + 1;
        out.push(format!(
            "岩手県盛岡市{town}{n}丁目{}-{}",
            i % 30 + 1,
            i % 9 + 1
        ));
        out.push(format!("盛岡市{town}{}番{}号", i % 40 + 1, i % 12 + 1));
        out.push(format!(
            "〒020-0{:03} 盛岡市{town}字見本{}番地{}　コーポ{town}１０１号室",
            i % 900,
            i % 80 + 1,
            i % 5 + 1
        ));
        out.push(format!("{town}{}-{}-{}", n, i % 30 + 1, i % 9 + 1));
        out.push(format!(
            "盛岡市{town}{}ー{}ー{}",
            ["１", "２", "３"][i % 3],
            "１２",
            "３"
        ));
        out.push(format!("盛岡市{town}二十六地割{}番地", i % 50 + 1));
        if i % 5 == 0 {
            out.push(format!("盛岡市玉山区{town}字下田{}", i % 90 + 1));
            out.push(format!("岩手県滝沢市鵜飼{}", i % 90 + 1));
            out.push("S45.3.12".to_owned());
        }
    }
    out
}

fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

fn main() {
    let router = Router::from_pack(&Pack::morioka()).expect("the 盛岡市 pack");
    let inputs = mix(&router);
    let routed = inputs
        .iter()
        .filter(|a| router.route(a).status == Status::Routed)
        .count();
    println!(
        "mix: {} distinct addresses, {:.0}% routed",
        inputs.len(),
        100.0 * routed as f64 / inputs.len() as f64
    );

    const N: usize = 1_000_000;
    let time = |f: &dyn Fn(&str)| {
        // Warm up, then the best of three runs of N.
        for a in inputs.iter().take(10_000) {
            f(a);
        }
        (0..3)
            .map(|_| {
                let start = Instant::now();
                for a in inputs.iter().cycle().take(N) {
                    f(a);
                }
                start.elapsed().as_secs_f64()
            })
            .fold(f64::INFINITY, f64::min)
    };
    let baseline = time(&|a| {
        black_box(normalize_text(black_box(a)));
    });
    let routing = time(&|a| {
        black_box(router.route(black_box(a)));
    });
    println!(
        "baseline  normalize_text only: {:>10.0} addresses/s",
        N as f64 / baseline
    );
    println!(
        "route (normalize + parse + rules): {:>10.0} addresses/s on one core",
        N as f64 / routing
    );
    println!(
        "route costs {:.2}× the text clean-up alone",
        routing / baseline
    );

    // A million lines through the CLI's streaming path, into nothing.
    let text: String = inputs.iter().take(1000).map(|a| format!("{a}\n")).collect();
    let before = resident_kib();
    let start = Instant::now();
    let reader = std::io::BufReader::new(RepeatRead {
        text: text.as_bytes(),
        at: text.len(),
        left: N / 1000,
    });
    let lines = route_lines(&router, reader, std::io::sink()).expect("route lines");
    let elapsed = start.elapsed().as_secs_f64();
    let after = resident_kib();
    println!(
        "route_lines: {lines} lines in {elapsed:.2}s ({:.0} lines/s with JSON output)",
        lines as f64 / elapsed
    );
    if let (Some(before), Some(after)) = (before, after) {
        println!("route_lines: resident memory {before} KiB before, {after} KiB after");
    }
}

/// The same text `left` times, read without holding the copies.
struct RepeatRead<'a> {
    text: &'a [u8],
    at: usize,
    left: usize,
}

impl std::io::Read for RepeatRead<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.text.len() {
            if self.left == 0 {
                return Ok(0);
            }
            self.left -= 1;
            self.at = 0;
        }
        let n = out.len().min(self.text.len() - self.at);
        out[..n].copy_from_slice(&self.text[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

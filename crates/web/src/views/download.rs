//! How a download is named: in Japanese with the day in 和暦
//! (`地域資源_令和8年12月2日.csv`), as RFC 6266 `filename*`, with an ASCII
//! name beside it for the few programs that read only `filename`.

use chrono::NaiveDate;
use tsunagaru_domain::era::EraDate;

/// `地域資源_令和8年12月2日`: a name and the day it was taken.
pub fn dated(name: &str, day: NaiveDate) -> String {
    format!("{name}_{}", EraDate::from_date(day).era_label())
}

/// The `Content-Disposition` of a download named `name.ext` (Japanese),
/// with `ascii.ext` as the fallback.
pub fn disposition(name: &str, ascii: &str, ext: &str) -> String {
    format!(
        "attachment; filename=\"{ascii}.{ext}\"; filename*=UTF-8''{}.{ext}",
        percent_encode(name)
    )
}

/// The name of a download of the directory taken today (the app's clock):
/// `地域資源_令和8年12月2日.csv`.
pub fn resources_file_name(state: &crate::AppState, name: &str, ascii: &str, ext: &str) -> String {
    let today = state.today();
    disposition(
        &dated(name, today),
        &format!("{ascii}_{}", today.format("%Y%m%d")),
        ext,
    )
}

/// RFC 5987 `attr-char` kept, every other byte as `%XX`.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downloads_are_named_in_japanese_with_an_ascii_fallback() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(dated("地域資源", day), "地域資源_令和8年12月2日");
        let header = disposition(
            "地域資源_令和8年12月2日",
            "community_resources_20261202",
            "csv",
        );
        assert!(header.starts_with(
            "attachment; filename=\"community_resources_20261202.csv\"; filename*=UTF-8''"
        ));
        // The encoded name decodes back to the Japanese one.
        let encoded = header.split("UTF-8''").nth(1).unwrap();
        let bytes: Vec<u8> = {
            let mut out = Vec::new();
            let mut it = encoded.bytes();
            while let Some(b) = it.next() {
                if b == b'%' {
                    let hex = [it.next().unwrap(), it.next().unwrap()];
                    out.push(u8::from_str_radix(std::str::from_utf8(&hex).unwrap(), 16).unwrap());
                } else {
                    out.push(b);
                }
            }
            out
        };
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "地域資源_令和8年12月2日.csv"
        );
    }
}

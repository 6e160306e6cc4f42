//! Exports for Excel: CSV as UTF-8 with a BOM and CRLF line ends, every cell
//! neutralised so that a spreadsheet never reads it as a formula.
//!
//! A cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is
//! read by Excel (and LibreOffice) as a formula or DDE call: a name typed as
//! `=HYPERLINK("http://…")` in a form would run when the 事務局 opens the
//! export. Such a cell is written with a leading `'`, which spreadsheets show
//! as text and do not display (OWASP: CSV injection).

use std::borrow::Cow;

/// The characters that make a spreadsheet read a cell as a formula.
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// The cell as text a spreadsheet will not evaluate.
pub fn neutralise(value: &str) -> Cow<'_, str> {
    // Full-width forms (＝, ＋, －, ＠) are folded by Excel's input too.
    let first = value.chars().next();
    let risky = first
        .is_some_and(|c| FORMULA_STARTS.contains(&c) || matches!(c, '＝' | '＋' | '－' | '＠'));
    if risky {
        Cow::Owned(format!("'{value}"))
    } else {
        Cow::Borrowed(value)
    }
}

/// One CSV field: neutralised, then quoted when it holds a comma, a quote or
/// a line break.
pub fn csv_field(value: &str) -> String {
    let value = neutralise(value);
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value.into_owned()
    }
}

/// A CSV document for Excel: BOM, the header, the rows, CRLF after each.
pub fn csv_document<'a, R>(header: &[&str], rows: impl IntoIterator<Item = R>) -> String
where
    R: IntoIterator<Item = &'a str>,
{
    let mut out = String::from("\u{feff}");
    let line = |cells: &mut dyn Iterator<Item = &str>| {
        cells.map(csv_field).collect::<Vec<_>>().join(",") + "\r\n"
    };
    out.push_str(&line(&mut header.iter().copied()));
    for row in rows {
        out.push_str(&line(&mut row.into_iter()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_written_as_text() {
        let table = [
            ("=1+1", "'=1+1"),
            ("+81 19-000-0000", "'+81 19-000-0000"),
            ("-2", "'-2"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("＝HYPERLINK(\"x\")", "'＝HYPERLINK(\"x\")"),
            ("019-000-0000", "019-000-0000"),
            ("盛岡市", "盛岡市"),
            ("", ""),
        ];
        for (input, expected) in table {
            assert_eq!(neutralise(input), expected, "{input:?}");
        }
    }

    #[test]
    fn fields_are_quoted_for_excel() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(
            csv_field("=HYPERLINK(\"http://x\",\"y\")"),
            "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""
        );
    }

    #[test]
    fn a_document_has_a_bom_and_crlf() {
        let doc = csv_document(&["名前", "電話"], [vec!["=cmd", "019"]]);
        assert_eq!(doc, "\u{feff}名前,電話\r\n'=cmd,019\r\n");
    }
}

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

/// An xlsx workbook for Excel: one sheet per section of `rows` (section,
/// item, figure), a bold header, figures that are whole numbers written as
/// numbers, text otherwise (never a formula).
pub fn xlsx_document(title: &str, rows: &[[String; 3]]) -> Result<Vec<u8>, crate::AppError> {
    use rust_xlsxwriter::{Format, Workbook};
    let fail = |e: rust_xlsxwriter::XlsxError| crate::AppError::Internal(format!("xlsx: {e}"));
    let mut workbook = Workbook::new();
    let bold = Format::new().set_bold();
    let mut sections: Vec<(&str, Vec<&[String; 3]>)> = Vec::new();
    for row in rows {
        match sections.last_mut() {
            Some((name, list)) if *name == row[0] => list.push(row),
            _ => sections.push((&row[0], vec![row])),
        }
    }
    for (i, (section, list)) in sections.iter().enumerate() {
        let sheet = workbook.add_worksheet();
        sheet.set_name(sheet_name(section, i)).map_err(fail)?;
        sheet.set_column_width(0, 48).map_err(fail)?;
        sheet.set_column_width(1, 14).map_err(fail)?;
        sheet
            .write_string_with_format(0, 0, format!("{title} {section}"), &bold)
            .map_err(fail)?;
        sheet
            .write_string_with_format(2, 0, "項目", &bold)
            .map_err(fail)?;
        sheet
            .write_string_with_format(2, 1, "件数", &bold)
            .map_err(fail)?;
        for (r, row) in list.iter().enumerate() {
            let r = u32::try_from(r + 3).map_err(|e| crate::AppError::Internal(e.to_string()))?;
            sheet.write_string(r, 0, row[1].as_str()).map_err(fail)?;
            match row[2].parse::<i64>() {
                #[allow(clippy::cast_precision_loss)]
                Ok(n) => sheet.write_number(r, 1, n as f64).map_err(fail)?,
                Err(_) => sheet.write_string(r, 1, row[2].as_str()).map_err(fail)?,
            };
        }
    }
    if sections.is_empty() {
        workbook.add_worksheet();
    }
    workbook.save_to_buffer().map_err(fail)
}

/// A sheet name Excel accepts: at most 31 characters, none of `[]:*?/\`,
/// unique by its position.
fn sheet_name(section: &str, i: usize) -> String {
    let clean: String = section
        .chars()
        .filter(|c| !matches!(c, '[' | ']' | ':' | '*' | '?' | '/' | '\\'))
        .take(28)
        .collect();
    if clean.is_empty() {
        format!("{}", i + 1)
    } else {
        clean
    }
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

    #[test]
    fn an_xlsx_has_one_sheet_per_section_with_numbers_as_numbers() {
        let rows = vec![
            [
                "第1号 包括的相談支援".to_owned(),
                "実人数".to_owned(),
                "12".to_owned(),
            ],
            [
                "第1号 包括的相談支援".to_owned(),
                "延べ".to_owned(),
                "＊".to_owned(),
            ],
            ["会議[臨時]".to_owned(), "=cmd".to_owned(), "3".to_owned()],
        ];
        let bytes = xlsx_document("令和7年度", &rows).unwrap();
        assert_eq!(&bytes[..2], b"PK", "a zip container");
        assert_eq!(sheet_name("会議[臨時]", 1), "会議臨時");
        assert_eq!(sheet_name("", 4), "5");
        assert_eq!(sheet_name(&"あ".repeat(40), 0).chars().count(), 28);
    }
}

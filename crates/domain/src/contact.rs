//! How to reach an office: the phone written on a No.3 (受付者・引継者), and
//! the contact details of agencies and 関係各課 (電話・FAX・メール・受付時間・内線).

use crate::kana::{fold_width, phone_key};
use serde::Serialize;

/// An office phone as a worker writes it: a number with its 市外局番 (10 or
/// 11 digits, any width, with or without hyphens), optionally followed by
/// an extension (`019-651-4111 内線1234`). Kept as typed, in 半角.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct OfficePhone(String);

impl OfficePhone {
    /// `Ok(None)` for an empty entry; the reason in Japanese for anything
    /// that is not a phone number.
    pub fn parse(input: &str) -> Result<Option<OfficePhone>, String> {
        let text = fold_width(input).trim().to_owned();
        if text.is_empty() {
            return Ok(None);
        }
        let (number, extension) = match text.find("内線").or_else(|| text.find("ext")) {
            Some(at) => text.split_at(at),
            None => (text.as_str(), ""),
        };
        let digits = phone_key(number);
        let extension_digits = phone_key(extension);
        if !(10..=11).contains(&digits.len())
            || number
                .chars()
                .any(|c| !(c.is_ascii_digit() || matches!(c, '-' | ' ' | '(' | ')' | '（' | '）')))
            || (!extension.is_empty() && extension_digits.is_empty())
        {
            return Err(format!(
                "電話番号「{}」は市外局番から10桁または11桁で入力してください（内線は「019-651-4111 内線1234」のように続けて書けます）",
                input.trim()
            ));
        }
        Ok(Some(OfficePhone(text)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// What an administrator or the pack gives as an office's contact details.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Deserialize, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct ContactInput {
    #[cfg_attr(feature = "openapi", schema(pattern = r"^(0[0-9]{9,10})?$"))]
    pub phone: String,
    #[cfg_attr(feature = "openapi", schema(pattern = r"^(0[0-9]{9,10})?$"))]
    pub fax: String,
    #[cfg_attr(feature = "openapi", schema(format = Email))]
    pub email: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub hours: String,
    #[cfg_attr(
        feature = "openapi",
        schema(max_length = 10, pattern = r"^[0-9０-９-]*$")
    )]
    pub extension: String,
}

/// An office's contact details, each checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Contact {
    pub phone: Option<String>,
    pub fax: Option<String>,
    pub email: Option<String>,
    /// 受付時間 (平日 8:30〜17:15)
    pub hours: Option<String>,
    /// 内線
    pub extension: Option<String>,
}

/// The longest 受付時間 a contact takes.
pub const HOURS_MAX_CHARS: usize = 100;

impl Contact {
    /// Every problem by field (`phone`, `fax`, `email`, `hours`, `extension`).
    pub fn parse(input: &ContactInput) -> Result<Contact, Vec<(&'static str, String)>> {
        let mut problems = Vec::new();
        let mut phone = |field: &'static str, value: &str| match OfficePhone::parse(value) {
            Ok(p) => p.map(OfficePhone::into_string),
            Err(e) => {
                problems.push((field, e));
                None
            }
        };
        let contact_phone = phone("phone", &input.phone);
        let fax = phone("fax", &input.fax);
        let email = fold_width(&input.email).trim().to_owned();
        let email = if email.is_empty() {
            None
        } else if valid_email(&email) {
            Some(email)
        } else {
            problems.push((
                "email",
                format!(
                    "メールアドレス「{}」の形が正しくありません（例: soudan@city.example.jp）",
                    input.email.trim()
                ),
            ));
            None
        };
        let hours = input.hours.trim().to_owned();
        if hours.chars().count() > HOURS_MAX_CHARS {
            problems.push(("hours", format!("受付時間は{HOURS_MAX_CHARS}文字までです")));
        }
        let extension = fold_width(&input.extension).trim().to_owned();
        if !extension.is_empty()
            && (extension.chars().count() > 10
                || !extension.chars().all(|c| c.is_ascii_digit() || c == '-'))
        {
            problems.push(("extension", "内線は数字で入力してください".to_owned()));
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        Ok(Contact {
            phone: contact_phone,
            fax,
            email,
            hours: (!hours.is_empty()).then_some(hours),
            extension: (!extension.is_empty()).then_some(extension),
        })
    }

    pub fn is_empty(&self) -> bool {
        self == &Contact::default()
    }

    /// The phone as a No.3 writes it: `019-651-4111 内線1234`.
    pub fn phone_with_extension(&self) -> Option<String> {
        let phone = self.phone.clone()?;
        Some(match &self.extension {
            Some(x) if !phone.contains("内線") => format!("{phone} 内線{x}"),
            _ => phone,
        })
    }
}

/// One `@`, something on each side, a dot in the domain, no spaces.
fn valid_email(email: &str) -> bool {
    let mut parts = email.split('@');
    match (parts.next(), parts.next(), parts.next()) {
        (Some(local), Some(domain), None) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !email.chars().any(char::is_whitespace)
                && email.len() <= 254
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn office_phones_take_any_width_and_an_extension() {
        for (typed, kept) in [
            ("019-651-4111", "019-651-4111"),
            ("０１９－６５１－４１１１", "019-651-4111"),
            ("019-651-4111 内線1234", "019-651-4111 内線1234"),
            ("09012345678", "09012345678"),
        ] {
            assert_eq!(
                OfficePhone::parse(typed).unwrap().unwrap().as_str(),
                kept,
                "{typed}"
            );
        }
        assert_eq!(OfficePhone::parse("  ").unwrap(), None);
        for bad in [
            "651-4111",
            "019-651-4111-99999",
            "でんわ",
            "019-651-4111 内線",
        ] {
            let e = OfficePhone::parse(bad).unwrap_err();
            assert!(e.contains("10桁または11桁"), "{bad}: {e}");
        }
    }

    #[test]
    fn contacts_name_each_bad_field() {
        let input = ContactInput {
            phone: "019-651-4111".into(),
            fax: "FAX".into(),
            email: "soudan@city".into(),
            hours: "平日 8:30〜17:15".into(),
            extension: "12a".into(),
        };
        let fields: Vec<_> = Contact::parse(&input)
            .unwrap_err()
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        assert_eq!(fields, ["fax", "email", "extension"]);
        let ok = Contact::parse(&ContactInput {
            phone: "０１９-６５１-４１１１".into(),
            email: "ｓｏｕｄａｎ@city.morioka.example.jp".into(),
            extension: "１２３４".into(),
            ..ContactInput::default()
        })
        .unwrap();
        assert_eq!(ok.phone.as_deref(), Some("019-651-4111"));
        assert_eq!(ok.email.as_deref(), Some("soudan@city.morioka.example.jp"));
        assert_eq!(
            ok.phone_with_extension().as_deref(),
            Some("019-651-4111 内線1234")
        );
        assert!(Contact::parse(&ContactInput::default()).unwrap().is_empty());
    }
}

//! Users: roles, usernames and the password policy.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// What a user may do. Agency membership is separate: a user belongs to one or
/// more agencies and sees personal data only through them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 受付職員: staff of an agency.
    Staff,
    /// 事務局 / CSW (まるごとよりそいネットワーク事務局).
    Csw,
    /// 市職員 (地域福祉課 and 関係各課).
    City,
    /// 管理者: users, agencies, the municipality pack.
    Admin,
    /// 監査: reads the audit log only.
    Auditor,
    /// 相談支援包括化推進員: a member of the network organisation who sits on
    /// meetings and does the tasks given to their organisation; takes no
    /// consultations and searches no persons.
    Promoter,
}

crate::code::listed_codes!(Role);

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Staff,
        Role::Csw,
        Role::City,
        Role::Admin,
        Role::Auditor,
        Role::Promoter,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Csw => "csw",
            Role::City => "city",
            Role::Admin => "admin",
            Role::Auditor => "auditor",
            Role::Promoter => "promoter",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Role::Staff => "受付職員（支援関係機関）",
            Role::Csw => "事務局・CSW",
            Role::City => "市職員",
            Role::Admin => "管理者",
            Role::Auditor => "監査",
            Role::Promoter => "相談支援包括化推進員",
        }
    }

    pub fn can_manage_users(self) -> bool {
        self == Role::Admin
    }

    /// Takes consultations and sees persons through their agencies. The
    /// administrator and the auditor never see personal data.
    pub fn works_with_persons(self) -> bool {
        matches!(self, Role::Staff | Role::Csw | Role::City)
    }

    /// Sits on meetings (よりそい会議, 支援会議, まるごと推進会議): those who work
    /// with persons, and the 相談支援包括化推進員, whose membership is the
    /// plan's (「市、社会福祉協議会、相談支援包括化推進員、支援機関」).
    pub fn sits_on_meetings(self) -> bool {
        self.works_with_persons() || self == Role::Promoter
    }

    /// Merges two records of the same person (audited, undoable from the history).
    pub fn can_merge_persons(self) -> bool {
        matches!(self, Role::Admin | Role::Csw)
    }

    pub fn can_read_audit_log(self) -> bool {
        matches!(self, Role::Admin | Role::Auditor)
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.code() == s)
            .ok_or_else(|| {
                format!(
                    "役割「{s}」は定義されていません（staff, csw, city, admin, auditor, promoter のいずれか）"
                )
            })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// A sign-in name: 3–32 characters of ASCII letters, digits, `.`, `_`, `-`,
/// stored lower-case. Full-width input (ｙａｍａｄａ) is folded to half-width.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Username(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UsernameProblem {
    #[error("ユーザー名を入力してください")]
    Empty,
    #[error("ユーザー名は3文字以上32文字以内で入力してください")]
    Length,
    #[error("ユーザー名に使えるのは半角英数字と「.」「_」「-」だけです")]
    Characters,
}

impl Username {
    pub fn parse(input: &str) -> Result<Self, UsernameProblem> {
        let folded: String = input.trim().chars().map(fold_full_width_ascii).collect();
        let folded = folded.trim().to_ascii_lowercase();
        if folded.is_empty() {
            return Err(UsernameProblem::Empty);
        }
        if !folded
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
        {
            return Err(UsernameProblem::Characters);
        }
        if !(3..=32).contains(&folded.len()) {
            return Err(UsernameProblem::Length);
        }
        Ok(Username(folded))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Username {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Full-width ASCII (U+FF01–U+FF5E) and the ideographic space to half-width.
fn fold_full_width_ascii(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// The local rules for passwords (each municipality sets its own in its pack).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
pub struct PasswordPolicy {
    pub min_length: usize,
    pub max_length: usize,
    /// How many of: lower-case, upper-case, digits, symbols.
    pub min_character_classes: usize,
    pub forbid_username: bool,
    /// Words a password may not contain, whatever their case: the
    /// municipality's and the system's names (the pack adds the city's and
    /// the prefecture's names itself).
    #[serde(default)]
    pub forbidden_words: Vec<String>,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 12,
            max_length: 128,
            min_character_classes: 3,
            forbid_username: true,
            forbidden_words: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordProblem {
    #[error("パスワードは{0}文字以上にしてください")]
    TooShort(usize),
    #[error("パスワードは{0}文字以内にしてください")]
    TooLong(usize),
    #[error("パスワードには英小文字・英大文字・数字・記号のうち{0}種類以上を含めてください")]
    TooFewClasses(usize),
    #[error("パスワードにユーザー名を含めることはできません")]
    ContainsUsername,
    #[error(
        "よく使われるパスワードや、それに数字・記号を足したり文字を似た記号に置き換えたりしたものは使えません"
    )]
    Common,
    #[error(
        "パスワードに「{0}」を含めることはできません（自治体名・システム名は推測されやすいため）"
    )]
    ContainsWord(String),
}

/// The common passwords and base words shipped in the binary.
const COMMON: &str = include_str!("common_passwords.txt");

fn is_common_word(word: &str) -> bool {
    COMMON
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|l| l == word)
}

/// The letters of a password as a guesser sees them: lower case, look-alike
/// digits and symbols read as letters (p@ssw0rd → password), everything
/// else dropped.
fn letters_of(password: &str) -> String {
    // Digits and symbols around the word are padding (P@ssw0rd-2026), not
    // look-alikes.
    password
        .trim_matches(|c: char| !c.is_alphabetic())
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            '0' => Some('o'),
            '1' | '!' | '|' => Some('i'),
            '3' => Some('e'),
            '4' | '@' => Some('a'),
            '5' | '$' => Some('s'),
            '7' => Some('t'),
            c if c.is_alphabetic() => Some(c),
            _ => None,
        })
        .collect()
}

/// Whether the password is a common word dressed up: the word itself, with
/// digits or symbols around it, letters swapped for look-alikes, a few
/// letters added, repeated, or digits and symbols with fewer than three
/// letters.
fn is_common(password: &str) -> bool {
    let lower = password.to_lowercase();
    let bare: String = lower.chars().filter(|c| c.is_alphabetic()).collect();
    // Digits and symbols with a letter or two for the rule (a date, a phone).
    if bare.chars().count() < 3 || is_common_word(&bare) {
        return true;
    }
    let folded = letters_of(password);
    if is_common_word(&folded) {
        return true;
    }
    // A common word of five letters or more with at most three others
    // (welcome…xx, xpassword).
    let padded = |letters: &str| {
        let n = letters.chars().count();
        (5..=n).any(|len| {
            n - len <= 3 && {
                let head: String = letters.chars().take(len).collect();
                let tail: String = letters.chars().skip(n - len).collect();
                is_common_word(&head) || is_common_word(&tail)
            }
        })
    };
    if padded(&bare) || padded(&folded) {
        return true;
    }
    // A word repeated (qwertyqwerty) or two common words (welcomepassword).
    (1..bare.len()).any(|cut| {
        bare.is_char_boundary(cut) && is_common_word(&bare[..cut]) && is_common_word(&bare[cut..])
    }) || (1..folded.len()).any(|cut| {
        folded.is_char_boundary(cut)
            && is_common_word(&folded[..cut])
            && is_common_word(&folded[cut..])
    })
}

impl PasswordPolicy {
    /// Checks a new password against the policy; every problem is listed so
    /// the form can show them all at once.
    pub fn check(&self, password: &str, username: Option<&Username>) -> Vec<PasswordProblem> {
        let mut problems = Vec::new();
        let length = password.chars().count();
        if length < self.min_length {
            problems.push(PasswordProblem::TooShort(self.min_length));
        }
        if length > self.max_length {
            problems.push(PasswordProblem::TooLong(self.max_length));
        }
        let classes = [
            password.chars().any(|c| c.is_lowercase()),
            password.chars().any(|c| c.is_uppercase()),
            password.chars().any(|c| c.is_numeric()),
            password.chars().any(|c| !c.is_alphanumeric()),
        ]
        .into_iter()
        .filter(|present| *present)
        .count();
        if classes < self.min_character_classes {
            problems.push(PasswordProblem::TooFewClasses(self.min_character_classes));
        }
        if let Some(username) = username
            && self.forbid_username
            && password.to_lowercase().contains(username.as_str())
        {
            problems.push(PasswordProblem::ContainsUsername);
        }
        if is_common(password) {
            problems.push(PasswordProblem::Common);
        }
        let lower = password.to_lowercase();
        if let Some(word) = self
            .forbidden_words
            .iter()
            .find(|w| !w.trim().is_empty() && lower.contains(&w.trim().to_lowercase()))
        {
            problems.push(PasswordProblem::ContainsWord(word.trim().to_owned()));
        }
        problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usernames_fold_full_width_and_case() {
        assert_eq!(
            Username::parse(" ＹａｍａＤＡ ").unwrap().as_str(),
            "yamada"
        );
        assert_eq!(Username::parse("sato.k-2").unwrap().as_str(), "sato.k-2");
        assert_eq!(Username::parse("").unwrap_err(), UsernameProblem::Empty);
        assert_eq!(Username::parse("ab").unwrap_err(), UsernameProblem::Length);
        assert_eq!(
            Username::parse("山田").unwrap_err(),
            UsernameProblem::Characters
        );
    }

    #[test]
    fn weak_passwords_are_refused_with_every_reason() {
        let policy = PasswordPolicy::default();
        let user = Username::parse("yamada").unwrap();
        let problems = policy.check("yamada", Some(&user));
        assert!(problems.contains(&PasswordProblem::TooShort(12)));
        assert!(problems.contains(&PasswordProblem::TooFewClasses(3)));
        assert!(problems.contains(&PasswordProblem::ContainsUsername));
        assert!(
            policy
                .check("Kitakami-River-Walk-7", Some(&user))
                .is_empty()
        );
    }

    #[test]
    fn the_policy_is_the_municipalitys_to_set() {
        let lenient = PasswordPolicy {
            min_length: 8,
            max_length: 64,
            min_character_classes: 1,
            forbid_username: false,
            forbidden_words: Vec::new(),
        };
        assert!(lenient.check("kitakami", None).is_empty());
        assert!(!PasswordPolicy::default().check("kitakami", None).is_empty());
    }

    #[test]
    fn common_passwords_are_refused_however_dressed_up() {
        let policy = PasswordPolicy::default();
        for weak in [
            "Password1234!",
            "P@ssw0rd-2026",
            "Qwerty123456!",
            "Welcome#2026xx",
            "QwertyQwerty1!",
            "Letmein!Letmein1",
            "Admin-Admin-12",
            "123456789012!A",
            "Sakura2026!!!!",
        ] {
            assert!(
                policy.check(weak, None).contains(&PasswordProblem::Common),
                "{weak}"
            );
        }
        for fine in [
            "Kitakami-River-Walk-7",
            "Hm7#river-Stone",
            "Tg-8fK2-pQ9x-Lm3w",
        ] {
            assert!(
                !policy.check(fine, None).contains(&PasswordProblem::Common),
                "{fine}"
            );
        }
    }

    #[test]
    fn the_municipalitys_and_the_systems_names_are_refused() {
        let policy = PasswordPolicy {
            forbidden_words: vec!["morioka".into(), "盛岡".into(), "tsunagaru".into()],
            ..PasswordPolicy::default()
        };
        assert_eq!(
            policy.check("MORIOKA-river-2026", None),
            vec![PasswordProblem::ContainsWord("morioka".into())]
        );
        assert_eq!(
            policy.check("盛岡Kita#2026xyz", None),
            vec![PasswordProblem::ContainsWord("盛岡".into())]
        );
        assert!(policy.check("Kitakami-River-Walk-7", None).is_empty());
    }
}

//! The second factor (TOTP, RFC 6238) and re-authentication.
//!
//! A user enrols by being shown a new secret (as an `otpauth://` URI, drawn
//! as an SVG QR code, and in letters) and confirming it with a first code;
//! the confirmation gives ten single-use recovery codes, kept as SHA-256
//! (each holds about 79 random bits). A code's time step is accepted once
//! (RFC 6238 §5.2): the store refuses a step not later than the last one.
//! The pack names the roles that must use it; until they enrol, their
//! sessions reach only the enrolment.
//!
//! Privileged actions (user management, protection changes, consent
//! overrides, merges, exports) need the user to have proved who they are
//! within the last ten minutes ([`policy::covers_privileged_action`]); the
//! password or a code again renews that for the session.
//!
//! Codes are checked on real time, like every security timer, not on the
//! settable business clock.

use crate::sessions::verify_password;
use crate::{Actor, App, AppError, policy};
use chrono::{DateTime, Utc};
use qrcodegen::{QrCode, QrCodeEcc};
use std::fmt::Write as _;
use totp_rs::{Builder, Secret, Totp};
use tsunagaru_domain::{AuditAction, Username};
use tsunagaru_store::{Session, User};

/// How many recovery codes an enrolment gives.
pub const RECOVERY_CODES: usize = 10;
/// The letters of recovery codes: no 0/o, 1/l/i to misread.
const RECOVERY_ALPHABET: &[u8; 31] = b"abcdefghjkmnpqrstuvwxyz23456789";
/// Recovery codes are this many letters (written in groups of four).
const RECOVERY_LENGTH: usize = 16;

/// A secret shown for enrolment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolment {
    /// Base32 (RFC 4648), as typed into an app by hand.
    pub secret: String,
    pub otpauth_uri: String,
    /// The URI as a QR code, an SVG drawing to put in the page.
    pub qr_svg: String,
}

impl Enrolment {
    /// The secret in groups of four letters, for typing by hand.
    pub fn secret_grouped(&self) -> String {
        group(&self.secret, 4)
    }
}

/// How a user proved the second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Factor {
    Totp,
    RecoveryCode { left: i64 },
}

impl Factor {
    /// For the audit trail.
    pub fn label(self) -> String {
        match self {
            Factor::Totp => "確認コード".to_owned(),
            Factor::RecoveryCode { left } => format!("回復コード（残り{left}件）"),
        }
    }
}

/// What was typed in a code box.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Code {
    /// Six digits from the app.
    Totp(String),
    /// A recovery code, normalised.
    Recovery(String),
    Unreadable,
}

impl Code {
    /// Reads six digits or a recovery code, full-width or half-width, with
    /// spaces and hyphens (also ー and －) anywhere.
    fn parse(input: &str) -> Code {
        let folded: String = input
            .chars()
            .map(|c| match c {
                '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                other => other,
            })
            .filter(|c| !c.is_whitespace() && !matches!(c, '-' | 'ー' | '－' | '‐' | '−'))
            .map(|c| c.to_ascii_lowercase())
            .collect();
        if folded.len() == 6 && folded.bytes().all(|b| b.is_ascii_digit()) {
            Code::Totp(folded)
        } else if folded.len() == RECOVERY_LENGTH
            && folded.bytes().all(|b| RECOVERY_ALPHABET.contains(&b))
        {
            Code::Recovery(folded)
        } else {
            Code::Unreadable
        }
    }
}

fn totp(secret: &str) -> Result<Totp, AppError> {
    let bytes = Secret::try_from_base32(secret)
        .map_err(|_| AppError::internal("a stored TOTP secret is not base32"))?;
    Builder::new()
        .with_secret(bytes)
        .build()
        .map_err(|e| AppError::internal(format!("TOTP: {e}")))
}

fn unix_seconds(at: DateTime<Utc>) -> u64 {
    u64::try_from(at.timestamp()).unwrap_or(0)
}

/// The code an app shows for `secret` at `at` (six digits).
pub fn code_at(secret: &str, at: DateTime<Utc>) -> Result<String, AppError> {
    Ok(totp(secret)?.generate(unix_seconds(at)).to_string())
}

/// The time step whose code `digits` is, within one step either side of
/// `now` (RFC 6238's recommended allowance for clocks and typing).
fn matching_step(secret: &str, digits: &str, now: DateTime<Utc>) -> Result<Option<i64>, AppError> {
    let step = totp(secret)?
        .check(digits, unix_seconds(now))
        .and_then(|s| i64::try_from(s).ok());
    Ok(step)
}

fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    bytes
}

/// A new secret: 160 random bits (RFC 4226 §4), base32.
fn new_secret() -> String {
    Secret::from(random_bytes::<20>()).to_base32()
}

/// A new recovery code, `xxxx-xxxx-xxxx-xxxx`.
fn new_recovery_code() -> String {
    let mut letters = String::with_capacity(RECOVERY_LENGTH);
    while letters.len() < RECOVERY_LENGTH {
        for byte in random_bytes::<32>() {
            // 248 = 31 × 8: rejecting the rest keeps every letter equally likely.
            if byte < 248 && letters.len() < RECOVERY_LENGTH {
                letters.push(char::from(RECOVERY_ALPHABET[usize::from(byte % 31)]));
            }
        }
    }
    group(&letters, 4)
}

fn recovery_hash(normalised: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(normalised.as_bytes()))
}

fn group(text: &str, size: usize) -> String {
    text.as_bytes()
        .chunks(size)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// Percent-encodes all but RFC 3986's unreserved characters.
fn percent(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

/// The Key URI an authenticator app reads (Google Authenticator's format):
/// SHA-1, six digits, thirty seconds, which every app supports.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &str) -> String {
    let issuer = percent(issuer);
    format!(
        "otpauth://totp/{issuer}:{}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits=6&period=30",
        percent(account)
    )
}

/// `text` as a QR code (error correction M), drawn as one SVG path with the
/// four-module quiet zone the standard asks for.
pub fn qr_svg(text: &str) -> Result<String, AppError> {
    let qr = QrCode::encode_text(text, QrCodeEcc::Medium)
        .map_err(|e| AppError::internal(format!("QR code: {e:?}")))?;
    let border = 4;
    let size = qr.size() + border * 2;
    let mut path = String::new();
    for y in 0..qr.size() {
        for x in 0..qr.size() {
            if qr.get_module(x, y) {
                let _ = write!(path, "M{},{}h1v1h-1z", x + border, y + border);
            }
        }
    }
    Ok(format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {size} {size}\" width=\"220\" height=\"220\" \
         role=\"img\" aria-label=\"認証アプリで読み取る QR コード\" shape-rendering=\"crispEdges\">\
         <rect width=\"100%\" height=\"100%\" fill=\"#fff\"/><path d=\"{path}\" fill=\"#000\"/></svg>"
    ))
}

impl App {
    /// Whether the user must enrol a second factor before anything else
    /// (the pack requires one for their role and none is confirmed).
    pub fn must_enrol_second_factor(&self, user: &User) -> bool {
        self.pack().second_factor.requires(user.role) && !user.totp_enabled
    }

    /// Whether the pack requires a second factor of this user's role.
    pub fn second_factor_required(&self, user: &User) -> bool {
        self.pack().second_factor.requires(user.role)
    }

    fn issuer(&self) -> String {
        format!("つながる（{}）", self.pack().municipality.name)
    }

    fn enrolment(&self, username: &str, secret: String) -> Result<Enrolment, AppError> {
        let otpauth_uri = otpauth_uri(&self.issuer(), username, &secret);
        let qr_svg = qr_svg(&otpauth_uri)?;
        Ok(Enrolment {
            secret,
            otpauth_uri,
            qr_svg,
        })
    }

    /// Refuses a privileged action when the actor last proved who they are
    /// more than ten minutes ago.
    pub fn require_recent_authentication(&self, actor: &Actor) -> Result<(), AppError> {
        if policy::covers_privileged_action(actor, Utc::now()) {
            Ok(())
        } else {
            Err(AppError::Reauthenticate)
        }
    }

    /// Shows the actor a new secret to enrol (audited). Replacing a
    /// confirmed second factor is a privileged action; the one in force
    /// stays until the new one is confirmed.
    pub async fn begin_totp_enrolment(&self, actor: &Actor) -> Result<Enrolment, AppError> {
        let user = self
            .repo
            .user(actor.id())
            .await?
            .ok_or(AppError::NotFound)?;
        if user.totp_enabled {
            self.require_recent_authentication(actor)?;
        }
        let secret = new_secret();
        self.repo
            .begin_totp(
                user.id,
                &secret,
                actor.audit(AuditAction::TotpEnrolmentBegun),
            )
            .await?;
        self.enrolment(&user.username, secret)
    }

    /// The secret shown and not yet confirmed, to show again.
    pub async fn pending_totp_enrolment(
        &self,
        actor: &Actor,
    ) -> Result<Option<Enrolment>, AppError> {
        let state = self.repo.totp_state(actor.id()).await?;
        state
            .pending_secret
            .map(|secret| self.enrolment(&actor.name, secret))
            .transpose()
    }

    /// How many unused recovery codes the actor has.
    pub async fn recovery_codes_left(&self, actor: &Actor) -> Result<i64, AppError> {
        Ok(self
            .repo
            .totp_state(actor.id())
            .await?
            .unused_recovery_codes)
    }

    /// Confirms the secret shown with a code from the app; answers the ten
    /// recovery codes, shown this once (audited; the old codes no longer work).
    pub async fn confirm_totp_enrolment(
        &self,
        actor: &Actor,
        code: &str,
    ) -> Result<Vec<String>, AppError> {
        let Code::Totp(digits) = Code::parse(code) else {
            return Err(AppError::invalid(
                "code",
                "認証アプリに表示されている6桁の数字を入力してください",
            ));
        };
        let state = self.repo.totp_state(actor.id()).await?;
        let Some(pending) = state.pending_secret else {
            return Err(AppError::conflict(
                "確認コードの設定が始まっていません。設定を始めてから、表示された QR コードを読み取ってください",
            ));
        };
        let Some(step) = matching_step(&pending, &digits, Utc::now())? else {
            return Err(AppError::invalid(
                "code",
                "確認コードが違います。読み取った認証アプリに表示されている最新の6桁を入力してください（端末の時刻がずれていないかもご確認ください）",
            ));
        };
        let codes: Vec<String> = (0..RECOVERY_CODES).map(|_| new_recovery_code()).collect();
        let hashes: Vec<String> = codes
            .iter()
            .map(|c| match Code::parse(c) {
                Code::Recovery(n) => recovery_hash(&n),
                _ => recovery_hash(c),
            })
            .collect();
        let confirmed = self
            .repo
            .confirm_totp(
                actor.id(),
                &pending,
                step,
                &hashes,
                actor
                    .audit(AuditAction::TotpEnrolled)
                    .detail(format!("回復コード {RECOVERY_CODES} 件を発行")),
            )
            .await?;
        if !confirmed {
            return Err(AppError::conflict(
                "別の画面で設定がやり直されました。新しく表示された QR コードで確認してください",
            ));
        }
        Ok(codes)
    }

    /// Checks a code (six digits or a recovery code) against the user's
    /// confirmed second factor, using it up: `None` if it does not prove it.
    pub(crate) async fn check_second_factor(
        &self,
        user_id: i64,
        input: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<Factor>, AppError> {
        let state = self.repo.totp_state(user_id).await?;
        let Some(secret) = state.secret else {
            return Ok(None);
        };
        match Code::parse(input) {
            Code::Totp(digits) => match matching_step(&secret, &digits, now)? {
                Some(step) if self.repo.accept_totp_step(user_id, step).await? => {
                    Ok(Some(Factor::Totp))
                }
                _ => Ok(None),
            },
            Code::Recovery(code) => {
                if self
                    .repo
                    .use_recovery_code(user_id, &recovery_hash(&code), now)
                    .await?
                {
                    Ok(Some(Factor::RecoveryCode {
                        left: state.unused_recovery_codes - 1,
                    }))
                } else {
                    Ok(None)
                }
            }
            Code::Unreadable => Ok(None),
        }
    }

    /// Removes a user's second factor (a lost phone): their recovery codes
    /// and sessions end with it. An administrator's privileged action, audited.
    pub async fn reset_second_factor(&self, admin: &Actor, user_id: i64) -> Result<(), AppError> {
        if !policy::may_manage_users(admin) {
            return Err(AppError::forbidden(
                "確認コードの設定を解除できるのは管理者です",
            ));
        }
        self.require_recent_authentication(admin)?;
        let user = self.repo.user(user_id).await?.ok_or(AppError::NotFound)?;
        let reset = self
            .repo
            .reset_totp(
                user.id,
                admin
                    .audit(AuditAction::TotpReset)
                    .detail(format!("ユーザー名 {}", user.username)),
            )
            .await?;
        if reset {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// Renews the session's proof of identity with the password or, for a
    /// user with a second factor, a code. Failures count toward the sign-in
    /// lock like failed sign-ins (a stolen session cannot guess freely).
    pub async fn reauthenticate(
        &self,
        actor: &Actor,
        session: &Session,
        password: Option<&str>,
        code: Option<&str>,
    ) -> Result<(), AppError> {
        let now = Utc::now();
        let policy = self.pack().login;
        let user = self
            .repo
            .user(actor.id())
            .await?
            .ok_or(AppError::NotFound)?;
        let password = password.filter(|p| !p.is_empty());
        let code = code.map(str::trim).filter(|c| !c.is_empty());
        let field = match (password, code) {
            (Some(_), _) => "password",
            (None, Some(_)) if user.totp_enabled => "code",
            (None, Some(_)) => {
                return Err(AppError::invalid(
                    "password",
                    "確認コードを設定していないため、パスワードを入力してください",
                ));
            }
            (None, None) => {
                return Err(AppError::invalid(
                    "password",
                    "パスワードか確認コードを入力してください",
                ));
            }
        };
        if self
            .repo
            .reserve_login_attempt(&user.username, &policy, now)
            .await?
            .is_err()
        {
            return Err(AppError::forbidden(format!(
                "確認に続けて失敗したため、{}分ほどおいてからお試しください",
                policy.lockout_minutes
            )));
        }
        let proved = match (password, code) {
            (Some(password), _) => {
                let username = Username::parse(&user.username)
                    .map_err(|e| AppError::internal(format!("stored username: {e}")))?;
                let hash = self
                    .repo
                    .user_credentials(&username)
                    .await?
                    .map(|c| c.password_hash);
                verify_password(password.to_owned(), hash)
                    .await?
                    .then(|| "パスワード".to_owned())
            }
            (None, Some(code)) => self
                .check_second_factor(user.id, code, now)
                .await?
                .map(Factor::label),
            (None, None) => None,
        };
        let Some(how) = proved else {
            self.repo
                .append_audit(
                    actor
                        .audit(AuditAction::LoginFailed)
                        .record("user", user.id)
                        .detail("再認証の失敗"),
                )
                .await?;
            return Err(AppError::invalid(
                field,
                if field == "code" {
                    "確認コードが違います"
                } else {
                    "パスワードが違います"
                },
            ));
        };
        self.repo.clear_login_throttle(&user.username).await?;
        self.repo
            .mark_authenticated(
                &session.token_hash,
                now,
                actor
                    .audit(AuditAction::Reauthenticated)
                    .record("user", user.id)
                    .detail(how),
            )
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1, truncated to six digits (the last six
    /// of the eight-digit values).
    #[test]
    fn codes_match_rfc_6238_test_vectors() {
        let secret = Secret::from(b"12345678901234567890".to_vec()).to_base32();
        for (time, expected) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            let at = DateTime::from_timestamp(time, 0).unwrap();
            assert_eq!(code_at(&secret, at).unwrap(), expected, "T = {time}");
        }
    }

    #[test]
    fn a_code_matches_its_own_step_and_one_either_side_only() {
        let secret = new_secret();
        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let code = code_at(&secret, now).unwrap();
        let step = 1_700_000_000 / 30;
        assert_eq!(matching_step(&secret, &code, now).unwrap(), Some(step));
        let later = now + chrono::Duration::seconds(30);
        assert_eq!(matching_step(&secret, &code, later).unwrap(), Some(step));
        let too_late = now + chrono::Duration::seconds(90);
        assert_eq!(matching_step(&secret, &code, too_late).unwrap(), None);
    }

    #[test]
    fn codes_are_read_in_any_width_with_spaces_and_hyphens() {
        assert_eq!(Code::parse("１２３ ４５６"), Code::Totp("123456".into()));
        assert_eq!(Code::parse(" 123-456 "), Code::Totp("123456".into()));
        assert_eq!(
            Code::parse("ABCD-efgh-JKMN-pqrs"),
            Code::Recovery("abcdefghjkmnpqrs".into())
        );
        assert_eq!(
            Code::parse("ａｂｃｄーｅｆｇｈ　ｊｋｍｎ－ｐｑｒｓ"),
            Code::Recovery("abcdefghjkmnpqrs".into())
        );
        assert_eq!(Code::parse("12345"), Code::Unreadable);
        assert_eq!(
            Code::parse("abcd-efgh-ijkl-mnop"),
            Code::Unreadable,
            "i, l, o are not used"
        );
    }

    #[test]
    fn recovery_codes_are_new_each_time_and_read_back() {
        let codes: Vec<String> = (0..50).map(|_| new_recovery_code()).collect();
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
        for code in &codes {
            assert_eq!(code.len(), 19, "{code}");
            assert!(matches!(Code::parse(code), Code::Recovery(_)), "{code}");
        }
    }

    #[test]
    fn the_uri_names_the_issuer_and_account_and_the_qr_code_is_an_svg() {
        let uri = otpauth_uri("つながる（盛岡市）", "sato.h", "JBSWY3DPEHPK3PXP");
        assert!(uri.starts_with("otpauth://totp/%E3%81%A4"), "{uri}");
        assert!(uri.contains(":sato.h?secret=JBSWY3DPEHPK3PXP&issuer=%E3%81%A4"));
        assert!(uri.ends_with("&algorithm=SHA1&digits=6&period=30"));
        let svg = qr_svg(&uri).unwrap();
        assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(
            svg.contains("<path d=\"M4,4h1v1h-1z"),
            "finder pattern at the corner"
        );
    }
}

//! Vocabularies stored and sent as their codes: each enum of the domain that
//! the store keeps (states, kinds, consent, …) is read back through
//! `TryFrom<String>` — an unknown code is an error, never a silent default —
//! and serialized as its code.

/// A closed vocabulary: every value and the code it is sent and stored as.
/// The API's document lists the codes from here, so it says what parsing
/// accepts.
pub trait Vocabulary: Copy + 'static {
    fn all() -> &'static [Self];
    fn code(self) -> &'static str;
}

/// Implements [`Vocabulary`] from a type's `ALL` and `code`.
macro_rules! listed_codes {
    ($($name:ident),* $(,)?) => {$(
        impl $crate::code::Vocabulary for $name {
            fn all() -> &'static [Self] {
                &$name::ALL
            }
            fn code(self) -> &'static str {
                $name::code(self)
            }
        }
    )*};
}
pub(crate) use listed_codes;

/// A stored code that the vocabulary does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{vocabulary}: unknown code {code:?}")]
pub struct UnknownCode {
    pub vocabulary: &'static str,
    pub code: String,
}

/// Implements `TryFrom<String>` (through `parse`) and `Serialize` (as
/// `code()`) for a vocabulary with `code(self) -> &'static str` and
/// `parse(&str) -> Option<Self>`.
macro_rules! stored_as_code {
    ($($name:ident),* $(,)?) => {$(
        impl TryFrom<String> for $name {
            type Error = $crate::code::UnknownCode;
            fn try_from(code: String) -> Result<Self, Self::Error> {
                $name::parse(&code).ok_or($crate::code::UnknownCode {
                    vocabulary: stringify!($name),
                    code,
                })
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }
    )*};
}
pub(crate) use stored_as_code;

#[cfg(test)]
mod tests {
    use crate::case::{CaseState, MeetingKind};
    use crate::handoff::{HandoffState, HandoffStep, Purpose};
    use crate::intake::ConsentAnswer;

    #[test]
    fn codes_go_back_and_forth_and_unknown_ones_are_refused() {
        for s in HandoffState::ALL {
            assert_eq!(HandoffState::try_from(s.code().to_owned()), Ok(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.code());
        }
        for s in HandoffStep::ALL {
            assert_eq!(HandoffStep::try_from(s.code().to_owned()), Ok(s));
        }
        for k in MeetingKind::ALL {
            assert_eq!(MeetingKind::try_from(k.code().to_owned()), Ok(k));
        }
        assert_eq!(
            CaseState::try_from("support".to_owned()),
            Ok(CaseState::Support)
        );
        assert_eq!(Purpose::try_from("refer".to_owned()), Ok(Purpose::Refer));
        assert_eq!(
            ConsentAnswer::try_from("no".to_owned()),
            Ok(ConsentAnswer::No)
        );
        let e = HandoffState::try_from("lost".to_owned()).unwrap_err();
        assert_eq!(e.vocabulary, "HandoffState");
        assert!(CaseState::try_from(String::new()).is_err());
    }

    #[test]
    fn a_relationship_is_written_text_and_self_is_recognised() {
        use crate::intake::Relationship;
        assert!(Relationship::parse("　本人　").unwrap().is_self());
        assert_eq!(Relationship::parse(" 母 ").unwrap().as_str(), "母");
        assert!(!Relationship::parse("母").unwrap().is_self());
        assert_eq!(Relationship::parse("　 "), None);
        assert!(Relationship::try_from(String::new()).is_err());
        assert_eq!(
            serde_json::to_value(Relationship::itself()).unwrap(),
            "本人"
        );
    }
}

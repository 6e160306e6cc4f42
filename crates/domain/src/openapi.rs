//! How the domain's input types appear in the API's OpenAPI document
//! (feature `openapi`, turned on by the web crate): a vocabulary's codes, a
//! record's id. Only shapes are described here; what a value means and
//! whether it is accepted stays with each type's `parse`.

use crate::code::Vocabulary;
use utoipa::openapi::schema::{
    ArrayBuilder, KnownFormat, ObjectBuilder, SchemaFormat, SchemaType, Type,
};
use utoipa::openapi::{RefOr, Schema};
use utoipa::{PartialSchema, ToSchema};

/// The largest id the document promises: 2^53 − 1, which every JSON reader
/// holds exactly (ids are assigned from 1 up and never come near it).
pub const MAX_RECORD_ID: i64 = 9_007_199_254_740_991;

/// A vocabulary's codes, as a string enum taken from the vocabulary itself.
pub fn codes<V: Vocabulary>() -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(V::all().iter().map(|v| v.code())))
            .build(),
    )
}

/// A vocabulary's code or null (an answer's field that may be unrecorded).
pub fn codes_or_null<V: Vocabulary>() -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
            .enum_values(Some(
                V::all()
                    .iter()
                    .map(|v| serde_json::Value::from(v.code()))
                    .chain(std::iter::once(serde_json::Value::Null)),
            ))
            .build(),
    )
}

/// A list of months written `2026-05`.
pub fn month_list() -> Schema {
    Schema::Array(
        ArrayBuilder::new()
            .items(RefOr::T(Schema::Object(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .pattern(Some(r"^\d{4}-\d{2}$"))
                    .build(),
            )))
            .build(),
    )
}

/// One of the given words (a list the parsing itself checks against).
pub fn one_of_strings(words: &[&'static str]) -> Schema {
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(words.iter().copied()))
            .build(),
    )
}

/// How a meeting repeats: `once`, `monthly` (with a count) or
/// `three_times_a_year`.
pub fn recurrence_codes() -> Schema {
    one_of_strings(&crate::case::Recurrence::CODES)
}

/// A list of a vocabulary's codes, each at most once.
pub fn code_list<V: Vocabulary>() -> Schema {
    Schema::Array(
        ArrayBuilder::new()
            .items(RefOr::T(codes::<V>()))
            .max_items(Some(V::all().len()))
            .unique_items(true)
            .build(),
    )
}

/// 性別 of the person consulted about: 男・女・左記以外 (不明 is for the
/// household's members only).
pub fn person_sex() -> Schema {
    use crate::intake::Sex;
    Schema::Object(
        ObjectBuilder::new()
            .schema_type(Type::String)
            .enum_values(Some(
                Sex::all()
                    .iter()
                    .filter(|s| **s != Sex::Unknown)
                    .map(|s| s.code()),
            ))
            .build(),
    )
}

/// The アセスメント's notes: pairs of an area's code and its text.
pub fn area_notes() -> Schema {
    use crate::plan::AssessmentArea;
    let pair = ArrayBuilder::new()
        .items(RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .min_length(Some(1))
                .pattern(Some(r"\S"))
                .build(),
        )))
        .min_items(Some(2))
        .max_items(Some(2))
        .description(Some(format!(
            "［領域のコード, 内容］（領域: {}）",
            AssessmentArea::ALL.map(|a| a.code()).join("・")
        )))
        .build();
    Schema::Array(
        ArrayBuilder::new()
            .items(RefOr::T(Schema::Array(pair)))
            .max_items(Some(AssessmentArea::ALL.len()))
            .build(),
    )
}

/// The id of a record (a person, a consultation, an agency, a user…).
pub struct RecordId;

impl PartialSchema for RecordId {
    fn schema() -> RefOr<Schema> {
        RefOr::T(Schema::Object(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                .minimum(Some(1))
                .maximum(Some(MAX_RECORD_ID))
                .description(Some("レコードの ID（1 以上の整数）"))
                .build(),
        ))
    }
}

impl ToSchema for RecordId {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intake::Urgency;

    #[test]
    fn a_vocabulary_is_documented_by_its_own_codes() {
        let json = serde_json::to_value(codes::<Urgency>()).unwrap();
        let listed: Vec<&str> = json["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let codes: Vec<&str> = Urgency::all().iter().map(|u| u.code()).collect();
        assert_eq!(listed, codes);
        for code in listed {
            assert!(Urgency::parse(code).is_some(), "{code} parses");
        }
    }
}

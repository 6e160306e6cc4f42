//! Paginated lists: `?limit=…&cursor=…`, answered with `next_cursor` (absent
//! on the last page).
//!
//! A list has one total order, given by a sort key per record that ends in
//! its id (so no two records share one). The cursor is the key of the last
//! record of a page, written in hex so that it is opaque and URL-safe; the
//! next page is the records whose key comes after it. Records added between
//! two requests therefore never repeat a record already given nor push one
//! out of the pages still to come; one ordered before the cursor appears on
//! a fresh first page.

use crate::error::ApiError;
use serde::Deserialize;
use tsunagaru_domain::intake::FieldError;

/// Records per page unless `limit` says otherwise.
pub const DEFAULT_LIMIT: usize = 100;
/// The largest `limit` accepted.
pub const MAX_LIMIT: usize = 500;

/// `?limit=…&cursor=…`, read leniently (full-width digits too) and refused
/// by field when they cannot be used.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    #[serde(default)]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 500)]
    limit: Option<String>,
    #[serde(default)]
    #[param(pattern = r"^([0-9a-fA-F]{2})*$")]
    cursor: Option<String>,
}

/// One page of a list, and where the next one starts.
#[derive(Debug)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

/// 400 for a cursor that is not one this server gave.
pub fn unusable_cursor() -> ApiError {
    invalid(
        "cursor",
        "cursor は前のページの next_cursor をそのまま指定してください".into(),
    )
}

fn invalid(field: &str, message: String) -> ApiError {
    ApiError::unreadable(
        "ページの指定を読み取れません",
        FieldError {
            field: field.to_owned(),
            message,
        },
    )
}

impl PageQuery {
    pub(crate) fn limit(&self) -> Result<usize, ApiError> {
        let Some(text) = self
            .limit
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        else {
            return Ok(DEFAULT_LIMIT);
        };
        let digits: String = text
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
                other => other,
            })
            .collect();
        match digits.parse::<usize>() {
            Ok(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
            _ => Err(invalid(
                "limit",
                format!("limit は 1 から {MAX_LIMIT} までの整数で指定してください"),
            )),
        }
    }

    /// Where the page starts: the key bytes of the record before it. Any
    /// even run of hex digits is a position (keys compare as bytes, which is
    /// the order of their text).
    pub(crate) fn after(&self) -> Result<Option<Vec<u8>>, ApiError> {
        let Some(cursor) = self.cursor.as_deref().filter(|c| !c.is_empty()) else {
            return Ok(None);
        };
        hex::decode(cursor).map(Some).map_err(|_| unusable_cursor())
    }

    /// The same position read as a key of the store's own (a person search,
    /// the audit trail); one that is not such a key is refused.
    pub(crate) fn after_text(&self) -> Result<Option<String>, ApiError> {
        self.after()?
            .map(|bytes| String::from_utf8(bytes).map_err(|_| unusable_cursor()))
            .transpose()
    }
}

/// The page of `items` the query asks for, in the order of `key`.
pub fn paginate<T>(
    mut items: Vec<T>,
    key: impl Fn(&T) -> String,
    query: &PageQuery,
) -> Result<Page<T>, ApiError> {
    let limit = query.limit()?;
    let after = query.after()?;
    items.sort_by_cached_key(|item| key(item));
    let start = after.map_or(0, |after| {
        items.partition_point(|item| key(item).as_bytes() <= after.as_slice())
    });
    let more = items.len().saturating_sub(start) > limit;
    let items: Vec<T> = items.into_iter().skip(start).take(limit).collect();
    let next_cursor = if more {
        items.last().map(|last| hex::encode(key(last)))
    } else {
        None
    };
    Ok(Page { items, next_cursor })
}

/// A number as a key part that sorts as text in the number's order
/// (non-negative ids and days; wider numbers are clamped).
pub fn ascending(n: i64) -> String {
    format!("{:020}", n.max(0))
}

/// A number as a key part that sorts as text in the reverse order.
pub fn descending(n: i64) -> String {
    format!("{:020}", i64::MAX - n.max(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(limit: &str, cursor: Option<&str>) -> PageQuery {
        PageQuery {
            limit: Some(limit.into()),
            cursor: cursor.map(str::to_owned),
        }
    }

    #[test]
    fn every_record_once_while_records_are_added_between_pages() {
        let key = |id: &i64| descending(*id);
        let mut all: Vec<i64> = (1..=25).collect();
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let page = paginate(all.clone(), key, &query("10", cursor.as_deref())).unwrap();
            seen.extend(page.items.iter().copied());
            // Someone adds two records between requests.
            let next = all.iter().max().unwrap() + 1;
            all.extend([next, next + 1]);
            match page.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        let mut sorted = seen.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), seen.len(), "no record twice: {seen:?}");
        for id in 1..=25 {
            assert!(seen.contains(&id), "{id} was given");
        }
    }

    #[test]
    fn limits_and_cursors_that_cannot_be_used_are_named() {
        for bad in ["0", "501", "abc", "-1"] {
            assert!(
                paginate(vec![1_i64], |i| ascending(*i), &query(bad, None)).is_err(),
                "{bad}"
            );
        }
        assert_eq!(
            paginate(vec![1_i64, 2], |i| ascending(*i), &query("１", None))
                .unwrap()
                .items,
            vec![1]
        );
        assert!(paginate(vec![1_i64], |i| ascending(*i), &query("1", Some("zz"))).is_err());
        assert!(paginate(vec![1_i64], |i| ascending(*i), &query("1", Some("abc"))).is_err());
    }

    #[test]
    fn any_even_run_of_hex_digits_is_a_position_in_the_list() {
        let ids: Vec<i64> = (1..=5).collect();
        // Bytes that are no UTF-8 text still fall between two keys.
        let page = paginate(ids.clone(), |i| ascending(*i), &query("10", Some("c7"))).unwrap();
        assert!(page.items.is_empty(), "0xc7 sorts after every digit");
        let page = paginate(ids, |i| ascending(*i), &query("10", Some("00"))).unwrap();
        assert_eq!(
            page.items,
            vec![1, 2, 3, 4, 5],
            "0x00 sorts before every key"
        );
    }
}

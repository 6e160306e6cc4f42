//! Address routing: normalize any way a person or a spreadsheet writes a
//! 盛岡市 address, and name the 地域包括支援センター whose 担当地区 it is in.
//!
//! ```
//! let router = tsunagaru_address::Router::from_pack(&tsunagaru_pack::Pack::morioka()).unwrap();
//! let route = router.route("〒020-0114 岩手県盛岡市高松４－５－１ 高松ハイツ１０１");
//! assert_eq!(route.status, tsunagaru_address::Status::Routed);
//! assert_eq!(route.center.as_deref(), Some("松園・緑が丘地域包括支援センター"));
//! assert_eq!(route.normalized.as_deref(), Some("岩手県盛岡市高松四丁目5-1"));
//! ```
//!
//! The router never guesses: a town served by more than one center, where
//! the address does not say which part it is in, is `ambiguous` with the
//! candidates listed. The rules are the municipality pack's data: the plan's
//! catchment table, finer rules that cite their source, and Japan Post's
//! postal codes.

mod lines;
mod numerals;
mod parse;
mod router;
mod rules;
mod text;

pub use lines::route_lines;
pub use router::{PostalTown, Route, Router, RouterError, Status};
pub use rules::{Discrepancy, Selector};
pub use text::normalize_text;

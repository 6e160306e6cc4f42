//! Views the API and the pages share: records shaped for reading (labels,
//! 和暦), the directory's filters and the address lookups. They decide no
//! rule: what reaches them was decided by the application layer.

pub mod address;
pub mod cases;
pub mod desk;
pub mod directory;
pub mod download;
pub mod handoffs;
pub mod hsds;
pub mod intake;
pub mod picker;
pub mod reach;
pub mod reports;

//! Summaries as text, CSV, JSON, HTML and SVG: pure functions of a [`DaySummary`](super::DaySummary) or a
//! [`RangeSummary`](super::RangeSummary), tested against golden files (`tests/golden/`). None touches storage.

pub mod csv;
pub mod export;
pub mod html;
pub mod svg;
pub mod text;

use super::RangeSummary;

/// The `--json` report (schema in the README).
pub fn json(r: &RangeSummary) -> String {
    serde_json::to_string_pretty(r).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

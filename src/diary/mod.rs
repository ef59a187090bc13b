//! The headache diary (issue 12): what a headache entry is and how it is typed in
//! ([`entry`]), and an honest comparison of posture on headache days with posture on
//! other days ([`compare`]). Everything here is pure: the journal, the CLI and the report
//! call into it.

pub mod entry;
mod rng;

pub use entry::{parse_duration, parse_when, DiaryError, Headache, HeadacheKind};

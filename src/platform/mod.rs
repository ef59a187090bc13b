//! What differs between operating systems, in one place: each concern has one
//! implementation per OS here, and the stages above (camera → pose → posture → policy →
//! daemon) call these functions without a `cfg` of their own.

#[cfg(unix)]
#[path = "unix/mod.rs"]
mod imp;

pub use imp::*;

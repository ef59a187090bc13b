//! Small helpers every stage may use and none owns: time ([`clock`]), where files live
//! ([`paths`]), how files are written ([`files`]), reading images ([`image_io`]), and
//! numbers and text as people read them ([`human`]).

pub mod clock;
pub mod files;
pub mod human;
pub mod image_io;
pub mod paths;

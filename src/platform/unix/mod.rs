//! Linux and other Unix systems.

pub mod fs;

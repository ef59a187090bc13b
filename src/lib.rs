//! hunch: a quiet posture monitor.
//!
//! Data flows one way: camera → frames → [`pose`] → posture estimate → policy →
//! notifier and journal → reports. Each stage is a module with a small API so tests and
//! benches can drive any stage alone.

pub mod camera;
pub mod config;
pub mod control;
pub mod diary;
pub mod eval;
pub mod frame;
pub mod image_io;
pub mod journal;
pub mod manifest;
pub mod models;
pub mod monitor;
pub mod notify;
pub mod overlay;
pub mod paths;
pub mod policy;
pub mod pose;
pub mod posture;
pub mod report;
pub mod runtime;
pub mod screen;
pub mod summary;

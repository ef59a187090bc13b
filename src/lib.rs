//! hunch: a quiet posture monitor.
//!
//! Data flows one way: camera → frames → [`pose`] → [`posture`] → [`policy`] →
//! notifier and [`journal`] → [`report`]. [`monitor`] is the chain for one stream of
//! frames; [`daemon`] is the monitor as a program (source, clock, commands, journal);
//! [`vocab`] is the ground floor every stage speaks. Each stage is a module with a small
//! API so tests and benches can drive any stage alone.

pub mod camera;
pub mod clock;
pub mod command;
pub mod config;
pub mod control;
pub mod daemon;
pub mod diary;
pub mod eval;
pub mod files;
pub mod frame;
pub mod human;
pub mod image_io;
pub mod journal;
pub mod live;
pub mod models;
pub mod monitor;
pub mod notify;
pub mod overlay;
pub mod paths;
pub mod platform;
pub mod policy;
pub mod pose;
pub mod posture;
pub mod recording;
pub mod report;
pub mod runtime;
pub mod tray;
pub mod vocab;

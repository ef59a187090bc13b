//! hunch: a quiet posture monitor.
//!
//! Data flows one way, and the modules are named for it:
//!
//! 1. [`camera`] gives frames (the webcam, or a replay of a recording);
//! 2. [`pose`] finds the upper body in a frame (BlazePose on ONNX Runtime);
//! 3. [`posture`] turns landmarks into the neck-forward angle, smoothed over time;
//! 4. [`policy`] decides when a sustained hunch deserves an alert, and when to hold;
//! 5. [`monitor`] is that chain (2–4) for one stream of frames, without I/O;
//! 6. [`daemon`] is the monitor as a program: source, clock, commands, and what each
//!    step decides sent to [`notify`] (alerts out) and [`journal`] (numbers kept);
//! 7. [`report`] sums and renders the journal; [`diary`] sets headaches beside it.
//!
//! Around the flow: [`control`] carries a person's commands to the running monitor;
//! [`live`] and [`tray`] show what it sees; [`eval`] and [`recording`] are for scoring the
//! classifier on labelled recordings. [`vocab`] is the ground floor every stage speaks
//! (states, events, journal rows); [`config`] the user's settings; [`support`] small
//! helpers (clock, paths, files, words); [`platform`] what differs between operating
//! systems. Each stage is a module with a small API, so tests and benches can drive any
//! stage alone.

pub mod camera;
pub mod config;
pub mod control;
pub mod daemon;
pub mod diary;
pub mod eval;
pub mod journal;
pub mod live;
pub mod monitor;
pub mod notify;
pub mod platform;
pub mod policy;
pub mod pose;
pub mod posture;
pub mod recording;
pub mod report;
pub mod support;
pub mod tray;
pub mod vocab;
pub mod window;

//! What hunch sees, live, for a terminal (`hunch watch`, and the view while calibrating):
//! the forward angle as a gauge against the enter and exit thresholds (so the boundaries
//! are visible), the state, how long the hunch has lasted and when an alert would come,
//! why a frame is not measured, and the day's hunched share.
//!
//! Data ([`Feed`]): against a running monitor, [`Command::Live`] over the control socket
//! four times a second (the state and the latest frame, without today's figures, so no
//! journal read; polling keeps the socket's one-request-one-reply protocol, and a stopped
//! monitor shows at once), and [`Command::Status`] every few seconds for today's figures.
//! Without one, a [`Daemon`] of the caller's — the same chain and policy as `hunch run` —
//! whose [`Daemon::live_status`] is drawn after every frame.
//!
//! Terminal ([`terminal::Terminal`]): plain ANSI on the alternate screen, restored on `q`,
//! a signal, an error or a panic.

mod draw;
mod feed;
pub mod terminal;

pub use draw::{
    calibration_view, gauge, gauge_range, holds, hunch_line, plain_line, render, screen,
};
pub use feed::{Feed, Next, Quiet, Today};

use std::time::Duration;

use thiserror::Error;

use crate::daemon::DaemonError;
use terminal::Terminal;

/// How often the screen is redrawn (and a running monitor asked).
pub const REFRESH: Duration = Duration::from_millis(250);
/// How often today's figures are asked for (they are summed from the journal).
const TODAY_EVERY: Duration = Duration::from_secs(5);

#[derive(Debug, Error)]
pub enum LiveError {
    #[error(transparent)]
    Daemon(#[from] DaemonError),
    #[error("cannot set up the terminal: {0}")]
    Terminal(#[from] std::io::Error),
}

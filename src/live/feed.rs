//! Where a live view's numbers come from: a running monitor over the control socket, or a
//! daemon of the caller's own.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::control::command::{Command, LiveStatus, Reply, Status};
use crate::control::{request, ControlError};
use crate::daemon::{Daemon, DaemonError, StopReason, Update};
use crate::notify::{Notifier, NotifyError, Stretch};
use crate::policy::Alert;
use crate::support::human::{duration, percent};

use super::*;

/// Alerts go nowhere: a live view shows, it does not prompt.
pub struct Quiet;

impl Notifier for Quiet {
    fn notify(&mut self, _: &Alert, _: &Stretch) -> Result<(), NotifyError> {
        Ok(())
    }

    fn notice(&mut self, _: &str, _: &str) {}
}

/// The day's figures, as the monitor's status gives them.
#[derive(Debug, Clone, PartialEq)]
pub struct Today {
    /// "today" for a running monitor, "since this view began" for a view's own daemon
    /// (its journal is a throwaway one).
    pub scope: &'static str,
    pub hunched_share: Option<f64>,
    pub hunched_s: f64,
    pub monitored_s: f64,
}

impl Today {
    fn of(s: &Status, scope: &'static str) -> Today {
        Today {
            scope,
            hunched_share: s.today_hunched_share,
            hunched_s: s.today_hunched_s,
            monitored_s: s.today_monitored_s,
        }
    }

    /// "today 12% hunched (3 min 00 s of 24 min 00 s monitored)".
    pub fn line(&self) -> String {
        if self.monitored_s > 0.0 {
            format!(
                "{} {} hunched ({} of {} monitored)",
                self.scope,
                percent(self.hunched_share),
                duration(self.hunched_s),
                duration(self.monitored_s)
            )
        } else {
            format!("{}: nothing monitored yet", self.scope)
        }
    }
}

/// What to draw now: the latest view (and whether a new frame came since last asked),
/// or why there is none.
pub enum Next {
    View(Box<LiveStatus>, bool),
    Gone(String),
}

enum Kind {
    /// The running monitor, over its control socket.
    Monitor(PathBuf),
    /// A daemon of the caller's.
    Own {
        daemon: Box<Daemon>,
        fresh: Arc<AtomicBool>,
        ended: Option<StopReason>,
    },
}

/// Where the view's numbers come from.
pub struct Feed {
    kind: Kind,
    today: Option<Today>,
    today_asked: Option<Instant>,
}

impl Feed {
    /// The monitor answering on the control socket `sock`.
    pub fn monitor(sock: PathBuf) -> Feed {
        Feed {
            kind: Kind::Monitor(sock),
            today: None,
            today_asked: None,
        }
    }

    /// A daemon of the caller's, run by [`Feed::next`].
    pub fn own(mut daemon: Daemon) -> Feed {
        let fresh = Arc::new(AtomicBool::new(true));
        let f = Arc::clone(&fresh);
        daemon.observe(move |u| {
            if let Update::Sample { .. } = u {
                f.store(true, Ordering::Relaxed);
            }
        });
        Feed {
            kind: Kind::Own {
                daemon: Box::new(daemon),
                fresh,
                ended: None,
            },
            today: None,
            today_asked: None,
        }
    }

    /// Advances the feed (a daemon of the caller's runs for up to `budget`; otherwise it
    /// waits out `budget`) and says what to draw.
    pub fn next(&mut self, budget: Duration) -> Result<Next, DaemonError> {
        let t = Instant::now();
        let due = self.today_asked.is_none_or(|a| a.elapsed() >= TODAY_EVERY);
        if due {
            self.today_asked = Some(t);
        }
        let next = match &mut self.kind {
            Kind::Monitor(sock) => {
                if due {
                    if let Ok(Reply::Status(s)) = request(sock, &Command::Status) {
                        self.today = Some(Today::of(&s, "today"));
                    }
                }
                let next = match request(sock, &Command::Live) {
                    Ok(Reply::Live(s)) => Next::View(s, true),
                    Ok(Reply::Error { message }) => Next::Gone(message),
                    Ok(_) => Next::Gone("the monitor answered something else".into()),
                    Err(ControlError::NotRunning(_)) => Next::Gone("the monitor stopped".into()),
                    Err(e) => Next::Gone(e.to_string()),
                };
                std::thread::sleep(budget.saturating_sub(t.elapsed()));
                next
            }
            Kind::Own {
                daemon,
                fresh,
                ended,
            } => {
                while ended.is_none() && t.elapsed() < budget {
                    *ended = daemon.tick()?;
                    if fresh.load(Ordering::Relaxed) {
                        break;
                    }
                }
                if due || ended.is_some() {
                    match daemon.status() {
                        Ok(s) => self.today = Some(Today::of(&s, "since this view began")),
                        Err(e) => tracing::debug!("no figures for the view: {e}"),
                    }
                }
                if ended.is_some() {
                    std::thread::sleep(budget.saturating_sub(t.elapsed()));
                }
                let new = fresh.swap(false, Ordering::Relaxed);
                Next::View(Box::new(daemon.live_status()), new)
            }
        };
        Ok(next)
    }

    /// Why a daemon of the caller's stopped (its recording ran out), once it has.
    pub fn ended(&self) -> Option<StopReason> {
        match &self.kind {
            Kind::Own { ended, .. } => *ended,
            Kind::Monitor(_) => None,
        }
    }

    /// The day's figures, once known.
    pub fn today(&self) -> Option<&Today> {
        self.today.as_ref()
    }

    /// The caller's daemon back, to finish it.
    pub fn into_daemon(self) -> Option<Daemon> {
        match self.kind {
            Kind::Own { daemon, .. } => Some(*daemon),
            Kind::Monitor(_) => None,
        }
    }
}

//! What the daemon writes: samples (each standing for the time since the one before),
//! events, and the day's housekeeping (retention, the day cache). Trouble writing never
//! stops the monitor: it is said once, the rows wait in memory, and the return is said.

use super::{local_date, Daemon, Update, WARM_AFTER_MIDNIGHT_S};
use crate::journal::JournalError;
use crate::monitor::Step;
use crate::vocab::{EventKind, MonitorState, SampleRow};

impl Daemon {
    /// Journals one sample taken at `(t, wall)`, standing for the time since the previous
    /// one.
    pub(super) fn record(
        &mut self,
        (t, wall): (f64, i64),
        state: MonitorState,
        forward_deg: Option<f32>,
        presence: f32,
        step: Option<&Step>,
    ) {
        let max_ms = (self.settings.max_sample_seconds * 1000.0).round() as i64;
        // The interval this sample was due after: held samples keep their own; the
        // source's cadence was set after the sample before (and is changed only after
        // this one).
        let expected = if state.is_held() {
            Some(self.settings.sample_interval)
        } else {
            self.source.cadence()
        };
        let dt = self.last_wall.map_or(0, |last| {
            sample_span_ms(wall - last, expected).clamp(0, max_ms)
        });
        self.last_wall = Some(wall);
        self.first_wall.get_or_insert(wall);
        let row = SampleRow {
            t_ms: wall,
            dt_ms: dt,
            state,
            forward_deg,
            camera_open_ms: self.source.take_open_ms(),
        };
        let written = self.journal.record(&row, presence);
        self.journal_result(written);
        if state != self.last.0 {
            tracing::info!(state = state.as_str(), "posture state changed");
        }
        self.last = (state, forward_deg);
        self.emit(&Update::Sample {
            t,
            wall_ms: wall,
            state,
            forward_deg,
            step,
        });
    }

    /// At a new local day: the keeper's chores (a few minutes after midnight, once the
    /// last samples of the day before are in).
    pub(super) fn roll_day(&mut self) {
        let now = self.clock.now();
        let date = local_date(self.clock.wall_ms(), &self.settings.tz);
        if date != self.today {
            self.today = date;
            self.warm_at = Some(now + WARM_AFTER_MIDNIGHT_S);
        }
        if self.warm_at.is_some_and(|t| now >= t) {
            self.warm_at = None;
            self.housekeeping();
        }
    }

    /// Retention, space given back, the day cache healed, the log truncated: asked of the
    /// journal's keeper, which does them on its own thread in small steps (none of it is
    /// worth stopping for; trouble is logged and the next day tries again).
    pub(super) fn housekeeping(&mut self) {
        if let Some(keeper) = &self.keeper {
            keeper.ask(crate::journal::keeper::Chore {
                now_ms: self.clock.wall_ms(),
                today: self.today,
                tz: self.settings.tz.clone(),
                retention_days: self.settings.retention_days,
            });
        }
    }

    /// Journals an event; trouble writing is handled by [`Daemon::journal_result`].
    pub(super) fn write_event(&mut self, wall: i64, kind: EventKind, detail: &str) {
        let written = self.journal.event(wall, kind, detail);
        self.journal_result(written);
    }

    /// The journal could not be written (disk full, read-only, locked): say so once, keep
    /// monitoring, keep the rows in memory (the journal retries with every batch), and
    /// say when they are written.
    pub(super) fn journal_result(&mut self, r: Result<(), JournalError>) {
        match r {
            Err(e) if !self.journal_failing => {
                self.journal_failing = true;
                let why = if e.is_full() {
                    "the disk is full".to_string()
                } else {
                    e.to_string()
                };
                tracing::warn!(
                    "cannot write the journal ({why}); hunch keeps monitoring and keeps its numbers in memory until it can"
                );
                self.notifier.notice(
                    "hunch cannot write its journal",
                    &format!(
                        "{why}. hunch keeps monitoring and writes today's numbers once it can."
                    ),
                );
                let wall = self.clock.wall_ms();
                // Pending: written with everything else once the journal works again.
                let _ = self.journal.event(wall, EventKind::JournalError, &why);
            }
            Err(_) => {}
            Ok(()) if self.journal_failing && self.journal.pending() == 0 => {
                self.journal_failing = false;
                let lost = self.journal.dropped();
                tracing::info!(
                    "the journal can be written again; nothing kept in memory was lost{}",
                    if lost > 0 {
                        format!(" except {lost} samples")
                    } else {
                        String::new()
                    }
                );
                let detail = if lost > 0 {
                    format!("{lost} samples dropped")
                } else {
                    String::new()
                };
                let wall = self.clock.wall_ms();
                let written = self.journal.event(wall, EventKind::JournalOk, &detail);
                if written.is_err() {
                    self.journal_failing = true;
                }
            }
            Ok(()) => {}
        }
    }
}

/// The time a sample stands for, ms, given the `gap` since the one before and the
/// interval it was due after (`expected`, seconds). A sample late by more than half an
/// interval (and at least 2 s) — the process was stopped, the clock jumped forward, the
/// machine stalled — stands for one interval only: the rest was not watched, and is a gap.
pub fn sample_span_ms(gap: i64, expected: Option<f64>) -> i64 {
    match expected {
        Some(e) if e > 0.0 => {
            let late = (e + (0.5 * e).max(2.0)) * 1000.0;
            if gap as f64 > late {
                (e * 1000.0).round() as i64
            } else {
                gap
            }
        }
        _ => gap,
    }
}

//! Keeping the journal small and its day cache whole, off the monitor's path: a thread of
//! its own with its own connection, doing the chores the monitor asks for (at start and
//! after each midnight) in small steps, so that a sample, a command or an alert never
//! waits for more than one step:
//!
//! * **the day cache healed**: every finished day that retention keeps, with samples and
//!   no summary for this report version and time zone, is summed and stored — all of
//!   them, once, not only the last month; first, so reports are quick soonest;
//! * **retention**: rows older than `retention_days` deleted a few thousand at a time;
//! * **space given back**: the freed pages returned to the file system (incremental
//!   auto-vacuum; a journal from before it is converted once, by one VACUUM);
//! * **the log kept small**: a truncating checkpoint after the chores (and the log is
//!   capped at [`super::JOURNAL_SIZE_LIMIT`] when SQLite resets it).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::Journal;

/// Rows deleted per transaction: a few milliseconds of the write lock each.
const PRUNE_BATCH: usize = 5_000;
/// Pages returned to the file system per step.
const VACUUM_STEP: u32 = 2_000;
/// A breath between steps, for the monitor's own writes.
const BREATH: Duration = Duration::from_millis(5);

/// What the monitor asks for.
#[derive(Debug, Clone)]
pub struct Chore {
    /// The monitor's wall clock now (Unix ms).
    pub now_ms: i64,
    /// The local date now, in `tz`.
    pub today: Date,
    pub tz: TimeZone,
    /// Samples and events older than this many days are deleted.
    pub retention_days: u32,
}

/// The keeper's thread; [`Keeper::stop`] (or dropping it) ends it after the current step.
pub struct Keeper {
    tx: Option<Sender<Chore>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Keeper {
    /// Starts the thread for the journal at `path`.
    pub fn start(path: PathBuf) -> Keeper {
        let (tx, rx) = channel();
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("hunch-journal-keeper".into())
            .spawn(move || run(path, rx, &flag))
            .map_err(|e| tracing::warn!("journal upkeep will not run: {e}"))
            .ok();
        Keeper {
            tx: Some(tx),
            stop,
            thread,
        }
    }

    /// Asks for the chores (never waits).
    pub fn ask(&self, chore: Chore) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(chore);
        }
    }

    /// Ends the thread after its current step, and waits for it.
    pub fn stop(mut self) {
        self.end();
    }

    /// Lets the thread finish every chore asked for so far, then ends it and waits.
    pub fn finish(mut self) {
        self.join();
    }

    fn end(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        self.join();
    }

    /// Closes the channel (the thread ends once its chores are done) and waits for it.
    fn join(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Keeper {
    fn drop(&mut self) {
        self.end();
    }
}

fn run(path: PathBuf, rx: Receiver<Chore>, stop: &AtomicBool) {
    let Ok(chore) = rx.recv() else { return };
    let mut journal = match Journal::open(&path) {
        Ok((j, _)) => j,
        Err(e) => {
            tracing::warn!("journal upkeep will not run: {e}");
            return;
        }
    };
    let mut next = Some(chore);
    while let Some(chore) = next.take() {
        // The latest request stands for any that queued meanwhile.
        let chore = rx.try_iter().last().unwrap_or(chore);
        if let Err(e) = chores(&mut journal, &chore, stop) {
            tracing::warn!("journal upkeep stopped for now: {e}");
        }
        next = rx.recv().ok();
    }
}

fn chores(j: &mut Journal, c: &Chore, stop: &AtomicBool) -> Result<(), super::JournalError> {
    let began = std::time::Instant::now();
    let cutoff = c.now_ms - i64::from(c.retention_days) * 86_400_000;
    // Reports first: every finished day that retention keeps, summed once for this
    // version and zone (a few milliseconds a day), so a report is quick even while the
    // slower chores below are still going.
    if let Some(first_ms) = j.first_sample_ms()? {
        let first = jiff::Timestamp::from_millisecond(first_ms.max(cutoff))
            .map(|t| t.to_zoned(c.tz.clone()).date())
            .unwrap_or(c.today);
        let mut d = first;
        let mut cached = 0;
        while d < c.today && !stop.load(Ordering::SeqCst) {
            match crate::report::store::cache_finished_day(j, d, &c.tz, c.now_ms) {
                Ok(true) => {
                    cached += 1;
                    std::thread::sleep(BREATH)
                }
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!("the summary of {d} was not cached: {e}");
                    break;
                }
            }
            let Ok(next) = d.tomorrow() else { break };
            d = next;
        }
        if cached > 0 {
            tracing::info!("summed {cached} finished days for reports");
        }
    }
    // Retention, a batch at a time.
    let mut removed = 0;
    while !stop.load(Ordering::SeqCst) {
        let n = j.prune_batch(cutoff, PRUNE_BATCH)?;
        removed += n;
        if n == 0 {
            break;
        }
        std::thread::sleep(BREATH);
    }
    if removed > 0 {
        tracing::info!(
            "removed {removed} journal rows older than {} days",
            c.retention_days
        );
    }
    // Space given back, a step at a time.
    if !stop.load(Ordering::SeqCst) {
        j.prepare_vacuum()?;
    }
    while !stop.load(Ordering::SeqCst) && j.vacuum_step(VACUUM_STEP)? > 0 {
        std::thread::sleep(BREATH);
    }
    if !stop.load(Ordering::SeqCst) {
        j.checkpoint()?;
        // Once a day at most: says the journal is tidy, and how long it took.
        tracing::info!(
            "journal upkeep done in {:.1} s",
            began.elapsed().as_secs_f64()
        );
    }
    Ok(())
}

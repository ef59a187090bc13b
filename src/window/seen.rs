//! What the window shows, and the thread that keeps it current.
//!
//! A [`Watcher`] runs a live [`Feed`] (the running monitor over the control channel, or a
//! daemon of the window's own on the camera or a recording) on a thread of its own and
//! writes what it learns into one shared [`Seen`]; the window only reads it. The UI thread
//! never waits on the camera, the pose engine or the journal.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use jiff::tz::TimeZone;

use crate::control::command::{Command, LiveStatus, Reply};
use crate::control::request;
use crate::control::sight::{Picture, PICTURE_WIDTH};
use crate::daemon::{Daemon, StopReason, Update};
use crate::journal::Journal;
use crate::live::{Feed, Next, Today, REFRESH};
use crate::report::DaySummary;

/// How often the day's summary is read again from the journal.
const DAY_EVERY: Duration = Duration::from_secs(10);

/// Everything the window shows, as last learnt.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// Where the numbers come from ("the running monitor", a recording's path).
    pub source: String,
    pub view: Option<LiveStatus>,
    pub today: Option<Today>,
    /// The latest frame's picture (from the running monitor, once its next frame came
    /// after the window first asked).
    /// Shared, so that reading what is seen copies no pixels.
    pub picture: Option<Arc<Picture>>,
    /// Today's summary from the journal, as the reports compute it (shared, like the
    /// picture: the window reads what is seen on every repaint).
    pub day: Option<Arc<DaySummary>>,
    /// Why there is nothing to show (the monitor stopped), or why the view ended (the
    /// recording ran out).
    pub ended: Option<String>,
}

/// What to call when [`Seen`] changes.
type Wake = Box<dyn Fn() + Send>;

/// The shared [`Seen`] and whom to wake when it changes.
#[derive(Clone, Default)]
pub struct Shared {
    seen: Arc<Mutex<Seen>>,
    wake: Arc<Mutex<Option<Wake>>>,
}

impl Shared {
    /// The current [`Seen`], read under its lock (a poisoned lock still reads: a panic
    /// elsewhere must not blank the window).
    pub fn seen(&self) -> MutexGuard<'_, Seen> {
        self.seen.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Calls `wake` after every change (the window asks for a repaint).
    pub fn on_change(&self, wake: impl Fn() + Send + 'static) {
        *self.wake.lock().unwrap_or_else(|p| p.into_inner()) = Some(Box::new(wake));
    }

    /// Changes what is seen with `f`, which says whether anything changed: only then is
    /// the window woken (each repaint renders a whole frame of the window).
    fn update(&self, f: impl FnOnce(&mut Seen) -> bool) {
        if !f(&mut self.seen()) {
            return;
        }
        if let Some(wake) = &*self.wake.lock().unwrap_or_else(|p| p.into_inner()) {
            wake();
        }
    }
}

/// Where the window's numbers come from.
pub enum Source {
    /// The running monitor, on its control channel; the day from `journal`.
    Monitor { socket: PathBuf, journal: PathBuf },
    /// A daemon of the window's own (the same chain and policy as `hunch run`), on the
    /// camera or a recording, journaling to a throwaway file at `journal`.
    Own {
        daemon: Box<Daemon>,
        journal: PathBuf,
    },
}

/// Keeps a [`Shared`] current from a [`Source`] on a thread of its own, until dropped.
pub struct Watcher {
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<Option<Daemon>>>,
    /// The window's own daemon, once the thread has handed it back.
    daemon: Option<Daemon>,
}

impl Watcher {
    pub fn start(source: Source, label: String, shared: Shared) -> std::io::Result<Watcher> {
        shared.update(|s| {
            s.source = label;
            true
        });
        let stop = Arc::new(AtomicBool::new(false));
        let stop_thread = Arc::clone(&stop);
        let thread = std::thread::Builder::new()
            .name("hunch-window-feed".into())
            .spawn(move || watch(source, &shared, &stop_thread))?;
        Ok(Watcher {
            stop,
            thread: Some(thread),
            daemon: None,
        })
    }

    /// Stops the thread and hands back the window's own daemon (to finish it), if any.
    pub fn stop(mut self) -> Option<Daemon> {
        self.halt();
        self.daemon.take()
    }

    fn halt(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            self.daemon = t.join().ok().flatten();
        }
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        self.halt();
    }
}

fn watch(source: Source, shared: &Shared, stop: &AtomicBool) -> Option<Daemon> {
    // Against a running monitor: its socket, to ask for the picture.
    let mut monitor: Option<PathBuf> = None;
    let (mut feed, journal) = match source {
        Source::Monitor { socket, journal } => {
            monitor = Some(socket.clone());
            (Feed::monitor(socket), journal)
        }
        Source::Own {
            mut daemon,
            journal,
        } => {
            let pictures = shared.clone();
            let mut seq = 0;
            daemon.observe(move |u| {
                if let Update::Frame { image, pose } = u {
                    seq += 1;
                    let p = Picture::of(image, *pose, PICTURE_WIDTH, seq);
                    pictures.update(|s| {
                        s.picture = Some(Arc::new(p));
                        true
                    });
                }
            });
            (Feed::own(*daemon), journal)
        }
    };
    let mut day_read: Option<Instant> = None;
    // The monitor's frame the window has the picture of, and how many it had.
    let (mut sight_ms, mut sights) = (None, 0);
    while !stop.load(Ordering::Relaxed) {
        match feed.next(REFRESH) {
            Ok(Next::View(v, _)) => {
                let today = feed.today().cloned();
                shared.update(|s| {
                    let same =
                        s.view.as_ref() == Some(&*v) && s.today == today && s.ended.is_none();
                    s.view = Some(*v);
                    s.today = today;
                    s.ended = None;
                    !same
                });
                if let Some(socket) = &monitor {
                    // Asked every turn: the monitor keeps a picture only while asked, and
                    // sends one only when its frame is newer than ours.
                    let after_ms = sight_ms;
                    if let Ok(Reply::Sight(sight)) = request(socket, &Command::Sight { after_ms }) {
                        sights += 1;
                        match sight.picture(sights) {
                            Ok(p) => {
                                sight_ms = Some(sight.frame_wall_ms);
                                shared.update(|s| {
                                    s.picture = Some(Arc::new(p));
                                    true
                                });
                            }
                            Err(e) => tracing::debug!("{e}"),
                        }
                    }
                }
            }
            Ok(Next::Gone(why)) => shared.update(|s| s.ended.replace(why.clone()) != Some(why)),
            Err(e) => {
                shared.update(|s| {
                    s.ended = Some(e.to_string());
                    true
                });
                break;
            }
        }
        if let Some(reason) = feed.ended() {
            let why = match reason {
                StopReason::EndOfRecording => "the recording ended".to_string(),
                other => other.as_str().to_string(),
            };
            shared.update(|s| s.ended.replace(why.clone()) != Some(why));
        }
        let over = feed.ended().is_some();
        if over || day_read.is_none_or(|t| t.elapsed() >= DAY_EVERY) {
            day_read = Some(Instant::now());
            match read_day(&journal) {
                Ok(day) => {
                    let day = Arc::new(day);
                    shared.update(|s| s.day.replace(Arc::clone(&day)) != Some(day))
                }
                Err(e) => tracing::debug!("no day summary for the window yet: {e}"),
            }
        }
        if over {
            // Nothing more will come (the day was read once more above); keep the last
            // picture and figures on screen.
            while !stop.load(Ordering::Relaxed) {
                std::thread::sleep(REFRESH);
            }
        }
    }
    feed.into_daemon()
}

/// Today's summary from the journal at `path`, read-only (the monitor may be writing it).
fn read_day(path: &std::path::Path) -> Result<DaySummary, String> {
    let journal = Journal::open_read_only(path).map_err(|e| e.to_string())?;
    let tz = TimeZone::system();
    let today = jiff::Zoned::now().with_time_zone(tz.clone()).date();
    crate::report::store::day(&journal, today, &tz).map_err(|e| e.to_string())
}

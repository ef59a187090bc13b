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

use image::RgbImage;
use jiff::tz::TimeZone;

use crate::control::command::LiveStatus;
use crate::daemon::{Daemon, StopReason, Update};
use crate::journal::Journal;
use crate::live::{Feed, Next, Today, REFRESH};
use crate::pose::Pose;
use crate::report::DaySummary;

/// The landmarks drawn on the picture: the face's nose, eyes and ears, the shoulders,
/// elbows and hips (BlazePose's indices).
pub const UPPER_BODY: [usize; 11] = [0, 2, 5, 7, 8, 11, 12, 13, 14, 23, 24];

/// A landmark is drawn when the model is at least this sure it is visible.
const VISIBLE: f32 = 0.5;

/// The picture's width at most, in pixels: enough for a window's page, a fraction of a
/// camera frame to copy and upload.
const PICTURE_WIDTH: u32 = 480;

/// How often the day's summary is read again from the journal.
const DAY_EVERY: Duration = Duration::from_secs(10);

/// A frame as the window shows it: downscaled, with the upper body's landmarks in its own
/// pixels. Held in memory only, and only while the window is open.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    pub width: u32,
    pub height: u32,
    /// RGB, row by row.
    pub rgb: Vec<u8>,
    /// [`UPPER_BODY`]'s landmarks in this picture's pixels, `None` where not visible.
    pub points: [Option<[f32; 2]>; UPPER_BODY.len()],
    /// Counts pictures, so the window uploads each one once.
    pub seq: u64,
}

impl Picture {
    /// `image` scaled to at most `max_width` pixels wide (never up), and `pose`'s upper
    /// body in the scaled picture's pixels.
    pub fn of(image: &RgbImage, pose: Option<&Pose>, max_width: u32, seq: u64) -> Picture {
        let (w, h) = image.dimensions();
        let scale = if w > max_width {
            max_width as f32 / w as f32
        } else {
            1.0
        };
        let (pw, ph) = (
            ((w as f32 * scale).round() as u32).max(1),
            ((h as f32 * scale).round() as u32).max(1),
        );
        let rgb = if (pw, ph) == (w, h) {
            image.as_raw().clone()
        } else {
            image::imageops::resize(image, pw, ph, image::imageops::FilterType::Triangle).into_raw()
        };
        let mut points = [None; UPPER_BODY.len()];
        if let Some(p) = pose {
            for (slot, &i) in points.iter_mut().zip(UPPER_BODY.iter()) {
                let l = p.landmarks[i];
                // Landmarks are normalised to the frame.
                if l.visibility >= VISIBLE {
                    *slot = Some([l.x * pw as f32, l.y * ph as f32]);
                }
            }
        }
        Picture {
            width: pw,
            height: ph,
            rgb,
            points,
            seq,
        }
    }

    /// A landmark by its BlazePose index, if it is one of [`UPPER_BODY`] and visible.
    pub fn point(&self, landmark: usize) -> Option<[f32; 2]> {
        let i = UPPER_BODY.iter().position(|&l| l == landmark)?;
        self.points[i]
    }
}

/// Everything the window shows, as last learnt.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    /// Where the numbers come from ("the running monitor", a recording's path).
    pub source: String,
    pub view: Option<LiveStatus>,
    pub today: Option<Today>,
    /// The latest frame; `None` against a running monitor (it keeps its frames).
    pub picture: Option<Picture>,
    /// Today's summary from the journal, as the reports compute it.
    pub day: Option<DaySummary>,
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

    fn update(&self, f: impl FnOnce(&mut Seen)) {
        f(&mut self.seen());
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
        shared.update(|s| s.source = label);
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
    let (mut feed, journal) = match source {
        Source::Monitor { socket, journal } => (Feed::monitor(socket), journal),
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
                    pictures.update(|s| s.picture = Some(p));
                }
            });
            (Feed::own(*daemon), journal)
        }
    };
    let mut day_read: Option<Instant> = None;
    while !stop.load(Ordering::Relaxed) {
        match feed.next(REFRESH) {
            Ok(Next::View(v, _)) => {
                let today = feed.today().cloned();
                shared.update(|s| {
                    s.view = Some(*v);
                    s.today = today;
                    s.ended = None;
                });
            }
            Ok(Next::Gone(why)) => shared.update(|s| s.ended = Some(why)),
            Err(e) => {
                shared.update(|s| s.ended = Some(e.to_string()));
                break;
            }
        }
        if let Some(reason) = feed.ended() {
            shared.update(|s| {
                s.ended = Some(match reason {
                    StopReason::EndOfRecording => "the recording ended".to_string(),
                    other => other.as_str().to_string(),
                })
            });
        }
        let over = feed.ended().is_some();
        if over || day_read.is_none_or(|t| t.elapsed() >= DAY_EVERY) {
            day_read = Some(Instant::now());
            match read_day(&journal) {
                Ok(day) => shared.update(|s| s.day = Some(day)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pose::{Landmark, NUM_LANDMARKS};

    fn pose_at(points: &[(usize, [f32; 2], f32)]) -> Pose {
        let mut landmarks = [Landmark::default(); NUM_LANDMARKS];
        for &(i, [x, y], visibility) in points {
            landmarks[i] = Landmark {
                x,
                y,
                visibility,
                ..Landmark::default()
            };
        }
        Pose {
            landmarks,
            world: [[0.0; 3]; NUM_LANDMARKS],
        }
    }

    #[test]
    fn a_picture_is_scaled_down_with_its_landmarks_and_hides_unsure_ones() {
        let mut image = RgbImage::new(960, 720);
        image.put_pixel(100, 100, image::Rgb([255, 0, 0]));
        let pose = pose_at(&[(7, [0.25, 0.5], 0.9), (8, [0.75, 0.5], 0.2)]);
        let p = Picture::of(&image, Some(&pose), 480, 3);
        assert_eq!((p.width, p.height), (480, 360));
        assert_eq!(p.rgb.len(), 480 * 360 * 3);
        assert_eq!(p.point(7), Some([120.0, 180.0]));
        assert_eq!(p.point(8), None, "visibility 0.2 is not drawn");
        assert_eq!(p.point(1), None, "not an upper-body landmark we draw");
        assert_eq!(p.seq, 3);
    }

    #[test]
    fn a_small_picture_is_kept_as_it_is() {
        let image = RgbImage::from_pixel(320, 240, image::Rgb([1, 2, 3]));
        let p = Picture::of(&image, None, 480, 1);
        assert_eq!((p.width, p.height), (320, 240));
        assert_eq!(&p.rgb[..3], &[1, 2, 3]);
        assert!(p.points.iter().all(Option::is_none));
    }
}

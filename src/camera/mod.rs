//! Where frames come from. Everything downstream sees only [`FrameSource`]: the real
//! camera ([`webcam::Webcam`]) and a [`replay::Replay`] of a recording look the same.

pub mod frame;
pub mod replay;
pub mod sharing;
pub mod webcam;

use std::time::Duration;

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::support::clock::Clock;
use crate::vocab::BadSetting;
pub use frame::{Exposure, Frame};
pub use sharing::Sharing;

#[derive(Debug, Error)]
pub enum SourceError {
    #[error(transparent)]
    Recording(#[from] crate::recording::RecordingError),
    #[error(transparent)]
    Image(#[from] crate::support::image_io::ImageError),
    #[error("camera: {0}")]
    Camera(String),
}

/// What a source has when asked.
#[derive(Debug)]
pub enum Poll {
    /// A frame, just taken (or, for a replay, due now).
    Frame(Frame),
    /// Nothing yet: ask again.
    Idle,
    /// The recording is over.
    End,
    /// The source cannot deliver now (camera unplugged, busy, forbidden; a damaged frame
    /// in a recording); it keeps trying. The text says why.
    Trouble(String),
}

pub trait FrameSource: Send {
    /// The next frame if one is due within `wait` of `clock`'s time.
    fn poll(&mut self, clock: &dyn Clock, wait: Duration) -> Result<Poll, SourceError>;

    /// Lets go while monitoring is held: the camera closes (its light goes off); a replay
    /// drops the frames that fall due meanwhile. Returns false when the source has nothing
    /// more to give (the end of a recording).
    fn release(&mut self, clock: &dyn Clock) -> bool;

    /// The next frame as soon as there is one, or `None` at the end of a recording: for
    /// one-shot readers (calibration, `hunch record`).
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError>;

    /// A stable name for the source, stored with the calibration.
    fn id(&self) -> String;

    /// Whether this is a device the user can act on (plug in, free, allow): its trouble
    /// is worth a notification. A replay's bad frame is only skipped.
    fn is_device(&self) -> bool {
        false
    }

    /// How long the device has been open (its light on) since the last call, ms. A replay
    /// has no device: 0.
    fn take_open_ms(&mut self) -> i64 {
        0
    }

    /// How often to sample from now on: at the full rate (`true`: a hunch may be forming
    /// or is under way) or at the steady rate (`false`: upright and steady, or away). See
    /// [`CameraParams`]. A source starts at the full rate; one without a cadence (a plain
    /// replay) ignores this.
    fn set_attentive(&mut self, _attentive: bool) {}

    /// The time this source means to leave between samples now, seconds, when it keeps a
    /// cadence (a camera; a replay sampled like one). A sample that comes much later than
    /// that stands for no more than one interval: the time between was not watched (the
    /// process was stopped, the clock jumped). `None`: every recorded frame is a sample.
    fn cadence(&self) -> Option<f64> {
        None
    }

    /// A change in who has the camera since the last call, if any: another application
    /// took it, or gave it back. Called on every turn of the daemon's loop; must not block.
    fn sharing(&mut self) -> Option<Sharing> {
        None
    }
}

/// How the camera is used: which one, how often, when to let go of it.
///
/// The camera is sampled at one of two rates. While you sit upright and steady (or are
/// away) hunch takes one frame every `steady_interval_seconds`, opening the device for it
/// and closing it again. As soon as one reading comes forward of the posture filter's exit
/// threshold, and for as long as a hunch episode is forming or under way, it samples every
/// `interval_seconds` (the full rate). Whatever the rate, the device stays open between two
/// samples only when the next is due sooner than `release_after_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CameraParams {
    /// Which camera (`hunch cameras` lists them).
    pub index: u32,
    /// Seconds between samples at the full rate: while a hunch may be forming or is under
    /// way (and for one-shot readers: calibration, `hunch record`).
    pub interval_seconds: f64,
    /// Seconds between samples while upright and steady, or away. Equal to
    /// `interval_seconds`, the camera is sampled at one rate all the time.
    pub steady_interval_seconds: f64,
    /// Keep the device open between two samples only when the next is due sooner than
    /// this; otherwise close it after each sample (the camera light goes off).
    pub release_after_seconds: f64,
    /// Largest frame size to ask for; the pose model works on small crops anyway.
    pub max_width: u32,
    pub max_height: u32,
    /// Frames to skip after opening at most, while they are dark (auto exposure settling).
    pub warmup_frames: u32,
    /// `auto` (MJPEG when offered), or force `mjpeg` or `yuyv`.
    pub pixel_format: PixelFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PixelFormat {
    #[default]
    Auto,
    Mjpeg,
    Yuyv,
}

impl Default for CameraParams {
    fn default() -> Self {
        Self {
            index: 0,
            interval_seconds: 1.0,
            steady_interval_seconds: 6.0,
            release_after_seconds: 3.0,
            max_width: 640,
            max_height: 480,
            warmup_frames: 10,
            pixel_format: PixelFormat::Auto,
        }
    }
}

/// The longest sampling interval hunch accepts: a sample may stand for at most a few
/// intervals, and never more than [`crate::vocab::MAX_SAMPLE_SECONDS`].
const MAX_INTERVAL_SECONDS: f64 = crate::vocab::MAX_SAMPLE_SECONDS / 3.0;

/// The longest steady interval: an episode whose first forward reading came after a
/// steady gap is dated back by at most this much ([`crate::policy::MAX_GAP_CREDIT_SECONDS`]),
/// so that a longer gap would make alerts later than sampling at the full rate.
const MAX_STEADY_INTERVAL_SECONDS: f64 = crate::policy::MAX_GAP_CREDIT_SECONDS;

impl CameraParams {
    /// Each value's accepted range.
    pub fn limits(&self) -> Vec<crate::vocab::Limit> {
        use crate::vocab::Limit;
        vec![
            Limit::new("index", self.index as f64, 0.0..=255.0),
            // The steady rate is never faster than the full one, so the full rate can be
            // no slower than the slowest steady rate.
            Limit::new(
                "interval_seconds",
                self.interval_seconds,
                0.05..=MAX_INTERVAL_SECONDS.min(MAX_STEADY_INTERVAL_SECONDS),
            ),
            Limit::new(
                "steady_interval_seconds",
                self.steady_interval_seconds,
                0.05..=MAX_STEADY_INTERVAL_SECONDS,
            )
            .narrowed(
                self.interval_seconds,
                f64::INFINITY,
                format!(
                    "it must be at least interval_seconds ({})",
                    self.interval_seconds
                ),
            ),
            Limit::new(
                "release_after_seconds",
                self.release_after_seconds,
                0.0..=86_400.0,
            ),
            Limit::new("max_width", self.max_width as f64, 64.0..=8192.0),
            Limit::new("max_height", self.max_height as f64, 64.0..=8192.0),
            Limit::new("warmup_frames", self.warmup_frames as f64, 0.0..=300.0),
        ]
    }

    pub fn validate(&self) -> Result<(), BadSetting> {
        crate::vocab::Limit::check_all(&self.limits())
    }

    /// How long one sample may stand for: a few of the longer of the two intervals (a late
    /// frame still counts), at least 5 s, at most [`crate::vocab::MAX_SAMPLE_SECONDS`].
    /// Longer gaps (hunch stopped, the machine slept) are gaps, not monitored time.
    pub fn max_sample_seconds(&self) -> f64 {
        (3.0 * self.interval_seconds.max(self.steady_interval_seconds))
            .clamp(5.0, crate::vocab::MAX_SAMPLE_SECONDS)
    }

    /// Seconds between samples at the full rate (`attentive`) or the steady rate.
    pub fn interval(&self, attentive: bool) -> f64 {
        if attentive {
            self.interval_seconds
        } else {
            self.steady_interval_seconds.max(self.interval_seconds)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_two_rates_are_checked_and_name_their_key() {
        let d = CameraParams::default();
        assert!(d.validate().is_ok());
        // The steady rate is the slower one, and at most the gap an alert is credited.
        for steady in [0.5, MAX_STEADY_INTERVAL_SECONDS + 1.0, f64::NAN] {
            let p = CameraParams {
                steady_interval_seconds: steady,
                ..d
            };
            assert_eq!(p.validate().unwrap_err().key, "steady_interval_seconds");
        }
        let one_rate = CameraParams {
            steady_interval_seconds: 1.0,
            ..d
        };
        assert!(one_rate.validate().is_ok());
        assert_eq!(
            (one_rate.interval(true), one_rate.interval(false)),
            (1.0, 1.0)
        );
        assert_eq!((d.interval(true), d.interval(false)), (1.0, 6.0));
        // A sample at the steady rate may stand for its whole interval and more.
        assert!(d.max_sample_seconds() >= 3.0 * d.steady_interval_seconds);
    }
}

//! One-time calibration: a few seconds of the user sitting upright become the neutral
//! profile every later reading is measured against. Calibration refuses, saying why and
//! what to do, rather than store a profile that would make every later decision wrong.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use super::features::{extract, Features, Rejection};
use super::model::Neutral;
use crate::camera::Exposure;
use crate::pose::PoseEstimate;

/// Fewer usable frames than this cannot give a mean and a spread worth storing.
pub const MIN_FRAMES: usize = 5;
/// At least this share of the frames must be usable.
const MIN_USABLE_SHARE: f32 = 0.7;
/// The head (eye midpoint) may wander by this much, as a standard deviation in shoulder
/// widths, before we call the pose unstable (about 1 cm for 40 cm shoulders).
pub const MAX_HEAD_SD: f32 = 0.03;
/// Head height ratio spread allowed (shoulder widths).
pub const MAX_HEIGHT_SD: f32 = 0.03;
// (Both limits are equal; the larger of the two spreads is checked against it.)

#[derive(Debug, Clone, Error, PartialEq)]
pub enum CalibrationError {
    #[error("no frames were captured; check that the camera works (`hunch cameras`)")]
    NoFrames,
    #[error("{blank} of {total} frames are dark or blank: uncover the lens or turn on a light")]
    Blank { blank: usize, total: usize },
    #[error("only {usable} of {total} frames could be measured: {advice}")]
    Rejected {
        usable: usize,
        total: usize,
        reason: Rejection,
        advice: &'static str,
    },
    #[error("you moved during calibration (your head wandered by {spread:.0}% of your shoulder width); sit still, upright, looking at the screen, and try again")]
    Unstable { spread: f32 },
}

/// Collects frames for one calibration.
#[derive(Debug, Default)]
pub struct Calibrator {
    total: usize,
    blank: usize,
    rejections: Vec<Rejection>,
    features: Vec<Features>,
}

/// What one frame contributed, for a live indicator.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FrameVerdict {
    Blank,
    Rejected(Rejection),
    Usable,
}

impl Calibrator {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, exposure: Exposure, est: &PoseEstimate) -> FrameVerdict {
        self.total += 1;
        if exposure.is_blank() {
            self.blank += 1;
            return FrameVerdict::Blank;
        }
        match extract(est) {
            Ok(f) => {
                self.features.push(f);
                FrameVerdict::Usable
            }
            Err(r) => {
                self.rejections.push(r);
                FrameVerdict::Rejected(r)
            }
        }
    }

    /// Current head wander in shoulder widths (the live stability indicator).
    pub fn head_spread(&self) -> Option<f32> {
        (self.features.len() >= 2).then(|| head_spread(&self.features))
    }

    /// The neutral posture, or why these frames cannot give one.
    pub fn finish(&self) -> Result<(Neutral, usize), CalibrationError> {
        if self.total == 0 {
            return Err(CalibrationError::NoFrames);
        }
        if self.blank as f32 > (1.0 - MIN_USABLE_SHARE) * self.total as f32 {
            return Err(CalibrationError::Blank {
                blank: self.blank,
                total: self.total,
            });
        }
        let usable = self.features.len();
        if usable < MIN_FRAMES || (usable as f32) < MIN_USABLE_SHARE * self.total as f32 {
            let reason = most_common(&self.rejections).unwrap_or(Rejection::NoPerson);
            return Err(CalibrationError::Rejected {
                usable,
                total: self.total,
                reason,
                advice: reason.advice(),
            });
        }
        let neutral = Neutral::from_features(&self.features);
        let spread = head_spread(&self.features).max(neutral.head_height.sd);
        if spread > MAX_HEAD_SD.max(MAX_HEIGHT_SD) {
            return Err(CalibrationError::Unstable {
                spread: 100.0 * spread,
            });
        }
        Ok((neutral, usable))
    }

    /// The neutral posture without the stability check, for evaluating on labelled sets
    /// whose upright frames were not taken as one still sitting. Returns the spread too.
    pub fn finish_ignoring_movement(&self) -> Result<(Neutral, f32), CalibrationError> {
        match self.finish() {
            Ok((n, _)) => Ok((n, head_spread(&self.features))),
            Err(CalibrationError::Unstable { spread }) => {
                Ok((Neutral::from_features(&self.features), spread / 100.0))
            }
            Err(e) => Err(e),
        }
    }
}

/// Standard deviation of the eye midpoint's position, in mean shoulder widths.
fn head_spread(fs: &[Features]) -> f32 {
    let n = fs.len() as f32;
    let width = fs.iter().map(|f| f.shoulder_width).sum::<f32>() / n;
    let mx = fs.iter().map(|f| f.head_mid[0]).sum::<f32>() / n;
    let my = fs.iter().map(|f| f.head_mid[1]).sum::<f32>() / n;
    let var = fs
        .iter()
        .map(|f| (f.head_mid[0] - mx).powi(2) + (f.head_mid[1] - my).powi(2))
        .sum::<f32>()
        / n;
    var.sqrt() / width.max(1.0)
}

fn most_common(rs: &[Rejection]) -> Option<Rejection> {
    let mut best: Option<(Rejection, usize)> = None;
    for r in rs {
        let c = rs.iter().filter(|x| *x == r).count();
        if best.is_none_or(|(_, bc)| c > bc) {
            best = Some((*r, c));
        }
    }
    best.map(|(r, _)| r)
}

/// The stored profile: the neutral posture and what it was measured with, so that hunch
/// can say when a different camera or resolution needs a new calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub version: u32,
    /// RFC 3339 time of calibration.
    pub created: String,
    /// Camera name or recording path.
    pub source: String,
    pub width: u32,
    pub height: u32,
    pub model: String,
    pub frames: usize,
    pub neutral: Neutral,
}

#[derive(Debug, Error)]
pub enum ProfileError {
    #[error("no calibration yet: sit upright in front of the camera and run `hunch calibrate` first (it takes a few seconds)")]
    Missing,
    #[error("cannot read calibration {path}: {reason}; run `hunch calibrate` again")]
    Unreadable { path: PathBuf, reason: String },
    #[error("cannot save calibration to {path}: {reason}")]
    Write { path: PathBuf, reason: String },
    #[error("no config directory: set HOME or XDG_CONFIG_HOME")]
    NoConfigDir,
    #[error("calibration {path}: {source}; run `hunch calibrate` again")]
    Invalid {
        path: PathBuf,
        source: crate::vocab::BadSetting,
    },
}

pub const PROFILE_VERSION: u32 = 1;

impl Calibration {
    /// `$XDG_CONFIG_HOME/hunch/calibration.toml`.
    pub fn default_path() -> Result<PathBuf, ProfileError> {
        crate::support::paths::config_dir()
            .map(|d| d.join("calibration.toml"))
            .ok_or(ProfileError::NoConfigDir)
    }

    pub fn load(path: &Path) -> Result<Calibration, ProfileError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ProfileError::Missing)
            }
            Err(e) => {
                return Err(ProfileError::Unreadable {
                    path: path.into(),
                    reason: e.to_string(),
                })
            }
        };
        let cal: Calibration = toml::from_str(&text).map_err(|e| ProfileError::Unreadable {
            path: path.into(),
            reason: e.message().to_string(),
        })?;
        if cal.version != PROFILE_VERSION {
            return Err(ProfileError::Unreadable {
                path: path.into(),
                reason: format!(
                    "it is version {}, this hunch reads {PROFILE_VERSION}",
                    cal.version
                ),
            });
        }
        cal.neutral
            .validate()
            .map_err(|source| ProfileError::Invalid {
                path: path.into(),
                source,
            })?;
        if cal.width == 0 || cal.height == 0 || cal.frames == 0 {
            return Err(ProfileError::Invalid {
                path: path.into(),
                source: crate::vocab::BadSetting::new(
                    "width, height and frames",
                    "must be above 0",
                ),
            });
        }
        Ok(cal)
    }

    /// Writes atomically (temp file + rename), user-only permissions.
    pub fn save(&self, path: &Path) -> Result<(), ProfileError> {
        let fail = |e: crate::support::files::FileError| ProfileError::Write {
            path: path.into(),
            reason: e.to_string(),
        };
        let text = toml::to_string_pretty(self).map_err(|e| ProfileError::Write {
            path: path.into(),
            reason: e.to_string(),
        })?;
        crate::support::paths::write_private(path, text.as_bytes()).map_err(fail)
    }

    /// Why this profile does not fit frames from `source` (when known) at
    /// `width`×`height`, if it doesn't.
    pub fn mismatch(
        &self,
        source: Option<&str>,
        width: u32,
        height: u32,
        model: &str,
    ) -> Option<String> {
        if let Some(source) = source.filter(|s| *s != self.source) {
            return Some(format!(
                "the calibration was made with {}, not {source}: run `hunch calibrate` again",
                self.source
            ));
        }
        if (self.width, self.height) != (width, height) {
            return Some(format!(
                "the calibration was made at {}×{}, frames are now {width}×{height}: run `hunch calibrate` again",
                self.width, self.height
            ));
        }
        if self.model != model {
            return Some(format!(
                "the calibration was made with the {} model, not {model}: run `hunch calibrate` again",
                self.model
            ));
        }
        None
    }
}

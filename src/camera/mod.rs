//! Where frames come from. Everything downstream sees only [`FrameSource`]: the real
//! camera ([`webcam::Webcam`]) and a [`replay::Replay`] of a recording look the same.

pub mod replay;
pub mod webcam;

use image::RgbImage;
use thiserror::Error;

/// One frame, in memory only.
#[derive(Debug, Clone)]
pub struct Frame {
    pub image: RgbImage,
    /// Seconds since the source started (the recording's own clock for replays).
    pub t: f64,
    pub index: u64,
}

#[derive(Debug, Error)]
pub enum SourceError {
    #[error("{path}: no such file or directory")]
    NotFound { path: std::path::PathBuf },
    #[error("{path}: no images found (expected PNG or JPEG frames)")]
    Empty { path: std::path::PathBuf },
    #[error("{0}")]
    Image(#[from] crate::image_io::ImageError),
    #[error("{path}: {reason}")]
    Manifest {
        path: std::path::PathBuf,
        reason: String,
    },
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error("camera: {0}")]
    Camera(String),
}

pub trait FrameSource {
    /// The next frame, or `None` at the end of a recording.
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError>;
    /// A stable name for the source, stored with the calibration.
    fn id(&self) -> String;
}

//! Recordings on disk: a directory of numbered PNG/JPEG frames, as `hunch record` writes
//! them, optionally with a [`manifest`] (`manifest.csv`) that labels the frames and gives
//! each its time; or a single image. This module owns that format: which files are frames,
//! their order, and their times. Replays, calibration, `hunch record` and `hunch eval` all
//! read recordings through it.

pub mod manifest;

use std::path::{Path, PathBuf};

use thiserror::Error;

pub use manifest::{Label, LabelledFrame, Manifest, ManifestError, Role, Row};

/// Frame spacing when a recording has no times of its own, frames a second.
pub const DEFAULT_FPS: f64 = 1.0;

#[derive(Debug, Error)]
pub enum RecordingError {
    #[error("{path}: no such file or directory")]
    NotFound { path: PathBuf },
    #[error("{path}: no images found (expected PNG or JPEG frames)")]
    Empty { path: PathBuf },
    #[error("cannot list {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Manifest(#[from] ManifestError),
}

/// Whether `p` names a frame (PNG or JPEG, by extension).
fn is_image(p: &Path) -> bool {
    matches!(
        p.extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref(),
        Some("png" | "jpg" | "jpeg")
    )
}

/// Sorts file names by their embedded numbers, so `frame-2` comes before `frame-10`.
pub fn natural_key(p: &Path) -> Vec<(String, u64)> {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut out = Vec::new();
    let mut text = String::new();
    let mut num = String::new();
    for c in name.chars() {
        if c.is_ascii_digit() {
            num.push(c);
        } else {
            if !num.is_empty() {
                out.push((std::mem::take(&mut text), num.parse().unwrap_or(u64::MAX)));
                num.clear();
            }
            text.push(c);
        }
    }
    out.push((text, num.parse().unwrap_or(0)));
    out
}

/// Image files directly inside `dir`, in natural order.
pub fn list_images(dir: &Path) -> Result<Vec<PathBuf>, RecordingError> {
    let io = |e| RecordingError::Io {
        path: dir.into(),
        source: e,
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && is_image(p))
        .collect();
    files.sort_by_key(|p| natural_key(p));
    Ok(files)
}

/// One frame of a recording: its file and its time in the recording, seconds.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedFrame {
    pub path: PathBuf,
    pub t: f64,
}

/// A recording's frames in order, with their times.
#[derive(Debug, Clone)]
pub struct Recording {
    /// A stable name (`replay:PATH`), stored with a calibration made from it.
    pub id: String,
    pub frames: Vec<RecordedFrame>,
}

impl Recording {
    /// Opens a recording directory or a single image. Frame times come from the
    /// directory's manifest when it has one; otherwise frames are `1/fps` apart.
    pub fn open(path: &Path, fps: f64) -> Result<Recording, RecordingError> {
        if !path.exists() {
            return Err(RecordingError::NotFound { path: path.into() });
        }
        let spacing = 1.0 / fps.max(1e-3);
        let frames: Vec<RecordedFrame> = if path.is_dir() {
            if path.join(manifest::FILE_NAME).is_file() {
                Manifest::load(path)?
                    .frames()?
                    .into_iter()
                    .enumerate()
                    .map(|(i, f)| RecordedFrame {
                        t: f.time_s.unwrap_or(i as f64 * spacing),
                        path: f.path,
                    })
                    .collect()
            } else {
                list_images(path)?
                    .into_iter()
                    .enumerate()
                    .map(|(i, p)| RecordedFrame {
                        path: p,
                        t: i as f64 * spacing,
                    })
                    .collect()
            }
        } else {
            vec![RecordedFrame {
                path: path.to_path_buf(),
                t: 0.0,
            }]
        };
        if frames.is_empty() {
            return Err(RecordingError::Empty { path: path.into() });
        }
        Ok(Recording {
            id: format!("replay:{}", path.display()),
            frames,
        })
    }

    /// Labelled frames (from a manifest) as a recording, spaced `1/fps` where they carry no
    /// time.
    pub fn from_labelled(id: String, frames: &[LabelledFrame], fps: f64) -> Recording {
        let spacing = 1.0 / fps.max(1e-3);
        Recording {
            id,
            frames: frames
                .iter()
                .enumerate()
                .map(|(i, f)| RecordedFrame {
                    path: f.path.clone(),
                    t: f.time_s.unwrap_or(i as f64 * spacing),
                })
                .collect(),
        }
    }

    /// Length from the first frame to the last, seconds.
    pub fn duration(&self) -> f64 {
        match (self.frames.first(), self.frames.last()) {
            (Some(a), Some(b)) => (b.t - a.t).max(0.0),
            _ => 0.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut v: Vec<PathBuf> = ["f10.png", "f2.png", "f1.png", "g1.png"]
            .iter()
            .map(PathBuf::from)
            .collect();
        v.sort_by_key(|p| natural_key(p));
        let names: Vec<_> = v.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        assert_eq!(names, ["f1.png", "f2.png", "f10.png", "g1.png"]);
    }

    #[test]
    fn times_come_from_the_manifest_or_the_frame_rate() {
        let d = std::env::temp_dir().join(format!("hunch-recording-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join("plain")).unwrap();
        for i in [1, 2, 10] {
            std::fs::write(d.join(format!("plain/f{i}.png")), b"").unwrap();
        }
        std::fs::write(d.join("plain/notes.txt"), b"").unwrap();
        let r = Recording::open(&d.join("plain"), 4.0).unwrap();
        let t: Vec<f64> = r.frames.iter().map(|f| f.t).collect();
        assert_eq!(t, [0.0, 0.25, 0.5]);
        assert!(r.frames[2].path.ends_with("f10.png"));
        assert_eq!(r.duration(), 0.5);

        std::fs::write(
            d.join("plain/manifest.csv"),
            "path,label,time_ms\nf2.png,upright,500\nf1.png,hunched,2500\n",
        )
        .unwrap();
        let r = Recording::open(&d.join("plain"), 4.0).unwrap();
        assert_eq!(r.frames.len(), 2);
        assert_eq!((r.frames[0].t, r.frames[1].t), (0.5, 2.5));

        std::fs::create_dir_all(d.join("empty")).unwrap();
        assert!(matches!(
            Recording::open(&d.join("empty"), 1.0),
            Err(RecordingError::Empty { .. })
        ));
        assert!(matches!(
            Recording::open(&d.join("nothing"), 1.0),
            Err(RecordingError::NotFound { .. })
        ));
    }
}

//! Replaying a recording: a directory of numbered PNG/JPEG frames (as `hunch record`
//! writes them, with a `manifest.csv` giving each frame's time), or a single image
//! repeated. Frames can be served at their own pace or as fast as they decode.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{Frame, FrameSource, SourceError};
use crate::manifest::Manifest;

/// How fast a replay runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    /// Sleep so frames arrive at their recorded times.
    Realtime,
    /// No waiting: for tests, evaluation and benchmarks.
    AsFastAsPossible,
}

pub struct Replay {
    id: String,
    frames: Vec<(PathBuf, f64)>,
    pos: usize,
    pace: Pace,
    started: Option<Instant>,
}

/// Frame spacing when a recording has no times of its own.
pub const DEFAULT_FPS: f64 = 1.0;

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
pub fn list_images(dir: &Path) -> Result<Vec<PathBuf>, SourceError> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && is_image(p))
        .collect();
    files.sort_by_key(|p| natural_key(p));
    Ok(files)
}

impl Replay {
    /// Opens a recording directory or a single image. `fps` spaces frames that carry no
    /// recorded time.
    pub fn open(path: &Path, pace: Pace, fps: f64) -> Result<Replay, SourceError> {
        if !path.exists() {
            return Err(SourceError::NotFound { path: path.into() });
        }
        let spacing = 1.0 / fps.max(1e-3);
        let frames: Vec<(PathBuf, f64)> = if path.is_dir() {
            let manifest = path.join(crate::manifest::FILE_NAME);
            if manifest.is_file() {
                let m = Manifest::load(&manifest).map_err(|e| SourceError::Manifest {
                    path: manifest.clone(),
                    reason: e.to_string(),
                })?;
                m.frames()
                    .map_err(|e| SourceError::Manifest {
                        path: manifest.clone(),
                        reason: e.to_string(),
                    })?
                    .into_iter()
                    .enumerate()
                    .map(|(i, f)| (f.path, f.time_s.unwrap_or(i as f64 * spacing)))
                    .collect()
            } else {
                list_images(path)?
                    .into_iter()
                    .enumerate()
                    .map(|(i, p)| (p, i as f64 * spacing))
                    .collect()
            }
        } else {
            vec![(path.to_path_buf(), 0.0)]
        };
        if frames.is_empty() {
            return Err(SourceError::Empty { path: path.into() });
        }
        Ok(Replay {
            id: format!("replay:{}", path.display()),
            frames,
            pos: 0,
            pace,
            started: None,
        })
    }

    pub fn len(&self) -> usize {
        self.frames.len()
    }

    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }
}

impl FrameSource for Replay {
    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        let Some((path, t)) = self.frames.get(self.pos).cloned() else {
            return Ok(None);
        };
        if self.pace == Pace::Realtime {
            let start = *self.started.get_or_insert_with(Instant::now);
            let due = start + Duration::from_secs_f64(t.max(0.0));
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
        let image = crate::image_io::load_rgb(&path)?;
        let index = self.pos as u64;
        self.pos += 1;
        Ok(Some(Frame { image, t, index }))
    }

    fn id(&self) -> String {
        self.id.clone()
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
}

//! The labelled-recording manifest read by `hunch eval` and written by `hunch record`.
//!
//! A CSV file (`manifest.csv`), one row per frame or group of frames; lines starting with
//! `#` are comments. Columns (header required, order free):
//!
//! | column | required | meaning |
//! |---|---|---|
//! | `path` | yes | an image, or a directory of images (natural order), relative to the manifest |
//! | `label` | yes | `upright` or `hunched` |
//! | `subject` | no | who is in the frames; calibration is per subject and session |
//! | `session` | no | a sitting (day, room, camera position) |
//! | `role` | no | `calibrate`: use for the subject's calibration only, never scored; empty or `score`: score it |
//! | `frames` | no | for a directory: the 0-based range `first-last` of its images to use |
//! | `time_ms` | no | the frame's time in the recording, for replays at the recorded pace |
//!
//! New labelled sets need only a new manifest, no code.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

pub const FILE_NAME: &str = "manifest.csv";

crate::vocab::words! {
    /// The posture a labelled frame shows.
    Label, "label" {
        Upright = "upright",
        Hunched = "hunched",
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[default]
    #[serde(alias = "")]
    Score,
    Calibrate,
}

/// One manifest row as written in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    pub path: String,
    pub label: Label,
    #[serde(default)]
    pub subject: String,
    #[serde(default)]
    pub session: String,
    #[serde(default)]
    pub role: Role,
    #[serde(default)]
    pub frames: String,
    #[serde(default)]
    pub time_ms: Option<u64>,
}

/// One frame after directories and ranges are expanded.
#[derive(Debug, Clone, PartialEq)]
pub struct LabelledFrame {
    pub path: PathBuf,
    pub label: Label,
    pub subject: String,
    pub session: String,
    pub role: Role,
    pub time_s: Option<f64>,
}

#[derive(Debug, Error)]
pub enum ManifestError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Write(#[from] crate::support::files::FileError),
    #[error("{path}, line {line}: {reason}")]
    Parse {
        path: PathBuf,
        line: u64,
        reason: String,
    },
    #[error("{path}: row for {entry} names {target}, which does not exist")]
    Missing {
        path: PathBuf,
        entry: String,
        target: PathBuf,
    },
    #[error("{path}: row for {entry}: {reason}")]
    Range {
        path: PathBuf,
        entry: String,
        reason: String,
    },
}

#[derive(Debug, Clone)]
pub struct Manifest {
    /// The manifest file.
    pub path: PathBuf,
    pub rows: Vec<Row>,
}

impl Manifest {
    /// Reads a manifest file, or `manifest.csv` inside a directory.
    pub fn load(path: &Path) -> Result<Manifest, ManifestError> {
        let path = if path.is_dir() {
            path.join(FILE_NAME)
        } else {
            path.to_path_buf()
        };
        let io = |e: std::io::Error| ManifestError::Io {
            path: path.clone(),
            source: e,
        };
        let file = std::fs::File::open(&path).map_err(io)?;
        let mut reader = csv::ReaderBuilder::new()
            .comment(Some(b'#'))
            .trim(csv::Trim::All)
            .from_reader(file);
        let mut rows = Vec::new();
        for rec in reader.deserialize::<Row>() {
            let row = rec.map_err(|e| ManifestError::Parse {
                path: path.clone(),
                line: e.position().map_or(0, |p| p.line()),
                reason: match e.kind() {
                    csv::ErrorKind::Deserialize { err, .. } => {
                        format!("{err} (labels are `upright` or `hunched`; roles `calibrate` or `score`)")
                    }
                    _ => e.to_string(),
                },
            })?;
            rows.push(row);
        }
        Ok(Manifest { path, rows })
    }

    fn base(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    /// Every frame, directories and ranges expanded, in manifest order.
    pub fn frames(&self) -> Result<Vec<LabelledFrame>, ManifestError> {
        let mut out = Vec::new();
        for row in &self.rows {
            let target = self.base().join(&row.path);
            if !target.exists() {
                return Err(ManifestError::Missing {
                    path: self.path.clone(),
                    entry: row.path.clone(),
                    target,
                });
            }
            let files = if target.is_dir() {
                let all = super::list_images(&target).map_err(|e| ManifestError::Range {
                    path: self.path.clone(),
                    entry: row.path.clone(),
                    reason: e.to_string(),
                })?;
                select(&all, &row.frames).map_err(|reason| ManifestError::Range {
                    path: self.path.clone(),
                    entry: row.path.clone(),
                    reason,
                })?
            } else {
                vec![target]
            };
            for f in files {
                out.push(LabelledFrame {
                    path: f,
                    label: row.label,
                    subject: row.subject.clone(),
                    session: row.session.clone(),
                    role: row.role,
                    time_s: row.time_ms.map(|ms| ms as f64 / 1000.0),
                });
            }
        }
        Ok(out)
    }
}

fn select(all: &[PathBuf], range: &str) -> Result<Vec<PathBuf>, String> {
    if range.is_empty() {
        return Ok(all.to_vec());
    }
    let (a, b) = range
        .split_once('-')
        .ok_or_else(|| format!("frames `{range}` should be `first-last`"))?;
    let (a, b): (usize, usize) = match (a.trim().parse(), b.trim().parse()) {
        (Ok(a), Ok(b)) if a <= b => (a, b),
        _ => {
            return Err(format!(
                "frames `{range}` should be `first-last` with first ≤ last"
            ))
        }
    };
    if b >= all.len() {
        return Err(format!(
            "frames `{range}` but the directory has {} images",
            all.len()
        ));
    }
    Ok(all[a..=b].to_vec())
}

/// Appends rows to a manifest, writing the header when the file is new. The file is
/// created user-only: it sits beside pictures of the user.
pub fn append(path: &Path, rows: &[Row]) -> Result<(), ManifestError> {
    let io = |e: std::io::Error| ManifestError::Io {
        path: path.to_path_buf(),
        source: e,
    };
    let new = !path.exists();
    let mut w = csv::WriterBuilder::new()
        .has_headers(new)
        .from_writer(Vec::new());
    for r in rows {
        w.serialize(r)
            .map_err(|e| io(std::io::Error::other(e.to_string())))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| io(std::io::Error::other(e.to_string())))?;
    crate::support::files::append(path, &bytes, crate::support::files::Mode::Private)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, text: &str) -> PathBuf {
        std::fs::create_dir_all(dir).unwrap();
        let p = dir.join(FILE_NAME);
        std::fs::write(&p, text).unwrap();
        p
    }

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("hunch-manifest-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn parses_comments_optional_columns_ranges_and_roles() {
        let d = tmp("ok");
        std::fs::create_dir_all(d.join("clip")).unwrap();
        for i in 0..5 {
            std::fs::write(d.join(format!("clip/f{i}.png")), b"").unwrap();
        }
        std::fs::write(d.join("one.jpg"), b"").unwrap();
        write(
            &d,
            "# a comment\npath,label,subject,role,frames,time_ms\none.jpg,upright,ann,calibrate,,1500\nclip,hunched,ann,,1-3,\n",
        );
        let m = Manifest::load(&d).unwrap();
        let f = m.frames().unwrap();
        assert_eq!(f.len(), 4);
        assert_eq!(f[0].role, Role::Calibrate);
        assert_eq!(f[0].time_s, Some(1.5));
        assert_eq!(f[1].path, d.join("clip/f1.png"));
        assert_eq!(f[3].path, d.join("clip/f3.png"));
        assert!(f[1..]
            .iter()
            .all(|x| x.label == Label::Hunched && x.role == Role::Score));
    }

    #[test]
    fn bad_rows_name_the_file_and_line() {
        let d = tmp("bad");
        let p = write(&d, "path,label\na.png,upright\nb.png,slouchy\n");
        let e = Manifest::load(&p).unwrap_err().to_string();
        assert!(
            e.contains("line 3") && e.contains("upright` or `hunched"),
            "{e}"
        );

        let p = write(&d, "path,label\nmissing.png,upright\n");
        let e = Manifest::load(&p)
            .unwrap()
            .frames()
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("missing.png") && e.contains("does not exist"),
            "{e}"
        );

        std::fs::create_dir_all(d.join("clip")).unwrap();
        std::fs::write(d.join("clip/a.png"), b"").unwrap();
        let p = write(&d, "path,label,frames\nclip,upright,0-4\n");
        let e = Manifest::load(&p)
            .unwrap()
            .frames()
            .unwrap_err()
            .to_string();
        assert!(e.contains("has 1 images"), "{e}");
    }

    #[test]
    fn append_writes_the_header_once() {
        let d = tmp("append");
        std::fs::create_dir_all(&d).unwrap();
        let p = d.join(FILE_NAME);
        let row = |l| Row {
            path: "x.jpg".into(),
            label: l,
            subject: "s".into(),
            session: String::new(),
            role: Role::Score,
            frames: String::new(),
            time_ms: Some(0),
        };
        append(&p, &[row(Label::Upright)]).unwrap();
        append(&p, &[row(Label::Hunched)]).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        assert_eq!(text.matches("path,label").count(), 1, "{text}");
        let m = Manifest::load(&p).unwrap();
        assert_eq!(
            m.rows.iter().map(|r| r.label).collect::<Vec<_>>(),
            [Label::Upright, Label::Hunched]
        );
    }
}

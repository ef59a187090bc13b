//! Locating the BlazePose model files.
//!
//! The models ship in the repository's `models/` directory; an installed hunch keeps them
//! in `share/hunch/models`. We look in a fixed order and name every place we looked when
//! nothing is there, because "model not found" without a path is useless to a user.

use std::path::{Path, PathBuf};

use thiserror::Error;

/// The pose detector (SSD, 224×224 input); shared by both landmark variants.
pub const DETECTOR_FILE: &str = "pose_detection.onnx";

crate::vocab::words! {
    /// Which landmark network to run. `Full` is more precise on the small upper-body
    /// landmarks hunch depends on; `Lite` is ~25% faster.
    #[derive(Default)]
    ModelVariant, "model" {
        Lite = "lite",
        #[default]
        Full = "full",
    }
}

impl ModelVariant {
    pub fn file_name(self) -> &'static str {
        match self {
            ModelVariant::Lite => "pose_landmark_lite.onnx",
            ModelVariant::Full => "pose_landmark_full.onnx",
        }
    }
}

#[derive(Debug, Error)]
pub enum ModelError {
    #[error("the pose models were not found (looked for {DETECTOR_FILE} in {searched}); run `scripts/setup` or pass --models DIR")]
    NotFound { searched: String },
    #[error(
        "model file {path} is missing; reinstall hunch or pass --models DIR with a complete set"
    )]
    Missing { path: PathBuf },
    #[error("model directory {path} given with --models does not exist")]
    NoSuchDir { path: PathBuf },
}

/// The model files to load.
#[derive(Debug, Clone)]
pub struct ModelPaths {
    pub detector: PathBuf,
    pub landmark: PathBuf,
    pub variant: ModelVariant,
}

impl ModelPaths {
    /// Resolves the model directory (explicit, or searched) and checks both files exist.
    pub fn resolve(explicit: Option<&Path>, variant: ModelVariant) -> Result<Self, ModelError> {
        let dir = match explicit {
            Some(d) if !d.is_dir() => {
                return Err(ModelError::NoSuchDir {
                    path: d.to_path_buf(),
                })
            }
            Some(d) => d.to_path_buf(),
            None => {
                let dirs = search_dirs();
                dirs.iter()
                    .find(|d| d.join(DETECTOR_FILE).is_file())
                    .cloned()
                    .ok_or_else(|| ModelError::NotFound {
                        searched: dirs
                            .iter()
                            .map(|d| d.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", "),
                    })?
            }
        };
        Self::in_dir(&dir, variant)
    }

    /// The files inside one directory, checked for existence.
    pub fn in_dir(dir: &Path, variant: ModelVariant) -> Result<Self, ModelError> {
        let detector = dir.join(DETECTOR_FILE);
        let landmark = dir.join(variant.file_name());
        for p in [&detector, &landmark] {
            if !p.is_file() {
                return Err(ModelError::Missing { path: p.clone() });
            }
        }
        Ok(Self {
            detector,
            landmark,
            variant,
        })
    }
}

/// Search order: beside the executable, the install prefix's share dir, the user's data
/// dir, then the source checkout (for `cargo run` and tests); see [`crate::support::paths::share_dirs`].
fn search_dirs() -> Vec<PathBuf> {
    crate::support::paths::share_dirs("models", "models")
}

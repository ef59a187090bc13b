//! Reading still images with errors a person can act on.

use std::path::{Path, PathBuf};

use image::RgbImage;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum ImageError {
    #[error("{0}: no such file")]
    NotFound(PathBuf),
    #[error("{0}: is a directory, not an image")]
    Directory(PathBuf),
    #[error("{path}: cannot read: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: not a readable PNG or JPEG image ({reason})")]
    Decode { path: PathBuf, reason: String },
    #[error("{0}: image has no pixels")]
    Empty(PathBuf),
}

/// Decodes a PNG or JPEG (by content, not extension) into 8-bit RGB.
pub fn load_rgb(path: &Path) -> Result<RgbImage, ImageError> {
    let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ImageError::NotFound(path.to_path_buf()),
        _ => ImageError::Io {
            path: path.to_path_buf(),
            source: e,
        },
    })?;
    if meta.is_dir() {
        return Err(ImageError::Directory(path.to_path_buf()));
    }
    let decode_err = |reason: String| ImageError::Decode {
        path: path.to_path_buf(),
        reason,
    };
    let reader = image::ImageReader::open(path)
        .map_err(|e| ImageError::Io {
            path: path.to_path_buf(),
            source: e,
        })?
        .with_guessed_format()
        .map_err(|e| ImageError::Io {
            path: path.to_path_buf(),
            source: e,
        })?;
    if reader.format().is_none() {
        return Err(decode_err("unrecognised file format".into()));
    }
    let img = reader.decode().map_err(|e| decode_err(e.to_string()))?;
    if img.width() == 0 || img.height() == 0 {
        return Err(ImageError::Empty(path.to_path_buf()));
    }
    Ok(img.to_rgb8())
}

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

/// How near its end a JPEG's end-of-image marker must be (padding some cameras add).
const JPEG_TAIL: usize = 4096;

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
    let bytes = std::fs::read(path).map_err(|e| ImageError::Io {
        path: path.to_path_buf(),
        source: e,
    })?;
    let format =
        image::guess_format(&bytes).map_err(|_| decode_err("unrecognised file format".into()))?;
    // The JPEG decoder fills in what a cut-off file lacks (grey), and a picture with its
    // lower half missing would be judged as if it were whole ("no person"): a JPEG must
    // end with its end-of-image marker (0xFF 0xD9, which cannot occur inside the coded
    // data), give or take some padding after it.
    if format == image::ImageFormat::Jpeg {
        let tail = &bytes[bytes.len().saturating_sub(JPEG_TAIL)..];
        if !tail.windows(2).any(|w| w == [0xFF, 0xD9]) {
            return Err(decode_err(
                "the JPEG is cut off: it has no end-of-image marker".into(),
            ));
        }
    }
    let img = image::load_from_memory_with_format(&bytes, format)
        .map_err(|e| decode_err(e.to_string()))?;
    if img.width() == 0 || img.height() == 0 {
        return Err(ImageError::Empty(path.to_path_buf()));
    }
    Ok(img.to_rgb8())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cut_off_jpeg_is_an_error_not_a_grey_picture() {
        let whole = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/demo/upright-0.jpg");
        assert!(load_rgb(&whole).is_ok());
        let bytes = std::fs::read(&whole).unwrap();
        let dir = std::env::temp_dir().join(format!("hunch-image-io-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cut = dir.join("cut.jpg");
        std::fs::write(&cut, &bytes[..bytes.len() * 2 / 5]).unwrap();
        let e = load_rgb(&cut).unwrap_err().to_string();
        assert!(e.contains("cut off"), "{e}");
        // Padding after the end marker, as some cameras write, is fine.
        let padded = dir.join("padded.jpg");
        let mut p = bytes.clone();
        p.extend_from_slice(&[0u8; 512]);
        std::fs::write(&padded, p).unwrap();
        assert!(load_rgb(&padded).is_ok());
    }
}

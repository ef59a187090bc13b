//! The camera on Linux: V4L2 through nokhwa, devices at `/dev/videoN`.

use std::path::PathBuf;

/// nokhwa's backend on this system.
pub const BACKEND: nokhwa::utils::ApiBackend = nokhwa::utils::ApiBackend::Video4Linux;

/// What "no camera" means here, for messages.
pub const NO_CAMERA: &str = "no /dev/video* device";

/// The device node of camera `index`, which the sharing watcher follows.
pub fn device_node(index: u32) -> PathBuf {
    PathBuf::from(format!("/dev/video{index}"))
}

/// Whether a camera error says the device is busy (EBUSY: another process streams it).
/// nokhwa's V4L2 backend keeps the operating system's error only as text inside its own
/// (`NokhwaError::OpenStreamError("… (os error 16)")`), so the text is all there is to
/// tell a busy camera from a broken one; this is the one place that reads it.
pub fn is_busy(error: &str) -> bool {
    error.contains(&format!("(os error {})", libc::EBUSY))
}

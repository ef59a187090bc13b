//! The camera on macOS: AVFoundation through nokhwa. Type-checked here, not run (no
//! Apple SDK to link; see the README's platform table).

/// nokhwa's backend on this system.
pub const BACKEND: nokhwa::utils::ApiBackend = nokhwa::utils::ApiBackend::AVFoundation;

/// What "no camera" means here, for messages.
pub const NO_CAMERA: &str = "no camera in AVFoundation's device list";

/// AVFoundation shares a camera between applications: it is never busy.
pub fn is_busy(_error: &str) -> bool {
    false
}

//! The camera on Windows: Media Foundation through nokhwa. Not exercised here: Wine has no
//! Media Foundation capture devices (see the README's platform table).

/// nokhwa's backend on this system.
pub const BACKEND: nokhwa::utils::ApiBackend = nokhwa::utils::ApiBackend::MediaFoundation;

/// What "no camera" means here, for messages.
pub const NO_CAMERA: &str = "no camera in Windows' device list";

/// Whether a camera error says the device is in use by another application: Media
/// Foundation's "hardware MFT failed to start streaming" (0xC00D3704), which is what a
/// camera streaming to another process gives.
pub fn is_busy(error: &str) -> bool {
    let e = error.to_ascii_lowercase();
    e.contains("0xc00d3704") || e.contains("c00d3704")
}

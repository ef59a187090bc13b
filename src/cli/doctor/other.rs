//! `hunch doctor`'s system checks where hunch has none of its own yet (Windows, macOS):
//! each says what it could not check, as a warning, never a failure.

use super::*;

const NOT_HERE: &str = "not checked on this system yet";

pub(super) fn check_camera_access(_index: u32) -> Check {
    Check::warn(
        "camera access",
        NOT_HERE,
        "if the camera is refused, allow hunch in the system's camera privacy settings",
    )
}

pub(super) fn check_notifications() -> Check {
    Check::warn(
        "notifications",
        NOT_HERE,
        "alerts are shown as the system's notifications where it offers them",
    )
}

pub(super) fn check_service() -> Check {
    Check::warn(
        "service",
        NOT_HERE,
        "start `hunch run` at login with the system's own startup settings",
    )
}

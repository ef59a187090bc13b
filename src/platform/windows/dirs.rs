//! Where hunch keeps files on Windows: `%APPDATA%\hunch` for settings (they roam with the
//! profile), `%LOCALAPPDATA%\hunch` for the journal, `%LOCALAPPDATA%\hunch\run` for the
//! instance lock. All inside the user's profile, whose access list admits the user,
//! SYSTEM and the administrators only.

use std::path::PathBuf;

/// What to set when no directory can be found.
pub const HOME_HINT: &str = "set APPDATA and LOCALAPPDATA";

fn var(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

pub fn config_base() -> Option<PathBuf> {
    var("APPDATA")
}

pub fn data_base() -> Option<PathBuf> {
    var("LOCALAPPDATA")
}

/// Inside the profile: not shared.
pub fn runtime_fallback() -> Option<(PathBuf, bool)> {
    var("LOCALAPPDATA").map(|d| (d.join("hunch").join("run"), false))
}

/// ONNX Runtime's library file names, the exact one `scripts/setup` installs first.
pub const ORT_FILES: &[&str] = &["onnxruntime.dll"];

/// The name the system's loader is asked for when no file is found.
pub const ORT_SYSTEM: &str = "onnxruntime.dll";

/// Inside an application bundle, the folders (relative to the executable's) holding
/// read-only data and libraries. Not a bundle system.
pub const BUNDLE: Option<(&str, &str)> = None;

//! Where hunch keeps files on Linux: the XDG base directories.

use std::path::PathBuf;

/// What to set when no directory can be found.
pub const HOME_HINT: &str = "set HOME (or the XDG_*_HOME variables)";

fn home() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

/// `~/.config`.
pub fn config_base() -> Option<PathBuf> {
    home().map(|h| h.join(".config"))
}

/// `~/.local/share`.
pub fn data_base() -> Option<PathBuf> {
    home().map(|h| h.join(".local/share"))
}

/// Without `XDG_RUNTIME_DIR` (no login session): `/tmp/hunch-<uid>`, shared with other
/// users (so checked before use).
pub fn runtime_fallback() -> Option<(PathBuf, bool)> {
    let uid = super::user::id()?;
    Some((std::env::temp_dir().join(format!("hunch-{uid}")), true))
}

/// ONNX Runtime's library file names, the exact one `scripts/setup` installs first.
pub const ORT_FILES: &[&str] = &["libonnxruntime.so.1.31.1", "libonnxruntime.so"];

/// The name the system's loader is asked for when no file is found.
pub const ORT_SYSTEM: &str = "libonnxruntime.so.1";

/// Inside an application bundle, the folders (relative to the executable's) holding
/// read-only data and libraries. Not a bundle system.
pub const BUNDLE: Option<(&str, &str)> = None;

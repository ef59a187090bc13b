//! Where hunch keeps files on macOS: `~/Library/Application Support` for settings and the
//! journal, the per-user temporary directory (`$TMPDIR`, private to the user) for the
//! control socket and the lock. Type-checked here, not run.

use std::path::PathBuf;

/// What to set when no directory can be found.
pub const HOME_HINT: &str = "set HOME";

fn support() -> Option<PathBuf> {
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join("Library/Application Support"))
}

pub fn config_base() -> Option<PathBuf> {
    support()
}

pub fn data_base() -> Option<PathBuf> {
    support()
}

/// `$TMPDIR` is per user on macOS (`/var/folders/…`, mode 0700): not shared.
pub fn runtime_fallback() -> Option<(PathBuf, bool)> {
    Some((std::env::temp_dir().join("hunch"), false))
}

/// ONNX Runtime's library file names, the exact one `scripts/setup` installs first.
pub const ORT_FILES: &[&str] = &["libonnxruntime.1.31.1.dylib", "libonnxruntime.dylib"];

/// The name the system's loader is asked for when no file is found.
pub const ORT_SYSTEM: &str = "libonnxruntime.dylib";

/// Inside an application bundle (`hunch.app/Contents/MacOS/hunch`), the folders (relative
/// to the executable's) holding read-only data (models, the demo recording) and libraries
/// (ONNX Runtime), where `scripts/package-macos` puts them.
pub const BUNDLE: Option<(&str, &str)> = Some(("../Resources", "../Frameworks"));

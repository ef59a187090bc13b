//! XDG base directories for hunch's files, resolved without extra dependencies.

use std::path::PathBuf;

fn xdg(var: &str, fallback: &str) -> Option<PathBuf> {
    if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
        let p = PathBuf::from(v);
        // The XDG spec says relative values are invalid and must be ignored.
        if p.is_absolute() {
            return Some(p);
        }
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(fallback))
}

/// `$XDG_DATA_HOME/hunch` (default `~/.local/share/hunch`): runtime library, models, journal.
pub fn data_dir() -> Option<PathBuf> {
    xdg("XDG_DATA_HOME", ".local/share").map(|d| d.join("hunch"))
}

/// `$XDG_CONFIG_HOME/hunch` (default `~/.config/hunch`): config and calibration.
pub fn config_dir() -> Option<PathBuf> {
    xdg("XDG_CONFIG_HOME", ".config").map(|d| d.join("hunch"))
}

//! Every place hunch looks for or keeps files, in one module: the base directories
//! (config, data, runtime: the XDG variables where set, on every system, else the
//! system's own — `~/.config` and `~/.local/share` on Linux, `%APPDATA%` and
//! `%LOCALAPPDATA%` on Windows, `~/Library/Application Support` on macOS; see
//! [`crate::platform::dirs`]), the systemd user unit directory, and where an installed
//! hunch keeps its read-only data (models, the demo recording).

use std::path::{Path, PathBuf};

use thiserror::Error;

#[derive(Debug, Error)]
pub enum PathError {
    #[error("no home directory for hunch's {0} files: {hint}", hint = crate::platform::dirs::HOME_HINT)]
    NoHome(&'static str),
    #[error("cannot use {path} as hunch's runtime directory: {why}")]
    UnsafeRuntimeDir { path: PathBuf, why: String },
    #[error("cannot create {path}: {source}")]
    Create {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The XDG variable `var` where set (absolute; the spec says relative values are invalid
/// and must be ignored), else the system's own directory.
fn xdg(var: &str, system: fn() -> Option<PathBuf>) -> Option<PathBuf> {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
        .or_else(system)
}

fn config_base() -> Option<PathBuf> {
    xdg("XDG_CONFIG_HOME", crate::platform::dirs::config_base)
}

/// `$XDG_DATA_HOME/hunch` (default `~/.local/share/hunch`; `%LOCALAPPDATA%\hunch` on
/// Windows): the journal; a user install's models and runtime library.
pub fn data_dir() -> Option<PathBuf> {
    xdg("XDG_DATA_HOME", crate::platform::dirs::data_base).map(|d| d.join("hunch"))
}

/// `$XDG_CONFIG_HOME/hunch` (default `~/.config/hunch`; `%APPDATA%\hunch` on Windows):
/// config and calibration.
pub fn config_dir() -> Option<PathBuf> {
    config_base().map(|d| d.join("hunch"))
}

/// `$XDG_CONFIG_HOME/systemd/user`, where `hunch service install` writes its unit.
pub fn systemd_user_dir() -> Result<PathBuf, PathError> {
    config_base()
        .map(|d| d.join("systemd/user"))
        .ok_or(PathError::NoHome("config"))
}

/// This process's user id (none on Windows).
pub fn uid() -> Option<u32> {
    crate::platform::user::id()
}

/// `$XDG_RUNTIME_DIR/hunch` (created 0700), where the control socket and the instance
/// lock live. Without a runtime directory (no login session), `/tmp/hunch-<uid>`: created
/// 0700, and refused when it exists but is not a directory of ours that only we can use —
/// another user could otherwise hold the lock or answer our control requests.
pub fn runtime_dir() -> Result<PathBuf, PathError> {
    let (dir, shared) = match std::env::var_os("XDG_RUNTIME_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .filter(|p| p.is_absolute())
    {
        Some(base) => (base.join("hunch"), false),
        None => crate::platform::dirs::runtime_fallback().ok_or(PathError::NoHome("runtime"))?,
    };
    create_private_dir(&dir).map_err(|source| PathError::Create {
        path: dir.clone(),
        source,
    })?;
    if shared {
        check_private_dir(&dir)?;
    }
    Ok(dir)
}

/// Refuses `dir` unless it is a real directory (not a link) owned by us with no access
/// for anyone else.
pub(crate) fn check_private_dir(dir: &Path) -> Result<(), PathError> {
    let unsafe_dir = |why: String| PathError::UnsafeRuntimeDir {
        path: dir.into(),
        why,
    };
    let m = std::fs::symlink_metadata(dir).map_err(|e| unsafe_dir(e.to_string()))?;
    if !m.file_type().is_dir() {
        return Err(unsafe_dir("it is not a directory".into()));
    }
    let owner = crate::platform::fs::owner(dir);
    if owner != uid() {
        return Err(unsafe_dir(format!(
            "it belongs to user {}, not to you; remove it or set XDG_RUNTIME_DIR",
            owner.map_or("?".into(), |o| o.to_string())
        )));
    }
    if let Some(mode) = crate::platform::fs::mode_bits(dir).filter(|m| m & 0o077 != 0) {
        return Err(unsafe_dir(format!(
            "others can use it (mode {:o}); run `chmod 700 {}`",
            mode & 0o777,
            dir.display()
        )));
    }
    Ok(())
}

/// Where an installed hunch keeps the read-only data `name` (`models`, `demo`), most
/// specific first: beside the executable (a build tree or a relocated install), the
/// application bundle's resources (macOS),
/// `../share/hunch/NAME` from it (`/usr/bin` → `/usr/share/hunch`, `~/.local/bin` →
/// `~/.local/share/hunch`), the user's data directory, and finally `checkout` inside the
/// source tree hunch was built from (for `cargo run` and the tests).
pub fn share_dirs(name: &str, checkout: &str) -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(exe_dir) = exe_dir() {
        dirs.push(exe_dir.join(name));
        if let Some((resources, _)) = crate::platform::dirs::BUNDLE {
            dirs.push(exe_dir.join(resources).join(name));
        }
        if let Some(prefix) = exe_dir.parent() {
            dirs.push(prefix.join("share/hunch").join(name));
        }
    }
    if let Some(d) = data_dir() {
        dirs.push(d.join(name));
    }
    dirs.push(Path::new(env!("CARGO_MANIFEST_DIR")).join(checkout));
    dirs
}

/// The directory of the running `hunch` executable (`/usr/bin`, `~/.local/bin`, a build
/// directory).
pub fn exe_dir() -> Option<PathBuf> {
    std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
}

/// Where packages and administrators put systemd user units, in systemd's order of
/// precedence; the user's own directory ([`systemd_user_dir`]) comes before them all.
const SYSTEM_USER_UNIT_DIRS: &[&str] = &[
    "/etc/systemd/user",
    "/usr/local/lib/systemd/user",
    "/usr/lib/systemd/user",
    "/lib/systemd/user",
];

/// The installed `hunch.service` files systemd would find, the one it uses first: the
/// user's own (`hunch service install`), then those of packages.
pub fn user_unit_files() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = systemd_user_dir().into_iter().collect();
    dirs.extend(SYSTEM_USER_UNIT_DIRS.iter().map(PathBuf::from));
    let mut found: Vec<PathBuf> = Vec::new();
    for d in dirs {
        let f = d.join("hunch.service");
        // /lib is often a link to /usr/lib: the same file is listed once.
        let same = |g: &PathBuf| match (f.canonicalize(), g.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => false,
        };
        if f.is_file() && !found.iter().any(same) {
            found.push(f);
        }
    }
    found
}

/// The XDG autostart entries for hunch that a desktop would run at login, the user's
/// own (`$XDG_CONFIG_HOME/autostart`) first, then those in `$XDG_CONFIG_DIRS` (default
/// `/etc/xdg`), where the package puts one.
pub fn autostart_files() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = config_base().into_iter().collect();
    let system = std::env::var("XDG_CONFIG_DIRS")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "/etc/xdg".into());
    dirs.extend(
        system
            .split(':')
            .map(PathBuf::from)
            .filter(|p| p.is_absolute()),
    );
    dirs.into_iter()
        .map(|d| d.join("autostart/hunch.desktop"))
        .filter(|f| f.is_file())
        .collect()
}

/// Creates `dir` and its missing parents with mode 0700.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    crate::platform::fs::create_private_dir(dir)
}

/// Writes `bytes` to `path`, user-only (0600), by [`crate::support::files`]' rules: atomically for
/// a regular file, following a symbolic link, creating the parent directory 0700.
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), crate::support::files::FileError> {
    crate::support::files::write(path, bytes, crate::support::files::Mode::Private).map(|_| ())
}

//! Files on Windows. There are no mode bits: what keeps a file private is the access
//! control list it inherits from its folder, and hunch's folders are in the user's
//! profile (`%APPDATA%`, `%LOCALAPPDATA%`), whose ACL grants the user, SYSTEM and the
//! administrators, and nobody else. So a "private" file here is one created inside the
//! profile; a path outside it keeps that folder's ACL (said in the README's platform
//! table). New files are created with `CREATE_NEW`, which refuses anything already at the
//! path.

use std::fs::{File, Metadata};
use std::path::Path;

/// Creates `path`, which must not exist. `_mode` has no meaning here (see the module docs).
pub fn open_new(path: &Path, _mode: u32) -> std::io::Result<File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

/// Creates `dir` and its missing parents (private by the profile's inherited ACL).
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Creates `dir` and its missing parents, for documentation others may read.
pub fn create_public_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Windows has no FIFOs or character devices in the file system hunch writes to.
pub fn stream_kind(_m: &Metadata) -> Option<&'static str> {
    None
}

/// What kind of file `m` is, in words.
pub fn describe(m: &Metadata) -> &'static str {
    if m.is_dir() {
        "a directory"
    } else if m.is_file() {
        "a regular file"
    } else {
        "a special file"
    }
}

/// No mode bits on Windows.
pub fn mode_bits(_path: &Path) -> Option<u32> {
    None
}

/// No numeric owners on Windows (owners are SIDs).
pub fn owner(_path: &Path) -> Option<u32> {
    None
}

pub fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::windows::fs::symlink_file(target, link)
}

/// Renames `from` to `to` unless something is at `to` (then `AlreadyExists`). std's
/// rename replaces on Windows; a hard link refuses an existing name, then the old name
/// goes.
pub fn rename_noreplace(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::hard_link(from, to)?;
    std::fs::remove_file(from)
}

/// The path with every link resolved, as people write it (`C:\…`, not the `\\?\C:\…`
/// form canonicalize returns).
pub fn real_path(path: &Path) -> std::io::Result<std::path::PathBuf> {
    let p = std::fs::canonicalize(path)?;
    let s = p.to_string_lossy();
    Ok(match s.strip_prefix(r"\\?\") {
        Some(rest) if rest.as_bytes().get(1) == Some(&b':') => std::path::PathBuf::from(rest),
        _ => p,
    })
}

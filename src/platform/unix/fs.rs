//! Files on Unix: modes are explicit (never the umask's), new files are opened with
//! `O_EXCL`, which refuses anything already at the path, a symbolic link included.

use std::fs::{File, Metadata};
use std::os::unix::fs::{DirBuilderExt, FileTypeExt, MetadataExt, OpenOptionsExt};
use std::path::Path;

/// Creates `path`, which must not exist, with exactly `mode`.
pub fn open_new(path: &Path, mode: u32) -> std::io::Result<File> {
    let f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)?;
    // The umask may have taken bits away from `mode`; put them back.
    f.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(mode))?;
    Ok(f)
}

/// Creates `dir` and its missing parents with mode 0700.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

/// Creates `dir` and its missing parents with mode 0755 (at most: the umask may take
/// more away): for generated documentation others may read.
pub fn create_public_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o755)
        .create(dir)
}

/// What a file that is written as a stream is ("FIFO", "character device"), if it is one.
pub fn stream_kind(m: &Metadata) -> Option<&'static str> {
    let t = m.file_type();
    if t.is_fifo() {
        Some("a FIFO")
    } else if t.is_char_device() {
        Some("a character device")
    } else {
        None
    }
}

/// What kind of file `m` is, in words.
pub fn describe(m: &Metadata) -> &'static str {
    let t = m.file_type();
    if t.is_socket() {
        "a socket"
    } else if t.is_block_device() {
        "a block device"
    } else if let Some(s) = stream_kind(m) {
        s
    } else if t.is_dir() {
        "a directory"
    } else {
        "a regular file"
    }
}

/// The permission bits of `path` (not following a link).
pub fn mode_bits(path: &Path) -> Option<u32> {
    std::fs::symlink_metadata(path)
        .ok()
        .map(|m| m.mode() & 0o7777)
}

/// The owner of `path`.
pub fn owner(path: &Path) -> Option<u32> {
    std::fs::symlink_metadata(path).ok().map(|m| m.uid())
}

pub fn symlink(target: &Path, link: &Path) -> std::io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

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

/// Renames `from` to `to` unless something is at `to` (then `AlreadyExists`): never
/// replaces a file, not even in a race with another process.
pub fn rename_noreplace(from: &Path, to: &Path) -> std::io::Result<()> {
    #[cfg(target_os = "linux")]
    {
        use std::ffi::CString;
        use std::os::unix::ffi::OsStrExt;
        let c = |p: &Path| {
            CString::new(p.as_os_str().as_bytes())
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::InvalidInput))
        };
        let (a, b) = (c(from)?, c(to)?);
        // SAFETY: two NUL-terminated paths that live across the call.
        let r = unsafe {
            libc::renameat2(
                libc::AT_FDCWD,
                a.as_ptr(),
                libc::AT_FDCWD,
                b.as_ptr(),
                libc::RENAME_NOREPLACE,
            )
        };
        if r == 0 {
            return Ok(());
        }
        let e = std::io::Error::last_os_error();
        // File systems without the flag: the link-and-unlink way below.
        if !matches!(e.raw_os_error(), Some(libc::EINVAL) | Some(libc::ENOSYS)) {
            return Err(e);
        }
    }
    // link(2) refuses an existing name; then the old name goes.
    std::fs::hard_link(from, to)?;
    std::fs::remove_file(from)
}

/// The path with every link resolved.
pub fn real_path(path: &Path) -> std::io::Result<std::path::PathBuf> {
    std::fs::canonicalize(path)
}

// What only Unix has: mode bits on a runtime directory that other users could share
// (/tmp), and symbolic links anyone can make (Windows needs a privilege for them, and Wine
// does not resolve them; the rule there is the same code: the real path, then the rename).
#[cfg(test)]
mod tests {
    use super::*;
    use crate::support::{files, paths};

    fn dir(name: &str) -> std::path::PathBuf {
        let d = std::env::temp_dir().join(format!("hunch-unix-fs-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_symlink_is_followed_and_stays_a_link() {
        let d = dir("link");
        let target = d.join("real.svg");
        std::fs::write(&target, b"old").unwrap();
        let link = d.join("link.svg");
        symlink(&target, &link).unwrap();
        assert_eq!(
            files::write(&link, b"new", files::Mode::Private).unwrap(),
            files::Written::File(target.clone())
        );
        assert!(std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read(&target).unwrap(), b"new");
        // A dangling link: its target is created.
        let missing = d.join("later.svg");
        let dangling = d.join("dangling.svg");
        symlink(&missing, &dangling).unwrap();
        files::write(&dangling, b"x", files::Mode::Private).unwrap();
        assert_eq!(std::fs::read(&missing).unwrap(), b"x");
    }

    #[test]
    fn a_shared_runtime_dir_must_be_ours_and_private() {
        use std::os::unix::fs::PermissionsExt;
        let d = dir("runtime").join("hunch");
        paths::create_private_dir(&d).unwrap();
        assert!(paths::check_private_dir(&d).is_ok());
        std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o777)).unwrap();
        let e = paths::check_private_dir(&d).unwrap_err().to_string();
        assert!(e.contains("others can use it (mode 777)"), "{e}");
        let f = d.join("file");
        std::fs::write(&f, b"").unwrap();
        assert!(paths::check_private_dir(&f)
            .unwrap_err()
            .to_string()
            .contains("not a directory"));
        let link = d.join("link");
        symlink(&std::env::temp_dir(), &link).unwrap();
        assert!(paths::check_private_dir(&link).is_err());
    }
}

//! Every file hunch writes for the user goes through here, so they all follow one set of
//! rules:
//!
//! * a **regular file** (or nothing) at the path is replaced atomically: the bytes go to a
//!   new temporary file beside it, which is renamed over it, so a crash leaves the old
//!   file or the new one, never half of each;
//! * a **symbolic link** is followed, and its target is written by these same rules (a
//!   link is never replaced by a file);
//! * a **FIFO or character device** (`/dev/stdout`, a pipe made with `mkfifo`) and `-`
//!   are written to as a stream, never replaced;
//! * a **directory** or anything else (a socket, a block device) is refused;
//! * the mode is set explicitly — 0600 for anything about the user, 0644 for generated
//!   documentation — whatever the umask; a new parent directory is 0700.

use std::io::Write;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// Who may read a file hunch writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// 0600: anything about the user (reports, calibration, pictures, recordings).
    Private,
    /// 0644: generated documentation (man pages, completions, a service unit).
    Public,
}

impl Mode {
    pub fn bits(self) -> u32 {
        match self {
            Mode::Private => 0o600,
            Mode::Public => 0o644,
        }
    }
}

/// Where the bytes went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Written {
    /// A regular file, created or replaced (for a symbolic link: its target).
    File(PathBuf),
    /// A FIFO or a character device, written as a stream.
    Stream(PathBuf),
    /// Standard output (`-`).
    Stdout,
}

impl std::fmt::Display for Written {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Written::File(p) | Written::Stream(p) => write!(f, "{}", p.display()),
            Written::Stdout => f.write_str("standard output"),
        }
    }
}

#[derive(Debug, Error)]
pub enum FileError {
    #[error("{0} is a directory; give a file name")]
    IsDirectory(PathBuf),
    #[error(
        "{path} is {what}; hunch writes only to a regular file, a FIFO or a character device there"
    )]
    Unsupported { path: PathBuf, what: &'static str },
    #[error("{0} already exists; hunch does not overwrite it")]
    Exists(PathBuf),
    #[error("{0} is read-only; make it writable or choose another name")]
    ReadOnly(PathBuf),
    #[error("{0}: too many levels of symbolic links")]
    LinkLoop(PathBuf),
    #[error("cannot write {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl FileError {
    /// The reader of a stream went away (`--html /dev/stdout | head`): not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, FileError::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

fn io_at(path: &Path) -> impl Fn(std::io::Error) -> FileError + '_ {
    move |source| FileError::Io {
        path: path.into(),
        source,
    }
}

/// Writes `bytes` to `path` by the module's rules, creating a missing parent directory
/// (0700).
pub fn write(path: &Path, bytes: &[u8], mode: Mode) -> Result<Written, FileError> {
    if path.as_os_str() == "-" {
        let mut out = std::io::stdout().lock();
        out.write_all(bytes)
            .and_then(|()| out.flush())
            .map_err(io_at(path))?;
        return Ok(Written::Stdout);
    }
    // The kernel follows links here, `/proc`'s magic ones (`/dev/stdout`) included.
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() => {
            // The real file, so that the rename replaces it and not a link to it.
            let target = crate::platform::fs::real_path(path).map_err(io_at(path))?;
            if m.permissions().readonly() {
                return Err(FileError::ReadOnly(target));
            }
            replace(&target, bytes, mode)?;
            Ok(Written::File(target))
        }
        Ok(m) if m.is_dir() => Err(FileError::IsDirectory(path.into())),
        Ok(m) => match crate::platform::fs::stream_kind(&m) {
            Some(_) => {
                let mut f = std::fs::OpenOptions::new()
                    .write(true)
                    .open(path)
                    .map_err(io_at(path))?;
                f.write_all(bytes)
                    .and_then(|()| f.flush())
                    .map_err(io_at(path))?;
                Ok(Written::Stream(path.into()))
            }
            None => Err(FileError::Unsupported {
                path: path.into(),
                what: crate::platform::fs::describe(&m),
            }),
        },
        // Nothing there, or a link to nothing: the file is created where the link points.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let target = resolve_links(path)?;
            replace(&target, bytes, mode)?;
            Ok(Written::File(target))
        }
        Err(e) => Err(io_at(path)(e)),
    }
}

/// Writes `bytes` to a new file at `path`, refusing to touch anything already there
/// (recorded frames: a second recording must never overwrite the first).
pub fn create_new(path: &Path, bytes: &[u8], mode: Mode) -> Result<(), FileError> {
    let mut f = crate::platform::fs::open_new(path, mode.bits()).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            FileError::Exists(path.into())
        } else {
            io_at(path)(e)
        }
    })?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(io_at(path))
}

/// Appends `bytes` to `path` (following a symbolic link), creating it with `mode` when it
/// is new; says whether it was new.
pub fn append(path: &Path, bytes: &[u8], mode: Mode) -> Result<bool, FileError> {
    let target = resolve_links(path)?;
    let new = match std::fs::metadata(&target) {
        Ok(m) if m.is_dir() => return Err(FileError::IsDirectory(target)),
        Ok(_) => false,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => true,
        Err(e) => return Err(io_at(&target)(e)),
    };
    let mut f = if new {
        crate::platform::fs::open_new(&target, mode.bits()).map_err(io_at(&target))?
    } else {
        std::fs::OpenOptions::new()
            .append(true)
            .open(&target)
            .map_err(io_at(&target))?
    };
    f.write_all(bytes)
        .and_then(|()| f.flush())
        .map_err(io_at(&target))?;
    Ok(new)
}

/// Follows a dangling chain of symbolic links from `path` to the path that does not exist
/// yet (or `path` itself when it is not a link).
fn resolve_links(path: &Path) -> Result<PathBuf, FileError> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = std::fs::read_link(&p).map_err(io_at(&p))?;
                p = match p.parent() {
                    Some(dir) if to.is_relative() => dir.join(to),
                    _ => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(FileError::LinkLoop(path.into()))
}

/// A temporary file beside `path`, then renamed over it.
fn replace(path: &Path, bytes: &[u8], mode: Mode) -> Result<(), FileError> {
    // A bare file name's parent is "": the current directory.
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    crate::support::paths::create_private_dir(dir).map_err(io_at(dir))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // A fresh name each try: a leftover temporary file (or anything else) there is never
    // opened, since `open_new` refuses what exists, links included.
    let mut attempt = 0u32;
    let (tmp, mut f) = loop {
        let tmp = dir.join(format!(".{name}.{}-{attempt}.tmp", std::process::id()));
        match crate::platform::fs::open_new(&tmp, mode.bits()) {
            Ok(f) => break (tmp, f),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempt < 100 => {
                attempt += 1;
            }
            Err(e) => return Err(io_at(&tmp)(e)),
        }
    };
    let written = f
        .write_all(bytes)
        .and_then(|()| f.sync_all())
        .and_then(|()| {
            drop(f);
            std::fs::rename(&tmp, path)
        });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_at(path)(e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("hunch-files-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn a_regular_file_is_replaced_and_made_private() {
        let d = dir("regular");
        let p = d.join("out.html");
        std::fs::write(&p, b"old").unwrap();
        assert_eq!(
            write(&p, b"new", Mode::Private).unwrap(),
            Written::File(p.clone())
        );
        assert_eq!(std::fs::read(&p).unwrap(), b"new");
        // User-only where the system has modes (on Windows, the folder's access list).
        if let Some(mode) = crate::platform::fs::mode_bits(&p) {
            assert_eq!(mode, 0o600);
        }
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
    }

    #[test]
    fn a_directory_is_refused_and_create_new_never_overwrites() {
        let d = dir("refuse");
        let e = write(&d, b"x", Mode::Private).unwrap_err();
        assert!(matches!(e, FileError::IsDirectory(_)), "{e}");
        let p = d.join("frame.jpg");
        create_new(&p, b"first", Mode::Private).unwrap();
        let e = create_new(&p, b"second", Mode::Private).unwrap_err();
        assert!(matches!(e, FileError::Exists(_)), "{e}");
        assert_eq!(std::fs::read(&p).unwrap(), b"first");
    }
}

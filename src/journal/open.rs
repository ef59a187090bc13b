//! Opening the journal: the one place that decides what may be created, moved or
//! refused.
//!
//! * **Readers** ([`Journal::open_read_only`]: reports, exports, `log list`, the tray,
//!   `doctor`) never create, migrate, move or write anything — not even SQLite's `-shm`
//!   index. A log whose index is gone is read through an in-memory copy; a log that
//!   belongs to another journal is ignored, and said so.
//! * **Writers** ([`Journal::open`]: `hunch headache`; [`Journal::open_monitor`]: the
//!   monitor) create a journal only where none exists (or the file is empty), refuse a
//!   file that is not a hunch journal, naming it, and refuse to start on one they cannot
//!   write. A stray log (another journal's, or one without its journal) is moved aside
//!   before SQLite could apply it.
//! * **The monitor** also holds the journal's single-writer lock, `<journal>.lock`, for as
//!   long as it runs: a second monitor on the same file is refused whatever its runtime
//!   directory. At hunch's own journal path (not a path given with `--journal`), a file
//!   SQLite says is not a database is moved aside and a new journal started.
//!
//! Moved-aside names never overwrite anything: `<name>.unreadable-<unix seconds>`, then
//! `-2`, `-3`… when that exists.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{Connection, ErrorCode, OpenFlags};

use super::wal::{self, Verdict};
use super::{Journal, JournalError, Opened, MIGRATIONS};

/// What to do with a file at the journal's path that SQLite says is not a database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreadable {
    /// Say so and stop: the path was given by the user and may be anything of theirs.
    Refuse,
    /// Move it aside and start anew: hunch's own journal path, where nothing but a
    /// journal (perhaps a damaged one) is ever kept.
    MoveAside,
}

/// How a command means to use the journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Access {
    Write,
    Monitor,
}

/// What a file at the journal's path turned out to be, before SQLite touched it.
enum Found {
    Nothing,
    /// A zero-length file: nothing to lose, a writer may start a journal in it.
    Empty,
    /// A file that starts like an SQLite database.
    Database,
    /// Anything else: not a database by its first bytes.
    Other,
}

fn look(path: &Path) -> Result<Found, JournalError> {
    let io = |source| JournalError::Io {
        path: path.into(),
        source,
    };
    let m = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Found::Nothing),
        Err(e) => return Err(io(e)),
    };
    if m.is_dir() {
        return Err(JournalError::NotAJournal {
            path: path.into(),
            why: "it is a directory".into(),
        });
    }
    if !m.is_file() {
        return Err(JournalError::NotAJournal {
            path: path.into(),
            why: "it is not a regular file".into(),
        });
    }
    if m.len() == 0 {
        return Ok(Found::Empty);
    }
    let mut head = [0u8; 16];
    let n = {
        use std::io::Read;
        let mut f = std::fs::File::open(path).map_err(io)?;
        let mut n = 0;
        while n < head.len() {
            match f.read(&mut head[n..]).map_err(io)? {
                0 => break,
                k => n += k,
            }
        }
        n
    };
    Ok(if n == 16 && &head == b"SQLite format 3\0" {
        Found::Database
    } else {
        Found::Other
    })
}

/// Whether the tables of a hunch journal are there (or none at all: a database a writer
/// created and had not yet filled).
fn check_schema(conn: &Connection, path: &Path) -> Result<i64, JournalError> {
    let sql = Journal::sql_at(path);
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(&sql)?;
    if version as usize > MIGRATIONS.len() {
        return Err(JournalError::TooNew {
            path: path.into(),
            found: version,
            known: MIGRATIONS.len(),
        });
    }
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table'")
        .and_then(|mut s| {
            s.query_map([], |r| r.get(0))?
                .collect::<Result<Vec<String>, _>>()
        })
        .map_err(&sql)?;
    let ours = ["samples", "events", "meta"]
        .iter()
        .all(|t| tables.iter().any(|n| n == t));
    if !(ours || tables.is_empty() && version == 0) {
        return Err(JournalError::NotAJournal {
            path: path.into(),
            why: "it is an SQLite database, but without a hunch journal's tables".into(),
        });
    }
    // Touch a table so that a damaged file fails here with one sentence, not later.
    if ours {
        conn.query_row(
            "SELECT count(*) FROM (SELECT 1 FROM samples LIMIT 1)",
            [],
            |r| r.get::<_, i64>(0),
        )
        .map_err(&sql)?;
    }
    Ok(version)
}

/// A database file shorter than its own header says: cut off (a copy that stopped, a
/// disk that filled while it was written). Only meaningful when no log extends it.
fn truncated(path: &Path) -> bool {
    use std::io::Read;
    let mut bytes = Vec::with_capacity(100);
    let read = std::fs::File::open(path).and_then(|f| f.take(100).read_to_end(&mut bytes));
    if read.is_err() || bytes.is_empty() {
        return false;
    }
    if bytes.len() < 100 {
        return true;
    }
    let page_size = match u16::from_be_bytes([bytes[16], bytes[17]]) {
        1 => 65_536u64,
        n => n as u64,
    };
    let pages = u32::from_be_bytes([bytes[28], bytes[29], bytes[30], bytes[31]]) as u64;
    let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    pages > 0 && len < pages * page_size
}

/// A fresh random journal id (never 0, which means "none").
fn new_id() -> i32 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    h.write_u32(std::process::id());
    match h.finish() as u32 {
        0 => 1,
        n => n as i32,
    }
}

impl Journal {
    /// Opens the journal for a few writes now (a diary entry): creates it where nothing
    /// (or an empty file) is, migrates an older one, refuses anything that is not a hunch
    /// journal or cannot be written.
    pub fn open(path: &Path) -> Result<(Journal, Opened), JournalError> {
        Self::open_as(path, Access::Write, Unreadable::Refuse)
    }

    /// Opens the journal for the monitor: as [`Journal::open`], holding the journal's
    /// single-writer lock for as long as the returned journal lives; `unreadable` says
    /// what to do with a file at the path that is not a database.
    pub fn open_monitor(
        path: &Path,
        unreadable: Unreadable,
    ) -> Result<(Journal, Opened), JournalError> {
        Self::open_as(path, Access::Monitor, unreadable)
    }

    fn open_as(
        path: &Path,
        access: Access,
        unreadable: Unreadable,
    ) -> Result<(Journal, Opened), JournalError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            crate::support::paths::create_private_dir(dir).map_err(|source| JournalError::Dir {
                path: dir.into(),
                source,
            })?;
        }
        let lock = match access {
            Access::Monitor => Some(take_lock(path)?),
            Access::Write => None,
        };
        let mut opened = Opened::Existing;
        match look(path)? {
            Found::Nothing | Found::Empty => {
                // A log or index with no journal: nothing they could belong to now.
                if let Some(moved_to) = move_stray_log(path)? {
                    opened = Opened::StrayLog {
                        moved_to,
                        reason: "there was no journal beside it".into(),
                    };
                } else {
                    opened = Opened::Created;
                }
            }
            Found::Other => match unreadable {
                Unreadable::MoveAside => {
                    let moved_to = move_aside(path).map_err(|source| JournalError::Io {
                        path: path.into(),
                        source,
                    })?;
                    opened = Opened::Replaced {
                        moved_to,
                        reason: "file is not a database".into(),
                    };
                }
                Unreadable::Refuse => {
                    return Err(JournalError::NotAJournal {
                        path: path.into(),
                        why: "it is not an SQLite database".into(),
                    })
                }
            },
            Found::Database => {
                let verdict = wal::inspect(path).map_err(|source| JournalError::Io {
                    path: path.into(),
                    source,
                })?;
                if let Verdict::Foreign { why } = verdict {
                    if let Some(moved_to) = move_stray_log(path)? {
                        opened = Opened::StrayLog {
                            moved_to,
                            reason: why,
                        };
                    }
                } else if matches!(verdict, Verdict::Empty) && truncated(path) {
                    return Err(JournalError::Damaged {
                        path: path.into(),
                        why: "it is shorter than its own header says: cut off".into(),
                    });
                }
            }
        }
        if matches!(opened, Opened::Created | Opened::StrayLog { .. }) && !path.exists() {
            // Created user-only before SQLite does (it would use the umask).
            crate::platform::fs::open_new(path, 0o600).map_err(|source| JournalError::Io {
                path: path.into(),
                source,
            })?;
        }
        let sql = Self::sql_at(path);
        let conn = Connection::open(path).map_err(&sql)?;
        conn.busy_timeout(Duration::from_secs(2)).map_err(&sql)?;
        let version = check_schema(&conn, path)?;
        if conn.is_readonly("main").unwrap_or(false) {
            return Err(JournalError::ReadOnly {
                path: path.into(),
                why: "the file is read-only".into(),
            });
        }
        if version == 0 {
            // Freed pages go back to the file system (in steps, by the keeper): only
            // settable before the first table exists.
            conn.pragma_update(None, "auto_vacuum", "INCREMENTAL")
                .map_err(|e| writable(path, e))?;
        }
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(|e| writable(path, e))?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(&sql)?;
        conn.pragma_update(None, "journal_size_limit", super::JOURNAL_SIZE_LIMIT)
            .map_err(&sql)?;
        let mut j = Journal {
            conn,
            path: path.into(),
            schema: version,
            read_only: false,
            pending: Vec::new(),
            dropped: 0,
            last_commit: Instant::now(),
            ignored_log: None,
            _lock: lock,
            hold: None,
        };
        j.migrate(version).map_err(|e| writable(path, e))?;
        if matches!(
            opened,
            Opened::Created | Opened::StrayLog { .. } | Opened::Replaced { .. }
        ) {
            // The id into the file itself, so that a log can be checked against it from
            // the first moment.
            let _ = j
                .conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()));
        }
        Ok((j, opened))
    }

    /// Runs the migrations `version` has not, stamps an id on a journal without one, and
    /// with them proves the journal writable: every writer's open writes once. A full
    /// disk is not a reason to refuse (the monitor keeps its rows in memory until space
    /// returns); anything else that stops a write is.
    fn migrate(&mut self, version: i64) -> Result<(), rusqlite::Error> {
        let id: i32 = self
            .conn
            .query_row("PRAGMA application_id", [], |r| r.get(0))?;
        let result = (|| {
            let tx = self.conn.unchecked_transaction()?;
            for (i, m) in MIGRATIONS.iter().enumerate().skip(version as usize) {
                tx.execute_batch(m)?;
                tx.pragma_update(None, "user_version", (i + 1) as i64)?;
            }
            if id == 0 {
                tx.pragma_update(None, "application_id", new_id())?;
            }
            tx.pragma_update(None, "user_version", MIGRATIONS.len() as i64)?;
            tx.commit()
        })();
        match result {
            Ok(()) => {
                self.schema = MIGRATIONS.len() as i64;
                Ok(())
            }
            Err(e) if e.sqlite_error_code() == Some(ErrorCode::DiskFull) && version > 0 => {
                // Readable as it is; the rows wait in memory.
                self.schema = version;
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Opens an existing journal for reading only: nothing is created, written, migrated,
    /// cached or moved, so reports work on a full disk, in a read-only directory, and while
    /// the monitor writes.
    pub fn open_read_only(path: &Path) -> Result<Journal, JournalError> {
        let sql = Self::sql_at(path);
        match look(path)? {
            Found::Nothing => {
                return Err(JournalError::Io {
                    path: path.into(),
                    source: std::io::Error::from(std::io::ErrorKind::NotFound),
                })
            }
            Found::Empty => {
                return Err(JournalError::NotAJournal {
                    path: path.into(),
                    why: "it is empty (`hunch run` starts a journal there)".into(),
                })
            }
            Found::Other => {
                return Err(JournalError::NotAJournal {
                    path: path.into(),
                    why: "it is not an SQLite database".into(),
                })
            }
            Found::Database => {}
        }
        let verdict = wal::inspect(path).map_err(|source| JournalError::Io {
            path: path.into(),
            source,
        })?;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let immutable = || {
            let uri = format!("file:{}?immutable=1", uri_path(path));
            Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)
        };
        let has_index = wal::shm_path(path).exists();
        let mut ignored_log = None;
        let conn = match &verdict {
            // Another database's log: the journal's own pages only.
            Verdict::Foreign { why } => {
                ignored_log = Some(format!(
                    "{} does not belong to this journal ({why}); it was ignored, and \
                     `hunch run` moves it aside",
                    wal::wal_path(path).display()
                ));
                immutable().map_err(&sql)?
            }
            // Nothing in a log: the file alone says everything, and no index is needed.
            Verdict::Empty if !has_index => {
                if truncated(path) {
                    return Err(JournalError::Damaged {
                        path: path.into(),
                        why: "it is shorter than its own header says: cut off".into(),
                    });
                }
                immutable().map_err(&sql)?
            }
            // A log whose index is gone (no writer can be running without one): read a
            // copy with the log applied, in memory, rather than create the index.
            Verdict::Ours { .. } | Verdict::Unchecked if !has_index => {
                let image = wal::image_with_log(path).map_err(|source| JournalError::Io {
                    path: path.into(),
                    source,
                })?;
                let mut c = Connection::open_in_memory().map_err(&sql)?;
                c.deserialize_read_exact(rusqlite::MAIN_DB, &image[..], image.len(), true)
                    .map_err(&sql)?;
                c
            }
            // A writer may be at work: SQLite's own shared reading.
            _ => match Connection::open_with_flags(path, flags) {
                Ok(c) => c,
                // A directory we cannot write to: read it as an unchanging file — nobody
                // can be writing to it there either.
                Err(_) => immutable().map_err(&sql)?,
            },
        };
        let version = match check_schema(&conn, path) {
            Ok(v) => v,
            // An index we may not update (a read-only directory): as an unchanging file.
            Err(JournalError::Sql { .. }) if has_index => {
                let c = immutable().map_err(&sql)?;
                let v = check_schema(&c, path)?;
                return Self::reader(c, path, v, ignored_log);
            }
            Err(e) => return Err(e),
        };
        Self::reader(conn, path, version, ignored_log)
    }

    fn reader(
        conn: Connection,
        path: &Path,
        version: i64,
        ignored_log: Option<String>,
    ) -> Result<Journal, JournalError> {
        conn.busy_timeout(Duration::from_secs(2))
            .map_err(Self::sql_at(path))?;
        Ok(Journal {
            conn,
            path: path.into(),
            schema: version,
            read_only: true,
            pending: Vec::new(),
            dropped: 0,
            last_commit: Instant::now(),
            ignored_log,
            _lock: None,
            hold: None,
        })
    }
}

/// Turns a failed first write into what the user can fix.
fn writable(path: &Path, e: rusqlite::Error) -> JournalError {
    match e.sqlite_error_code() {
        Some(ErrorCode::ReadOnly)
        | Some(ErrorCode::CannotOpen)
        | Some(ErrorCode::PermissionDenied) => JournalError::ReadOnly {
            path: path.into(),
            why: e.to_string(),
        },
        _ => Journal::sql_at(path)(e),
    }
}

/// `<journal>.lock`, held by the monitor writing the journal.
fn lock_path(journal: &Path) -> PathBuf {
    let mut s = journal.as_os_str().to_owned();
    s.push(".lock");
    PathBuf::from(s)
}

fn take_lock(journal: &Path) -> Result<std::fs::File, JournalError> {
    let path = lock_path(journal);
    let io = |source: std::io::Error| match source.kind() {
        // The lock cannot be made where the journal is: neither can the journal's log.
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            JournalError::ReadOnly {
                path: journal.into(),
                why: format!("its lock {} cannot be made: {source}", path.display()),
            }
        }
        _ => JournalError::Io {
            path: path.clone(),
            source,
        },
    };
    let file = match crate::platform::fs::open_new(&path, 0o600) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .map_err(io)?,
        Err(e) => return Err(io(e)),
    };
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(std::fs::TryLockError::WouldBlock) => Err(JournalError::InUse {
            path: journal.into(),
            lock: path.clone(),
        }),
        Err(std::fs::TryLockError::Error(e)) => Err(io(e)),
    }
}

/// A name beside `path` that nothing has: `<path>.<tag>-<unix seconds>`, then `-2`…
fn aside_name(path: &Path, tag: &str, n: u32) -> PathBuf {
    let stamp = jiff::Timestamp::now().as_second();
    let mut s = path.as_os_str().to_owned();
    s.push(format!(".{tag}-{stamp}"));
    if n > 1 {
        s.push(format!("-{n}"));
    }
    PathBuf::from(s)
}

/// Renames `path` to a fresh name beside it ([`aside_name`]), never over anything.
fn rename_aside(path: &Path, tag: &str) -> std::io::Result<PathBuf> {
    for n in 1..1000 {
        let to = aside_name(path, tag, n);
        match crate::platform::fs::rename_noreplace(path, &to) {
            Ok(()) => return Ok(to),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::other("no free name to move it to"))
}

/// Moves `path` and its log and index aside, together: `path.unreadable-…`,
/// `path.unreadable-…-wal`.
pub(super) fn move_aside(path: &Path) -> std::io::Result<PathBuf> {
    let target = rename_aside(path, "unreadable")?;
    for (side, of) in [
        (wal::wal_path(path), wal::wal_path(&target)),
        (wal::shm_path(path), wal::shm_path(&target)),
    ] {
        if side.exists() {
            let _ = crate::platform::fs::rename_noreplace(&side, &of);
        }
    }
    Ok(target)
}

/// Moves a log (and its index) that does not belong to the journal at `path` aside:
/// `path-wal.stray-…`. None when there was none.
fn move_stray_log(path: &Path) -> Result<Option<PathBuf>, JournalError> {
    let (log, index) = (wal::wal_path(path), wal::shm_path(path));
    let io = |source| JournalError::Io {
        path: log.clone(),
        source,
    };
    let mut moved = None;
    if log.exists() {
        moved = Some(rename_aside(&log, "stray").map_err(io)?);
    }
    if index.exists() {
        // The index only describes the log; it is rebuilt from nothing.
        let _ = rename_aside(&index, "stray");
    }
    Ok(moved)
}

/// `path` for an SQLite URI: percent-encodes what a URI would read otherwise.
fn uri_path(path: &Path) -> String {
    let mut out = String::new();
    for b in path.as_os_str().as_encoded_bytes() {
        if b.is_ascii() && !matches!(b, b'?' | b'#' | b'%') {
            out.push(*b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

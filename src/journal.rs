//! The journal: numbers only, in SQLite. One row per sample (time, the time it stands
//! for, state, angle, presence) and one per event (alerts, actions, pauses, camera
//! trouble). Never a frame.
//!
//! Writes are collected in memory and committed together every few seconds (WAL mode,
//! `synchronous=NORMAL`), so a killed daemon loses at most the last batch and the file
//! always opens cleanly. A batch that cannot be committed (disk full, read-only, locked)
//! stays in memory and is committed with the next one that can: nothing is lost to a full
//! disk while the monitor runs (up to [`MAX_PENDING`] rows).
//!
//! A file is moved aside (never deleted) and a new journal started only when SQLite itself
//! says it is not a database; any other trouble is an error that says what it is. Readers
//! ([`Journal::open_read_only`]) never write, not even to a cache.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension};
use thiserror::Error;

use crate::diary::{Headache, HeadacheKind};
pub use crate::vocab::SampleRow;
use crate::vocab::{Event, EventKind, MonitorState, UnknownWord};

/// Schema migrations; `PRAGMA user_version` is how many have run.
const MIGRATIONS: &[&str] = &["
    CREATE TABLE samples (
        t_ms INTEGER NOT NULL,      -- Unix time of the sample, ms
        dt_ms INTEGER NOT NULL,     -- the time it stands for (the sampling interval, capped)
        state TEXT NOT NULL,        -- MonitorState
        forward_deg REAL,           -- smoothed neck-forward angle, when measured
        presence REAL NOT NULL      -- pose presence, 0 when nobody was seen
    );
    CREATE INDEX samples_t ON samples(t_ms);
    CREATE TABLE events (
        t_ms INTEGER NOT NULL,
        kind TEXT NOT NULL,         -- alert, done, snooze, pause, resume, start, stop, camera_error, ...
        detail TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX events_t ON events(t_ms);
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
", "
    -- Summaries of days that are over, so reports over months need not re-read every sample.
    CREATE TABLE day_cache (
        day TEXT NOT NULL,          -- YYYY-MM-DD
        tz TEXT NOT NULL,           -- the time zone the day was cut in
        version INTEGER NOT NULL,   -- the report code's version; others are ignored
        summary TEXT NOT NULL,      -- JSON
        PRIMARY KEY (day, tz)
    );
", "
    -- How long the camera was open (its light on) within each sample's interval.
    ALTER TABLE samples ADD COLUMN camera_open_ms INTEGER NOT NULL DEFAULT 0;
", "
    -- The headache diary: what the user logged, as they logged it.
    CREATE TABLE headaches (
        id INTEGER PRIMARY KEY,
        at_ms INTEGER NOT NULL,     -- when it started (Unix ms)
        intensity INTEGER NOT NULL, -- 0-10
        duration_s INTEGER,         -- how long, when known
        kind TEXT NOT NULL,         -- tension, migraine, other, unsure
        medication TEXT,
        note TEXT,
        logged_ms INTEGER NOT NULL  -- when it was written down
    );
    CREATE INDEX headaches_at ON headaches(at_ms);
"];

/// Commit a batch at least this often.
pub const FLUSH_EVERY: Duration = Duration::from_secs(5);

/// Rows kept in memory while the journal cannot be written (a day at one sample a
/// second, twice over); beyond it the oldest samples are dropped and counted.
pub const MAX_PENDING: usize = 200_000;

#[derive(Debug, Error)]
pub enum JournalError {
    #[error("journal {path}: {source}")]
    Sql {
        path: PathBuf,
        source: rusqlite::Error,
    },
    #[error("journal {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot create the journal's directory {path}: {source}")]
    Dir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("journal {path} was written by a newer hunch (schema {found}, this one knows {known}); upgrade hunch")]
    TooNew {
        path: PathBuf,
        found: i64,
        known: usize,
    },
    #[error("no data directory: set HOME or XDG_DATA_HOME")]
    NoDataDir,
    #[error("journal {path} predates {what}; run `hunch run` (or any command that writes) once to update it")]
    TooOld { path: PathBuf, what: &'static str },
    #[error(
        "journal {path} holds an {source}: it was written by another version of hunch, or damaged"
    )]
    Unknown { path: PathBuf, source: UnknownWord },
    #[error("journal {path} is not a database ({source}); `hunch run` moves it aside and starts a new one")]
    NotADatabase {
        path: PathBuf,
        source: rusqlite::Error,
    },
}

impl JournalError {
    /// The disk is full (or the database reached its size limit).
    pub fn is_full(&self) -> bool {
        matches!(self, JournalError::Sql { source, .. } if source.sqlite_error_code() == Some(ErrorCode::DiskFull))
    }
}

/// What opening found, for the caller to tell the user.
#[derive(Debug, Clone, PartialEq)]
pub enum Opened {
    Existing,
    Created,
    /// The old file was not a database (SQLite said so); it was moved here.
    Replaced {
        moved_to: PathBuf,
        reason: String,
    },
}

/// A write waiting for the next commit.
#[derive(Debug, Clone)]
enum Op {
    Sample(SampleRow, f32),
    Event(Event),
    Meta(String, String),
}

pub struct Journal {
    conn: Connection,
    path: PathBuf,
    /// Schema version of the file (readers may meet older files they cannot migrate).
    schema: i64,
    read_only: bool,
    pending: Vec<Op>,
    /// Samples dropped because the journal could not be written for too long.
    dropped: u64,
    last_commit: Instant,
}

fn is_not_a_database(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(ErrorCode::NotADatabase)
}

impl Journal {
    /// `$XDG_DATA_HOME/hunch/journal.sqlite`.
    pub fn default_path() -> Result<PathBuf, JournalError> {
        crate::paths::data_dir()
            .map(|d| d.join("journal.sqlite"))
            .ok_or(JournalError::NoDataDir)
    }

    /// Opens (or creates) the journal for writing. A file that SQLite says is not a
    /// database is moved aside and a new journal started ([`Opened::Replaced`]).
    pub fn open(path: &Path) -> Result<(Journal, Opened), JournalError> {
        if let Some(dir) = path.parent() {
            crate::paths::create_private_dir(dir).map_err(|source| JournalError::Dir {
                path: dir.into(),
                source,
            })?;
        }
        let existed = path.exists();
        match Self::try_open(path) {
            Ok(j) => Ok((
                j,
                if existed {
                    Opened::Existing
                } else {
                    Opened::Created
                },
            )),
            Err(JournalError::NotADatabase { source, .. }) if existed => {
                let moved_to = move_aside(path).map_err(|source| JournalError::Io {
                    path: path.into(),
                    source,
                })?;
                let j = Self::try_open(path)?;
                Ok((
                    j,
                    Opened::Replaced {
                        moved_to,
                        reason: source.to_string(),
                    },
                ))
            }
            Err(e) => Err(e),
        }
    }

    fn sql_at(path: &Path) -> impl Fn(rusqlite::Error) -> JournalError + '_ {
        move |source| {
            if is_not_a_database(&source) {
                JournalError::NotADatabase {
                    path: path.into(),
                    source,
                }
            } else {
                JournalError::Sql {
                    path: path.into(),
                    source,
                }
            }
        }
    }

    fn try_open(path: &Path) -> Result<Journal, JournalError> {
        let sql = Self::sql_at(path);
        // Create the file user-only before SQLite does (it would use the umask).
        if !path.exists() {
            use std::os::unix::fs::OpenOptionsExt;
            std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .open(path)
                .map_err(|source| JournalError::Io {
                    path: path.into(),
                    source,
                })?;
        }
        let conn = Connection::open(path).map_err(&sql)?;
        conn.busy_timeout(Duration::from_secs(2)).map_err(&sql)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(&sql)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(&sql)?;
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
        for (i, m) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            conn.execute_batch(&format!(
                "BEGIN; {m}; PRAGMA user_version = {}; COMMIT;",
                i + 1
            ))
            .map_err(&sql)?;
        }
        // Touch the tables so a damaged file fails here, not in the middle of a run.
        conn.query_row("SELECT count(*) FROM meta", [], |r| r.get::<_, i64>(0))
            .map_err(&sql)?;
        Ok(Journal {
            conn,
            path: path.into(),
            schema: MIGRATIONS.len() as i64,
            read_only: false,
            pending: Vec::new(),
            dropped: 0,
            last_commit: Instant::now(),
        })
    }

    /// Opens an existing journal for reading only: nothing is written, migrated, cached
    /// or moved, so reports work on a full disk, in a read-only directory, and while the
    /// monitor writes.
    pub fn open_read_only(path: &Path) -> Result<Journal, JournalError> {
        let sql = Self::sql_at(path);
        std::fs::File::open(path).map_err(|source| JournalError::Io {
            path: path.into(),
            source,
        })?;
        let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let check = |conn: Connection| -> Result<(Connection, i64), rusqlite::Error> {
            let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            conn.query_row("SELECT count(*) FROM samples", [], |r| r.get::<_, i64>(0))?;
            Ok((conn, v))
        };
        let opened = Connection::open_with_flags(path, flags).and_then(check);
        let (conn, version) = match opened {
            Ok(c) => c,
            Err(e) if is_not_a_database(&e) => return Err(sql(e)),
            // A WAL journal in a directory we cannot write to (no `-shm` can be made):
            // read it as an unchanging file — nobody can be writing to it there either.
            Err(_) => {
                let uri = format!("file:{}?immutable=1", uri_path(path));
                Connection::open_with_flags(uri, flags | OpenFlags::SQLITE_OPEN_URI)
                    .and_then(check)
                    .map_err(&sql)?
            }
        };
        conn.busy_timeout(Duration::from_secs(2)).map_err(&sql)?;
        if version as usize > MIGRATIONS.len() {
            return Err(JournalError::TooNew {
                path: path.into(),
                found: version,
                known: MIGRATIONS.len(),
            });
        }
        Ok(Journal {
            conn,
            path: path.into(),
            schema: version,
            read_only: true,
            pending: Vec::new(),
            dropped: 0,
            last_commit: Instant::now(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn sql(&self, e: rusqlite::Error) -> JournalError {
        Self::sql_at(&self.path)(e)
    }

    /// Writes waiting for a commit (more than a batch's worth while the journal cannot be
    /// written).
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    /// Samples given up because the journal could not be written for too long.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }

    fn push(&mut self, op: Op) {
        if self.pending.len() >= MAX_PENDING {
            if let Some(i) = self
                .pending
                .iter()
                .position(|o| matches!(o, Op::Sample(..)))
            {
                self.pending.remove(i);
                self.dropped += 1;
            }
        }
        self.pending.push(op);
    }

    /// Commits when the batch is older than [`FLUSH_EVERY`].
    fn maybe_flush(&mut self) -> Result<(), JournalError> {
        if self.last_commit.elapsed() >= FLUSH_EVERY {
            self.flush()?;
        }
        Ok(())
    }

    /// Commits everything pending in one transaction. On failure nothing of the batch is
    /// committed and all of it stays pending for the next try.
    pub fn flush(&mut self) -> Result<(), JournalError> {
        self.last_commit = Instant::now();
        if self.pending.is_empty() || self.read_only {
            return Ok(());
        }
        let result = (|| -> Result<(), rusqlite::Error> {
            let tx = self.conn.unchecked_transaction()?;
            {
                let mut sample = tx.prepare_cached(
                    "INSERT INTO samples (t_ms, dt_ms, state, forward_deg, presence, camera_open_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )?;
                let mut event = tx.prepare_cached(
                    "INSERT INTO events (t_ms, kind, detail) VALUES (?1, ?2, ?3)",
                )?;
                let mut meta = tx.prepare_cached(
                    "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                )?;
                for op in &self.pending {
                    match op {
                        Op::Sample(r, presence) => sample.execute(params![
                            r.t_ms,
                            r.dt_ms,
                            r.state.as_str(),
                            r.forward_deg,
                            presence,
                            r.camera_open_ms
                        ])?,
                        Op::Event(e) => {
                            event.execute(params![e.t_ms, e.kind.as_str(), e.detail])?
                        }
                        Op::Meta(k, v) => meta.execute(params![k, v])?,
                    };
                }
            }
            tx.commit()
        })();
        match result {
            Ok(()) => {
                self.pending.clear();
                Ok(())
            }
            Err(e) => Err(self.sql(e)),
        }
    }

    /// Records a sample (with the camera closed throughout; see [`Journal::record`]).
    pub fn sample(
        &mut self,
        t_ms: i64,
        dt_ms: i64,
        state: MonitorState,
        forward_deg: Option<f32>,
        presence: f32,
    ) -> Result<(), JournalError> {
        self.record(
            &SampleRow {
                t_ms,
                dt_ms,
                state,
                forward_deg,
                camera_open_ms: 0,
            },
            presence,
        )
    }

    /// Records a sample with the pose model's presence for it; committed with the batch.
    pub fn record(&mut self, row: &SampleRow, presence: f32) -> Result<(), JournalError> {
        self.push(Op::Sample(*row, presence));
        self.maybe_flush()
    }

    /// Records an event and commits at once: alerts and actions are what the user counts.
    pub fn event(&mut self, t_ms: i64, kind: EventKind, detail: &str) -> Result<(), JournalError> {
        self.push(Op::Event(Event {
            t_ms,
            kind,
            detail: detail.to_string(),
        }));
        self.flush()
    }

    pub fn get_meta(&self, key: &str) -> Result<Option<String>, JournalError> {
        let pending = self.pending.iter().rev().find_map(|o| match o {
            Op::Meta(k, v) if k == key => Some(v.clone()),
            _ => None,
        });
        if pending.is_some() {
            return Ok(pending);
        }
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| self.sql(e))
    }

    pub fn set_meta(&mut self, key: &str, value: &str) -> Result<(), JournalError> {
        self.push(Op::Meta(key.into(), value.into()));
        self.maybe_flush()
    }

    /// A cached day summary written by the same report `version`, if any.
    pub fn cached_day(
        &self,
        day: &str,
        tz: &str,
        version: i64,
    ) -> Result<Option<String>, JournalError> {
        if self.schema < 2 {
            return Ok(None);
        }
        self.conn
            .query_row(
                "SELECT summary FROM day_cache WHERE day = ?1 AND tz = ?2 AND version = ?3",
                params![day, tz, version],
                |r| r.get(0),
            )
            .optional()
            .map_err(|e| self.sql(e))
    }

    pub fn cache_day(
        &mut self,
        day: &str,
        tz: &str,
        version: i64,
        summary: &str,
    ) -> Result<(), JournalError> {
        self.conn
            .execute(
                "INSERT OR REPLACE INTO day_cache (day, tz, version, summary) VALUES (?1, ?2, ?3, ?4)",
                params![day, tz, version, summary],
            )
            .map_err(|e| self.sql(e))?;
        Ok(())
    }

    /// Deletes samples and events older than `days` before `now_ms`.
    pub fn prune(&mut self, now_ms: i64, days: u32) -> Result<usize, JournalError> {
        let cutoff = now_ms - days as i64 * 86_400_000;
        self.flush()?;
        let a = self
            .conn
            .execute("DELETE FROM samples WHERE t_ms < ?1", [cutoff])
            .map_err(|e| self.sql(e))?;
        let b = self
            .conn
            .execute("DELETE FROM events WHERE t_ms < ?1", [cutoff])
            .map_err(|e| self.sql(e))?;
        // Cached summaries of days whose samples are gone now (a day of margin for the
        // time zone the cache was cut in).
        let day = jiff::Timestamp::from_millisecond(cutoff + 86_400_000)
            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
            .unwrap_or_default();
        self.conn
            .execute("DELETE FROM day_cache WHERE day <= ?1", [day])
            .map_err(|e| self.sql(e))?;
        Ok(a + b)
    }

    /// Committed samples with `from_ms ≤ t_ms < to_ms`, in time order.
    pub fn samples(&self, from_ms: i64, to_ms: i64) -> Result<Vec<SampleRow>, JournalError> {
        // Journals from before migration 3 have no camera column (a reader cannot migrate).
        let open = if self.schema >= 3 {
            "camera_open_ms"
        } else {
            "0"
        };
        let mut stmt = self
            .conn
            .prepare_cached(&format!("SELECT t_ms, dt_ms, state, forward_deg, {open} FROM samples WHERE t_ms >= ?1 AND t_ms < ?2 ORDER BY t_ms"))
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([from_ms, to_ms], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<f32>>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (t_ms, dt_ms, state, forward_deg, camera_open_ms) = row.map_err(|e| self.sql(e))?;
            out.push(SampleRow {
                t_ms,
                dt_ms,
                state: self.word(&state)?,
                forward_deg,
                camera_open_ms,
            });
        }
        Ok(out)
    }

    /// Parses a stored word, or names it in the error.
    fn word<W: std::str::FromStr<Err = UnknownWord>>(&self, s: &str) -> Result<W, JournalError> {
        s.parse().map_err(|source| JournalError::Unknown {
            path: self.path.clone(),
            source,
        })
    }

    /// Committed events with `from_ms ≤ t_ms < to_ms`, in time order.
    pub fn events(&self, from_ms: i64, to_ms: i64) -> Result<Vec<Event>, JournalError> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT t_ms, kind, detail FROM events WHERE t_ms >= ?1 AND t_ms < ?2 ORDER BY t_ms, rowid")
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map([from_ms, to_ms], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                ))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (t_ms, kind, detail) = row.map_err(|e| self.sql(e))?;
            out.push(Event {
                t_ms,
                kind: self.word(&kind)?,
                detail,
            });
        }
        Ok(out)
    }
}

/// The diary: entries are written at once (not batched) — the user is waiting.
impl Journal {
    /// Meta key: the local date the diary was started (`YYYY-MM-DD`).
    pub const DIARY_STARTED: &'static str = "diary_started";

    fn diary_ready(&self) -> Result<(), JournalError> {
        if self.schema < 4 {
            return Err(JournalError::TooOld {
                path: self.path.clone(),
                what: "a headache diary",
            });
        }
        Ok(())
    }

    /// Stores a (validated) entry and returns its id. The first entry also records the
    /// day the diary started (`started`), if none is recorded yet.
    pub fn add_headache(
        &mut self,
        h: &Headache,
        logged_ms: i64,
        started: &str,
    ) -> Result<i64, JournalError> {
        self.diary_ready()?;
        self.flush()?;
        let tx = self.conn.unchecked_transaction().map_err(|e| self.sql(e))?;
        tx.execute(
            "INSERT INTO headaches (at_ms, intensity, duration_s, kind, medication, note, logged_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![h.at.as_millisecond(), h.intensity, h.duration_s, h.kind.as_str(), h.medication, h.note, logged_ms],
        )
        .map_err(|e| self.sql(e))?;
        let id = tx.last_insert_rowid();
        tx.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)",
            params![Self::DIARY_STARTED, started],
        )
        .map_err(|e| self.sql(e))?;
        tx.commit().map_err(|e| self.sql(e))?;
        Ok(id)
    }

    /// Replaces entry `h.id`. Returns false when there is no such entry.
    pub fn update_headache(&mut self, h: &Headache) -> Result<bool, JournalError> {
        self.diary_ready()?;
        let Some(id) = h.id else { return Ok(false) };
        let n = self
            .conn
            .execute(
                "UPDATE headaches SET at_ms = ?2, intensity = ?3, duration_s = ?4, kind = ?5, medication = ?6, note = ?7 WHERE id = ?1",
                params![id, h.at.as_millisecond(), h.intensity, h.duration_s, h.kind.as_str(), h.medication, h.note],
            )
            .map_err(|e| self.sql(e))?;
        Ok(n == 1)
    }

    /// Deletes entry `id`. Returns false when there is no such entry.
    pub fn remove_headache(&mut self, id: i64) -> Result<bool, JournalError> {
        self.diary_ready()?;
        let n = self
            .conn
            .execute("DELETE FROM headaches WHERE id = ?1", [id])
            .map_err(|e| self.sql(e))?;
        Ok(n == 1)
    }

    /// One entry.
    pub fn headache(&self, id: i64) -> Result<Option<Headache>, JournalError> {
        Ok(self
            .headaches_where("id = ?1", params![id])?
            .into_iter()
            .next())
    }

    /// Entries that started with `from_ms ≤ at < to_ms`, in time order.
    pub fn headaches(&self, from_ms: i64, to_ms: i64) -> Result<Vec<Headache>, JournalError> {
        self.headaches_where("at_ms >= ?1 AND at_ms < ?2", params![from_ms, to_ms])
    }

    fn headaches_where(
        &self,
        filter: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<Headache>, JournalError> {
        if self.schema < 4 {
            return Ok(Vec::new());
        }
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT id, at_ms, intensity, duration_s, kind, medication, note FROM headaches WHERE {filter} ORDER BY at_ms, id"))
            .map_err(|e| self.sql(e))?;
        let rows = stmt
            .query_map(args, |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Option<i64>>(3)?,
                    r.get::<_, String>(4)?,
                    r.get::<_, Option<String>>(5)?,
                    r.get::<_, Option<String>>(6)?,
                ))
            })
            .map_err(|e| self.sql(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (id, at_ms, intensity, duration_s, kind, medication, note) =
                row.map_err(|e| self.sql(e))?;
            let bad = |what: &'static str, value: String| JournalError::Unknown {
                path: self.path.clone(),
                source: UnknownWord { what, value },
            };
            out.push(Headache {
                id: Some(id),
                at: jiff::Timestamp::from_millisecond(at_ms)
                    .map_err(|_| bad("headache time", at_ms.to_string()))?,
                intensity: u8::try_from(intensity)
                    .map_err(|_| bad("headache intensity", intensity.to_string()))?,
                duration_s: duration_s
                    .map(|d| u32::try_from(d).map_err(|_| bad("headache duration", d.to_string())))
                    .transpose()?,
                kind: kind
                    .parse::<HeadacheKind>()
                    .map_err(|_| bad("headache kind", kind.clone()))?,
                medication,
                note,
            });
        }
        Ok(out)
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        let _ = self.flush();
    }
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

/// Renames `path` (and its WAL files) to `path.unreadable-<unix seconds>`.
fn move_aside(path: &Path) -> std::io::Result<PathBuf> {
    let stamp = jiff::Timestamp::now().as_second();
    let target = PathBuf::from(format!("{}.unreadable-{stamp}", path.display()));
    std::fs::rename(path, &target)?;
    for suffix in ["-wal", "-shm"] {
        let side = PathBuf::from(format!("{}{suffix}", path.display()));
        if side.exists() {
            let _ = std::fs::rename(&side, format!("{}{suffix}", target.display()));
        }
    }
    Ok(target)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tmp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("hunch-journal-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d.join("journal.sqlite")
    }

    #[test]
    fn writes_reads_and_is_private() {
        let p = tmp("rw");
        let (mut j, opened) = Journal::open(&p).unwrap();
        assert_eq!(opened, Opened::Created);
        j.sample(1000, 1000, MonitorState::Upright, Some(1.5), 0.9)
            .unwrap();
        j.sample(2000, 1000, MonitorState::Hunched, Some(9.0), 0.9)
            .unwrap();
        j.event(2000, EventKind::Alert, "chin_tuck").unwrap();
        j.set_meta("last_stretch", "chin_tuck").unwrap();
        j.flush().unwrap();
        drop(j);
        let (j, opened) = Journal::open(&p).unwrap();
        assert_eq!(opened, Opened::Existing);
        let s = j.samples(0, 10_000).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(
            s[1],
            SampleRow {
                t_ms: 2000,
                dt_ms: 1000,
                state: MonitorState::Hunched,
                forward_deg: Some(9.0),
                camera_open_ms: 0,
            }
        );
        assert_eq!(
            j.events(0, 10_000).unwrap(),
            [Event {
                t_ms: 2000,
                kind: EventKind::Alert,
                detail: "chin_tuck".into()
            }]
        );
        assert_eq!(
            j.get_meta("last_stretch").unwrap().as_deref(),
            Some("chin_tuck")
        );
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&p).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert_eq!(
            std::fs::metadata(p.parent().unwrap())
                .unwrap()
                .permissions()
                .mode()
                & 0o777,
            0o700
        );
    }

    #[test]
    fn a_corrupt_file_is_moved_aside_not_destroyed() {
        let p = tmp("corrupt");
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, b"this is not a database, but it is the user's file").unwrap();
        let (mut j, opened) = Journal::open(&p).unwrap();
        let Opened::Replaced { moved_to, reason } = opened else {
            panic!("{opened:?}")
        };
        assert!(reason.contains("not a database"), "{reason}");
        assert_eq!(
            std::fs::read(&moved_to).unwrap(),
            b"this is not a database, but it is the user's file"
        );
        j.sample(1, 1, MonitorState::Away, None, 0.0).unwrap();
    }

    #[test]
    fn unknown_states_and_event_kinds_are_errors_that_name_them() {
        let p = tmp("unknown");
        let (mut j, _) = Journal::open(&p).unwrap();
        j.sample(1000, 1000, MonitorState::Upright, None, 1.0)
            .unwrap();
        j.flush().unwrap();
        j.conn
            .execute(
                "INSERT INTO samples (t_ms, dt_ms, state, presence) VALUES (2000, 1000, 'levitating', 1)",
                [],
            )
            .unwrap();
        j.conn
            .execute(
                "INSERT INTO events (t_ms, kind) VALUES (2000, 'fireworks')",
                [],
            )
            .unwrap();
        let e = j.samples(0, 10_000).unwrap_err().to_string();
        assert!(e.contains("unknown monitor state `levitating`"), "{e}");
        let e = j.events(0, 10_000).unwrap_err().to_string();
        assert!(e.contains("unknown event kind `fireworks`"), "{e}");
        // What can be read still reads.
        assert_eq!(j.samples(0, 1500).unwrap().len(), 1);
    }

    #[test]
    fn prune_keeps_recent_rows() {
        let p = tmp("prune");
        let (mut j, _) = Journal::open(&p).unwrap();
        let day = 86_400_000;
        j.sample(0, 1000, MonitorState::Upright, None, 1.0).unwrap();
        j.sample(400 * day, 1000, MonitorState::Upright, None, 1.0)
            .unwrap();
        assert_eq!(j.prune(400 * day, 365).unwrap(), 1);
        assert_eq!(j.samples(0, i64::MAX).unwrap().len(), 1);
    }
}

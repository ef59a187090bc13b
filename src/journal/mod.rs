//! The journal: numbers only, in SQLite. One row per sample (time, the time it stands
//! for, state, angle, presence) and one per event (alerts, actions, pauses, camera
//! trouble), the headache diary ([`diary`]) and a cache of finished days. Never a frame.
//!
//! Writes are collected in memory and committed together every few seconds (WAL mode,
//! `synchronous=NORMAL`), so a killed daemon loses at most the last batch and the file
//! always opens cleanly. A batch that cannot be committed (disk full, read-only, locked)
//! stays in memory and is committed with the next one that can: nothing is lost to a full
//! disk while the monitor runs (up to [`MAX_PENDING`] rows).
//!
//! [`open`] decides what may be created, moved or refused, and owns the single-writer
//! lock; [`wal`] checks that a write-ahead log belongs to its journal (every transaction
//! here goes through [`Journal::write_tx`], which stamps the header page with the
//! journal's id); [`read`] reads rows back.

mod diary;
pub mod keeper;
pub mod open;
mod read;
pub mod wal;

pub use open::Unreadable;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rusqlite::{params, Connection, ErrorCode, OptionalExtension};
use thiserror::Error;

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

/// The write-ahead log is cut back to this size whenever SQLite resets it (and the keeper
/// truncates it after its chores): the log stays a few MB, not the size of the journal.
pub const JOURNAL_SIZE_LIMIT: i64 = 4 << 20;

/// Commit a batch at least this often.
const FLUSH_EVERY: Duration = Duration::from_secs(5);

/// Rows kept in memory while the journal cannot be written (a day at one sample a
/// second, twice over); beyond it the oldest samples are dropped and counted.
const MAX_PENDING: usize = 200_000;

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
    #[error("{path} is not a hunch journal: {why}. Give the path of a journal, or a new file name for a new one")]
    NotAJournal { path: PathBuf, why: String },
    #[error("journal {path} is damaged: {why}. hunch will not write to it: move it away (a new journal is then started) or restore it from a backup")]
    Damaged { path: PathBuf, why: String },
    #[error("journal {path} cannot be written ({why}); hunch would lose every number it measures. Make it and its directory writable (`chmod u+w`), or give another with --journal")]
    ReadOnly { path: PathBuf, why: String },
    #[error("journal {path} is being written by another hunch monitor (it holds {lock}); one monitor per journal: see `hunch status`, or give this one its own with --journal")]
    InUse { path: PathBuf, lock: PathBuf },
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
    /// A write-ahead log that did not belong to the journal was moved here before SQLite
    /// could apply it.
    StrayLog {
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
    /// A hold's row, already written as `was`, now grown to `now` (found by its values,
    /// not its rowid: a VACUUM may renumber rows of a table without an integer key).
    Extend {
        was: SampleRow,
        now: SampleRow,
    },
}

/// A hold in progress (paused, locked, another app on the camera): one row that grows
/// while the hold lasts, instead of a row per held sample. Written at the next commit,
/// then updated in place; a new row starts when the hold changes, is interrupted, or its
/// row would stand for more than [`crate::vocab::MAX_HOLD_ROW_MS`].
#[derive(Debug, Clone)]
struct OpenHold {
    row: SampleRow,
    /// The row as it is in the file, once written.
    written: Option<SampleRow>,
}

impl OpenHold {
    /// Grown since it was last written.
    fn dirty(&self) -> bool {
        self.written.as_ref() != Some(&self.row)
    }
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
    /// Why a reader left the log beside the journal out, if it did.
    ignored_log: Option<String>,
    /// The monitor's single-writer lock, held while it is open.
    _lock: Option<std::fs::File>,
    /// The hold being written as one row, if one is in progress.
    hold: Option<OpenHold>,
}

fn is_not_a_database(e: &rusqlite::Error) -> bool {
    e.sqlite_error_code() == Some(ErrorCode::NotADatabase)
}

impl Journal {
    /// `$XDG_DATA_HOME/hunch/journal.sqlite`.
    pub fn default_path() -> Result<PathBuf, JournalError> {
        crate::support::paths::data_dir()
            .map(|d| d.join("journal.sqlite"))
            .ok_or(JournalError::NoDataDir)
    }

    /// Maps SQLite's errors to what the user is told: "not a database" and damage get
    /// their own sentences with the fix.
    pub(crate) fn sql_at(path: &Path) -> impl Fn(rusqlite::Error) -> JournalError + '_ {
        move |source| {
            if is_not_a_database(&source) {
                JournalError::NotADatabase {
                    path: path.into(),
                    source,
                }
            } else if source.sqlite_error_code() == Some(ErrorCode::DatabaseCorrupt) {
                JournalError::Damaged {
                    path: path.into(),
                    why: source.to_string(),
                }
            } else {
                JournalError::Sql {
                    path: path.into(),
                    source,
                }
            }
        }
    }

    /// Runs `f` in one transaction that also rewrites the header page with the journal's
    /// schema version: every committed transaction then carries the journal's id in its
    /// log, which is how [`wal::inspect`] tells this journal's log from another's.
    fn write_tx<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction) -> rusqlite::Result<T>,
    ) -> Result<T, JournalError> {
        (|| {
            let tx = self.conn.unchecked_transaction()?;
            let out = f(&tx)?;
            tx.pragma_update(None, "user_version", self.schema)?;
            tx.commit()?;
            Ok(out)
        })()
        .map_err(|e| self.sql(e))
    }

    /// The journal's id (its header's `application_id`), 0 for a journal from before ids.
    pub fn id(&self) -> Result<u32, JournalError> {
        self.conn
            .query_row("PRAGMA application_id", [], |r| r.get::<_, i32>(0))
            .map(|id| id as u32)
            .map_err(|e| self.sql(e))
    }

    /// Why a reader left the write-ahead log beside the journal out, if it did (another
    /// journal's log): for the command to tell the user.
    pub fn ignored_log(&self) -> Option<&str> {
        self.ignored_log.as_deref()
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
        let hold_dirty = self.hold.as_ref().is_some_and(OpenHold::dirty);
        if (self.pending.is_empty() && !hold_dirty) || self.read_only {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending);
        let hold = self.hold.clone().filter(OpenHold::dirty);
        let result = self.write_tx(|tx| {
            let mut sample = tx.prepare_cached(
                "INSERT INTO samples (t_ms, dt_ms, state, forward_deg, presence, camera_open_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            let mut event =
                tx.prepare_cached("INSERT INTO events (t_ms, kind, detail) VALUES (?1, ?2, ?3)")?;
            let mut meta = tx.prepare_cached(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            )?;
            let mut extend = tx.prepare_cached(
                "UPDATE samples SET t_ms = ?1, dt_ms = ?2 WHERE t_ms = ?3 AND dt_ms = ?4 AND state = ?5",
            )?;
            let insert = |sample: &mut rusqlite::CachedStatement, r: &SampleRow, presence: f32| {
                sample.execute(params![
                    r.t_ms,
                    r.dt_ms,
                    r.state.as_str(),
                    r.forward_deg,
                    presence,
                    r.camera_open_ms
                ])
            };
            // Grows a hold's row; one that is not there (deleted meanwhile) is written anew.
            let mut grow = |sample: &mut rusqlite::CachedStatement, was: &SampleRow, now: &SampleRow| {
                let n = extend.execute(params![
                    now.t_ms,
                    now.dt_ms,
                    was.t_ms,
                    was.dt_ms,
                    was.state.as_str()
                ])?;
                if n == 0 {
                    insert(sample, now, 0.0)?;
                }
                Ok::<_, rusqlite::Error>(1)
            };
            for op in &pending {
                match op {
                    Op::Sample(r, presence) => insert(&mut sample, r, *presence)?,
                    Op::Event(e) => event.execute(params![e.t_ms, e.kind.as_str(), e.detail])?,
                    Op::Meta(k, v) => meta.execute(params![k, v])?,
                    Op::Extend { was, now } => grow(&mut sample, was, now)?,
                };
            }
            // The hold in progress: written once, then grown in place.
            match &hold {
                Some(OpenHold { row, written: None }) => {
                    insert(&mut sample, row, 0.0)?;
                }
                Some(OpenHold {
                    row,
                    written: Some(was),
                }) => {
                    grow(&mut sample, was, row)?;
                }
                None => {}
            }
            Ok(hold.map(|h| h.row))
        });
        match result {
            Ok(written) => {
                if let (Some(h), Some(row)) = (&mut self.hold, written) {
                    h.written = Some(row);
                }
                Ok(())
            }
            Err(e) => {
                // Nothing of the batch was committed: all of it waits for the next try,
                // before anything pushed since; the hold stays to be written.
                let newer = std::mem::replace(&mut self.pending, pending);
                self.pending.extend(newer);
                Err(e)
            }
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
    /// A held sample (paused, locked, another app on the camera) that follows on from
    /// the hold in progress grows its row instead of adding one.
    pub fn record(&mut self, row: &SampleRow, presence: f32) -> Result<(), JournalError> {
        if row.state.is_held() && row.forward_deg.is_none() && row.camera_open_ms == 0 {
            if let Some(h) = &mut self.hold {
                let follows = h.row.state == row.state && row.t_ms - row.dt_ms == h.row.t_ms;
                if follows && h.row.dt_ms + row.dt_ms <= crate::vocab::MAX_HOLD_ROW_MS {
                    h.row.t_ms = row.t_ms;
                    h.row.dt_ms += row.dt_ms;
                    return self.maybe_flush();
                }
            }
            self.close_hold();
            self.hold = Some(OpenHold {
                row: *row,
                written: None,
            });
            return self.maybe_flush();
        }
        self.close_hold();
        self.push(Op::Sample(*row, presence));
        self.maybe_flush()
    }

    /// Ends the hold in progress: its last extent goes with the next commit.
    fn close_hold(&mut self) {
        let Some(h) = self.hold.take() else { return };
        match h.written {
            None => self.push(Op::Sample(h.row, 0.0)),
            Some(was) if was != h.row => self.push(Op::Extend { was, now: h.row }),
            Some(_) => {}
        }
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
        self.write_tx(|tx| {
            tx.execute(
                "INSERT OR REPLACE INTO day_cache (day, tz, version, summary) VALUES (?1, ?2, ?3, ?4)",
                params![day, tz, version, summary],
            )
        })?;
        Ok(())
    }

    /// Deletes at most `limit` of the oldest rows from before `cutoff_ms` — samples first,
    /// then events, then the summaries of days wholly before it — and says how many went.
    /// Called repeatedly, each call a short transaction, so a large deletion never holds
    /// the journal long ([`keeper`]).
    pub fn prune_batch(&mut self, cutoff_ms: i64, limit: usize) -> Result<usize, JournalError> {
        self.flush()?;
        let day = jiff::Timestamp::from_millisecond(cutoff_ms - 86_400_000)
            .map(|t| t.to_zoned(jiff::tz::TimeZone::UTC).date().to_string())
            .unwrap_or_default();
        let limit = limit as i64;
        self.write_tx(|tx| {
            let mut n = tx.execute(
                "DELETE FROM samples WHERE rowid IN (SELECT rowid FROM samples WHERE t_ms < ?1 ORDER BY t_ms LIMIT ?2)",
                params![cutoff_ms, limit],
            )?;
            if (n as i64) < limit {
                n += tx.execute(
                    "DELETE FROM events WHERE rowid IN (SELECT rowid FROM events WHERE t_ms < ?1 ORDER BY t_ms LIMIT ?2)",
                    params![cutoff_ms, limit - n as i64],
                )?;
            }
            if (n as i64) < limit {
                n += tx.execute("DELETE FROM day_cache WHERE day < ?1", [&day])?;
            }
            Ok(n)
        })
    }

    /// Makes freed pages returnable to the file system: a journal from before incremental
    /// auto-vacuum is converted once (one VACUUM, which rewrites the file compactly).
    pub fn prepare_vacuum(&mut self) -> Result<(), JournalError> {
        let mode: i64 = self
            .conn
            .query_row("PRAGMA auto_vacuum", [], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        if mode == 2 {
            return Ok(());
        }
        self.flush()?;
        self.conn
            .execute_batch("PRAGMA auto_vacuum = INCREMENTAL; VACUUM;")
            .map_err(|e| self.sql(e))
    }

    /// Returns up to `pages` free pages to the file system; says how many free pages are
    /// left.
    pub fn vacuum_step(&mut self, pages: u32) -> Result<i64, JournalError> {
        let free: i64 = self
            .conn
            .query_row("PRAGMA freelist_count", [], |r| r.get(0))
            .map_err(|e| self.sql(e))?;
        if free == 0 {
            return Ok(0);
        }
        // The pragma frees one page per step of its statement: step it to the end (run
        // as a batch, it would free a single page).
        self.write_tx(|tx| {
            let mut st = tx.prepare(&format!("PRAGMA incremental_vacuum({pages})"))?;
            let mut rows = st.query([])?;
            while rows.next()?.is_some() {}
            Ok(())
        })?;
        self.conn
            .query_row("PRAGMA freelist_count", [], |r| r.get(0))
            .map_err(|e| self.sql(e))
    }

    /// Copies the log into the file and cuts the log to nothing (where no reader holds an
    /// older snapshot; otherwise as far as it can).
    pub fn checkpoint(&mut self) -> Result<(), JournalError> {
        self.flush()?;
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(|e| self.sql(e))
    }
}

impl Drop for Journal {
    fn drop(&mut self) {
        let _ = self.flush();
    }
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
        // User-only where the system has modes (on Windows, the profile's access list).
        if let Some(mode) = crate::platform::fs::mode_bits(&p) {
            assert_eq!(mode & 0o777, 0o600);
        }
        if let Some(mode) = crate::platform::fs::mode_bits(p.parent().unwrap()) {
            assert_eq!(mode & 0o777, 0o700);
        }
    }

    #[test]
    fn a_corrupt_file_is_moved_aside_not_destroyed() {
        let p = tmp("corrupt");
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, b"this is not a database, but it is the user's file").unwrap();
        // A writer at a path the user gave refuses it, naming it.
        let e = Journal::open(&p).err().unwrap();
        assert!(matches!(e, JournalError::NotAJournal { .. }), "{e}");
        // The monitor at its own path moves it aside and starts anew.
        let (mut j, opened) = Journal::open_monitor(&p, Unreadable::MoveAside).unwrap();
        let Opened::Replaced { moved_to, reason } = opened else {
            panic!("{opened:?}")
        };
        assert!(reason.contains("not a database"), "{reason}");
        assert_eq!(
            std::fs::read(&moved_to).unwrap(),
            b"this is not a database, but it is the user's file"
        );
        j.sample(1, 1, MonitorState::Away, None, 0.0).unwrap();
        drop(j);
        // A second unreadable file within the same second: a name of its own, the first
        // one kept.
        std::fs::write(&p, b"second").unwrap();
        let (_, opened) = Journal::open_monitor(&p, Unreadable::MoveAside).unwrap();
        let Opened::Replaced {
            moved_to: again, ..
        } = opened
        else {
            panic!("{opened:?}")
        };
        assert_ne!(again, moved_to);
        assert_eq!(std::fs::read(&again).unwrap(), b"second");
        assert_eq!(
            std::fs::read(&moved_to).unwrap(),
            b"this is not a database, but it is the user's file"
        );
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
        // The first batch takes the old sample, the next finds nothing more.
        let cutoff = 400 * day - 365 * day;
        assert_eq!(j.prune_batch(cutoff, 10).unwrap(), 1);
        assert_eq!(j.prune_batch(cutoff, 10).unwrap(), 0);
        assert_eq!(j.samples(0, i64::MAX).unwrap().len(), 1);
    }

    #[test]
    fn a_vacuum_step_gives_back_as_many_pages_as_asked() {
        let p = tmp("vacuum-step");
        let (mut j, _) = Journal::open(&p).unwrap();
        for k in 0..20_000 {
            j.sample(k * 1000, 1000, MonitorState::Upright, Some(1.0), 1.0)
                .unwrap();
        }
        j.flush().unwrap();
        while j.prune_batch(19_000_000, 5_000).unwrap() > 0 {}
        j.checkpoint().unwrap();
        let free = |j: &Journal| -> i64 {
            j.conn
                .query_row("PRAGMA freelist_count", [], |r| r.get(0))
                .unwrap()
        };
        let before = free(&j);
        assert!(before > 150, "{before} free pages");
        // One step of 100 frees 100 pages, not one.
        assert_eq!(j.vacuum_step(100).unwrap(), before - 100);
        while j.vacuum_step(100).unwrap() > 0 {}
        j.checkpoint().unwrap();
        assert_eq!(free(&j), 0);
        let pages: i64 = j
            .conn
            .query_row("PRAGMA page_count", [], |r| r.get(0))
            .unwrap();
        let size = std::fs::metadata(&p).unwrap().len() as i64;
        assert_eq!(size, pages * 4096, "the file is cut to its live pages");
    }

    fn held(t_ms: i64, state: MonitorState) -> SampleRow {
        SampleRow {
            t_ms,
            dt_ms: 1000,
            state,
            forward_deg: None,
            camera_open_ms: 0,
        }
    }

    #[test]
    fn a_hold_grows_one_row_even_across_a_vacuum_by_another_connection() {
        let p = tmp("hold-vacuum");
        let (mut j, _) = Journal::open(&p).unwrap();
        // Rows before the hold, some deleted, so a VACUUM has rows to renumber.
        for k in 1..=50 {
            j.sample(k * 1000, 1000, MonitorState::Upright, Some(1.0), 1.0)
                .unwrap();
        }
        for k in 51..=60 {
            j.record(&held(k * 1000, MonitorState::Paused), 0.0)
                .unwrap();
        }
        j.flush().unwrap();
        {
            let (mut other, _) = Journal::open(&p).unwrap();
            assert_eq!(other.prune_batch(30_500, 100).unwrap(), 30);
            other.conn.execute_batch("VACUUM").unwrap();
        }
        for k in 61..=70 {
            j.record(&held(k * 1000, MonitorState::Paused), 0.0)
                .unwrap();
        }
        // A different hold starts a row of its own.
        for k in 71..=75 {
            j.record(&held(k * 1000, MonitorState::Locked), 0.0)
                .unwrap();
        }
        j.flush().unwrap();
        let rows = j.samples(0, i64::MAX).unwrap();
        let paused: Vec<_> = rows
            .iter()
            .filter(|r| r.state == MonitorState::Paused)
            .collect();
        assert_eq!(paused.len(), 1, "{paused:?}");
        assert_eq!((paused[0].t_ms, paused[0].dt_ms), (70_000, 20_000));
        let locked: Vec<_> = rows
            .iter()
            .filter(|r| r.state == MonitorState::Locked)
            .collect();
        assert_eq!(locked.len(), 1);
        assert_eq!((locked[0].t_ms, locked[0].dt_ms), (75_000, 5_000));
        // The upright rows the VACUUM renumbered are untouched.
        assert_eq!(rows.len(), 20 + 2);
        assert!(rows[..20]
            .iter()
            .all(|r| r.state == MonitorState::Upright && r.dt_ms == 1000));
    }
}

//! The headache diary's store, in the journal: entries are written at once (not
//! batched: the user is waiting), each in its own transaction.

use rusqlite::params;

use super::{Journal, JournalError};
use crate::diary::{Headache, HeadacheKind};
use crate::vocab::UnknownWord;

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
        self.write_tx(|tx| {
            tx.execute(
                "INSERT INTO headaches (at_ms, intensity, duration_s, kind, medication, note, logged_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![h.at.as_millisecond(), h.intensity, h.duration_s, h.kind.as_str(), h.medication, h.note, logged_ms],
            )?;
            let id = tx.last_insert_rowid();
            tx.execute(
                "INSERT OR IGNORE INTO meta (key, value) VALUES (?1, ?2)",
                params![Journal::DIARY_STARTED, started],
            )?;
            Ok(id)
        })
    }

    /// Replaces entry `h.id`. Returns false when there is no such entry.
    pub fn update_headache(&mut self, h: &Headache) -> Result<bool, JournalError> {
        self.diary_ready()?;
        let Some(id) = h.id else { return Ok(false) };
        let n = self.write_tx(|tx| {
            tx.execute(
                "UPDATE headaches SET at_ms = ?2, intensity = ?3, duration_s = ?4, kind = ?5, medication = ?6, note = ?7 WHERE id = ?1",
                params![id, h.at.as_millisecond(), h.intensity, h.duration_s, h.kind.as_str(), h.medication, h.note],
            )
        })?;
        Ok(n == 1)
    }

    /// Deletes entry `id`. Returns false when there is no such entry.
    pub fn remove_headache(&mut self, id: i64) -> Result<bool, JournalError> {
        self.diary_ready()?;
        let n = self.write_tx(|tx| tx.execute("DELETE FROM headaches WHERE id = ?1", [id]))?;
        Ok(n == 1)
    }

    /// When the earliest entry started (Unix ms), if there is any.
    pub fn first_headache_ms(&self) -> Result<Option<i64>, JournalError> {
        if self.schema < 4 {
            return Ok(None);
        }
        self.conn
            .query_row("SELECT min(at_ms) FROM headaches", [], |r| r.get(0))
            .map_err(|e| self.sql(e))
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

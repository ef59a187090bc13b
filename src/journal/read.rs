//! Reading the journal back: samples and events in time order, each stored word parsed
//! (an unknown one is an error that names it).

use super::{Journal, JournalError};
use crate::vocab::{Event, MonitorState, SampleRow, UnknownWord};

impl Journal {
    /// When the earliest sample kept was taken (Unix ms), if there is any.
    pub fn first_sample_ms(&self) -> Result<Option<i64>, JournalError> {
        self.conn
            .query_row("SELECT min(t_ms) FROM samples", [], |r| r.get(0))
            .map_err(|e| self.sql(e))
    }

    /// Committed samples with `from_ms ≤ t_ms < to_ms`, in time order.
    pub fn samples(&self, from_ms: i64, to_ms: i64) -> Result<Vec<SampleRow>, JournalError> {
        let mut out = Vec::new();
        self.each_sample(from_ms, to_ms, |row| -> Result<(), JournalError> {
            out.push(row);
            Ok(())
        })?;
        Ok(out)
    }

    /// Hands each committed sample with `from_ms ≤ t_ms < to_ms` to `f`, in time order,
    /// one at a time: memory stays flat however many there are (an export of a year).
    /// An error from `f` stops the reading and is returned.
    pub fn each_sample<E: From<JournalError>>(
        &self,
        from_ms: i64,
        to_ms: i64,
        mut f: impl FnMut(SampleRow) -> Result<(), E>,
    ) -> Result<(), E> {
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
        for row in rows {
            let (t_ms, dt_ms, state, forward_deg, camera_open_ms) = row.map_err(|e| self.sql(e))?;
            // Journals from hunch's first weeks of development wrote "snoozed" for samples
            // taken while alerts were snoozed, without their posture; reports always
            // counted them as present but unmeasured, which is what they read as now.
            let state = if state == "snoozed" {
                MonitorState::Unmeasured
            } else {
                self.word(&state)?
            };
            f(SampleRow {
                t_ms,
                dt_ms,
                state,
                forward_deg,
                camera_open_ms,
            })?;
        }
        Ok(())
    }

    /// Parses a stored word, or names it in the error.
    pub(super) fn word<W: std::str::FromStr<Err = UnknownWord>>(
        &self,
        s: &str,
    ) -> Result<W, JournalError> {
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

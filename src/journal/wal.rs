//! Does a write-ahead log belong to its journal? SQLite applies whatever `-wal` file lies
//! beside a database, so a log copied from another journal (or left from one that was
//! replaced) would silently show, and then checkpoint, another journal's numbers.
//!
//! hunch makes the answer checkable: every journal has a random id in its header's
//! `application_id` field, and every transaction hunch commits rewrites the header page
//! (page 1), so each committed transaction in a log carries a copy of its journal's id.
//! [`inspect`] reads the log the way SQLite does — the header, then frames while their
//! salts and running checksums hold, up to the last commit — and compares the ids.
//!
//! The format: <https://www.sqlite.org/fileformat2.html#the_write_ahead_log>.

use std::io::Read;
use std::path::{Path, PathBuf};

/// Offset of `application_id` in the database header (big-endian u32).
const APP_ID_OFFSET: usize = 68;
const WAL_HEADER: usize = 32;
const FRAME_HEADER: usize = 24;

/// What the log beside a journal holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// No log, or nothing committed in it: SQLite will apply nothing.
    Empty,
    /// Committed transactions, all carrying this journal's id.
    Ours { frames: u32 },
    /// A journal from before ids (or one not yet stamped): the log cannot be checked.
    Unchecked,
    /// Committed transactions of another database.
    Foreign { why: String },
}

/// The committed frames of a log: (page number, offset of the page's bytes in the file),
/// in log order, and the database's size in pages after the last commit.
#[derive(Debug, Default)]
pub struct Committed {
    pub page_size: usize,
    pub frames: Vec<(u32, u64)>,
    pub db_pages: u32,
}

/// `<journal>-wal`.
pub fn wal_path(journal: &Path) -> PathBuf {
    side(journal, "-wal")
}

/// `<journal>-shm`, SQLite's index of the log.
pub fn shm_path(journal: &Path) -> PathBuf {
    side(journal, "-shm")
}

fn side(journal: &Path, suffix: &str) -> PathBuf {
    let mut s = journal.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The journal id in a database header (the first 100 bytes of the file or of page 1),
/// when there is a header and an id.
fn header_id(header: &[u8]) -> Option<u32> {
    if header.len() < 100 || !header.starts_with(b"SQLite format 3\0") {
        return None;
    }
    let id = u32::from_be_bytes(header[APP_ID_OFFSET..APP_ID_OFFSET + 4].try_into().ok()?);
    (id != 0).then_some(id)
}

/// The id in the journal file's own header (not in its log).
fn file_id(journal: &Path) -> std::io::Result<Option<u32>> {
    let mut header = [0u8; 100];
    let mut f = std::fs::File::open(journal)?;
    let mut n = 0;
    while n < header.len() {
        match f.read(&mut header[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(header_id(&header[..n]))
}

/// Reads the committed part of the log at `wal` as SQLite's recovery would.
pub fn committed(wal: &Path) -> std::io::Result<Committed> {
    let bytes = match std::fs::read(wal) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Committed::default()),
        Err(e) => return Err(e),
    };
    Ok(parse(&bytes))
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// SQLite's log checksum over `data` (a multiple of 8 bytes), continuing from `s`.
fn checksum(big_endian: bool, data: &[u8], mut s: (u32, u32)) -> (u32, u32) {
    for pair in data.chunks_exact(8) {
        let word = |w: &[u8]| {
            let a: [u8; 4] = w.try_into().unwrap_or_default();
            if big_endian {
                u32::from_be_bytes(a)
            } else {
                u32::from_le_bytes(a)
            }
        };
        s.0 = s.0.wrapping_add(word(&pair[..4]).wrapping_add(s.1));
        s.1 = s.1.wrapping_add(word(&pair[4..]).wrapping_add(s.0));
    }
    s
}

fn parse(b: &[u8]) -> Committed {
    let mut out = Committed::default();
    if b.len() < WAL_HEADER {
        return out;
    }
    let magic = be32(b, 0);
    if magic & !1 != 0x377f_0682 {
        return out;
    }
    let big_endian = magic & 1 == 1;
    let page_size = match be32(b, 8) {
        1 => 65_536,
        n if (512..=32_768).contains(&n) && n.is_power_of_two() => n as usize,
        _ => return out,
    };
    let mut s = checksum(big_endian, &b[..24], (0, 0));
    if s != (be32(b, 24), be32(b, 28)) {
        return out;
    }
    let salt = (be32(b, 16), be32(b, 20));
    out.page_size = page_size;
    let mut frames = Vec::new();
    let mut at = WAL_HEADER;
    while at + FRAME_HEADER + page_size <= b.len() {
        let h = &b[at..at + FRAME_HEADER];
        if (be32(h, 8), be32(h, 12)) != salt {
            break;
        }
        s = checksum(big_endian, &h[..8], s);
        s = checksum(
            big_endian,
            &b[at + FRAME_HEADER..at + FRAME_HEADER + page_size],
            s,
        );
        if s != (be32(h, 16), be32(h, 20)) {
            break;
        }
        frames.push((be32(h, 0), (at + FRAME_HEADER) as u64));
        let commit_size = be32(h, 4);
        if commit_size != 0 {
            out.frames.append(&mut frames);
            out.db_pages = commit_size;
        }
        at += FRAME_HEADER + page_size;
    }
    out
}

/// Whether the log beside `journal` belongs to it.
pub fn inspect(journal: &Path) -> std::io::Result<Verdict> {
    let wal = wal_path(journal);
    let log = match std::fs::read(&wal) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Verdict::Empty),
        Err(e) => return Err(e),
    };
    let c = parse(&log);
    if c.frames.is_empty() {
        return Ok(Verdict::Empty);
    }
    let ours = match std::fs::metadata(journal) {
        Ok(m) if m.len() > 0 => file_id(journal)?,
        // A log with committed transactions and no database: nothing it could belong to.
        _ => {
            return Ok(Verdict::Foreign {
                why: "there is no journal beside it".into(),
            })
        }
    };
    let Some(ours) = ours else {
        return Ok(Verdict::Unchecked);
    };
    let mut headers = 0u32;
    for &(page, offset) in &c.frames {
        if page != 1 {
            continue;
        }
        headers += 1;
        let at = offset as usize;
        match header_id(&log[at..at + c.page_size]) {
            Some(id) if id == ours => {}
            other => {
                return Ok(Verdict::Foreign {
                    why: format!(
                        "it holds the header of journal {}, and this is journal {ours:08x}",
                        other.map_or("without an id".into(), |id| format!("{id:08x}"))
                    ),
                })
            }
        }
    }
    if headers == 0 {
        return Ok(Verdict::Foreign {
            why: "none of its transactions is hunch's (each of hunch's rewrites the header)".into(),
        });
    }
    Ok(Verdict::Ours {
        frames: c.frames.len() as u32,
    })
}

/// The journal's pages as they stand with its log applied, for reading a journal whose
/// log has no index beside it (`-shm` deleted) without creating one: the file's bytes,
/// each committed frame's page laid over them, cut to the last commit's size, and marked
/// as a rollback journal (an in-memory copy cannot use a log).
pub fn image_with_log(journal: &Path) -> std::io::Result<Vec<u8>> {
    let mut image = std::fs::read(journal)?;
    let log = std::fs::read(wal_path(journal))?;
    let c = parse(&log);
    if c.frames.is_empty() {
        return Ok(image);
    }
    for &(page, offset) in &c.frames {
        let start = (page as usize - 1) * c.page_size;
        if image.len() < start + c.page_size {
            image.resize(start + c.page_size, 0);
        }
        let at = offset as usize;
        image[start..start + c.page_size].copy_from_slice(&log[at..at + c.page_size]);
    }
    image.truncate(c.db_pages as usize * c.page_size);
    if image.len() >= 20 {
        // File format versions: 1 = rollback journal, 2 = WAL.
        image[18] = 1;
        image[19] = 1;
    }
    Ok(image)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_log_is_read_as_sqlite_reads_it() {
        let d = std::env::temp_dir().join(format!("hunch-wal-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        let db = d.join("j.sqlite");
        let c = rusqlite::Connection::open(&db).unwrap();
        c.pragma_update(None, "journal_mode", "WAL").unwrap();
        c.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        c.execute_batch("CREATE TABLE t (x); PRAGMA application_id = 1234;")
            .unwrap();
        c.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        assert_eq!(file_id(&db).unwrap(), Some(1234));
        assert_eq!(inspect(&db).unwrap(), Verdict::Empty);
        c.execute_batch("BEGIN; INSERT INTO t VALUES (1); PRAGMA user_version = 1; COMMIT;")
            .unwrap();
        let got = committed(&wal_path(&db)).unwrap();
        assert!(got.frames.iter().any(|f| f.0 == 1), "{got:?}");
        assert!(matches!(inspect(&db).unwrap(), Verdict::Ours { .. }));
        // A transaction that leaves the header alone: not hunch's way of writing.
        c.execute_batch("PRAGMA application_id = 99;").unwrap();
        assert!(matches!(inspect(&db).unwrap(), Verdict::Foreign { .. }));
        drop(c);
    }
}

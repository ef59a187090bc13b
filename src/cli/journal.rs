//! Which journal a command uses and how it opens it: the monitor (single writer, may
//! start a new one), a one-off writer (`hunch headache`), or a reader (reports, `headache list`),
//! with what opening found told to the user on stderr.

use std::path::{Path, PathBuf};

use anyhow::bail;
use hunch::journal::{Journal, Opened, Unreadable};

/// `--journal`, else `$XDG_DATA_HOME/hunch/journal.sqlite`; and whether it is the latter.
fn resolve(given: Option<&Path>) -> anyhow::Result<(PathBuf, bool)> {
    let default = Journal::default_path()?;
    Ok(match given {
        None => (default, true),
        Some(p) => {
            let own = p == default
                || matches!((p.canonicalize(), default.canonicalize()), (Ok(a), Ok(b)) if a == b);
            (p.to_path_buf(), own)
        }
    })
}

fn tell(opened: &Opened) {
    match opened {
        Opened::Replaced { moved_to, reason } => eprintln!(
            "hunch: the journal could not be read ({reason}); it was moved to {} and a new one started",
            moved_to.display()
        ),
        Opened::StrayLog { moved_to, reason } => eprintln!(
            "hunch: the journal's write-ahead log did not belong to it ({reason}); it was moved to {} and not applied",
            moved_to.display()
        ),
        Opened::Existing | Opened::Created => {}
    }
}

/// The monitor's journal: its single-writer lock held; at hunch's own path an unreadable
/// file is moved aside and a new journal started, at a path given with `--journal` it is
/// refused.
pub fn monitor(given: Option<&Path>) -> anyhow::Result<Journal> {
    let (path, own) = resolve(given)?;
    let unreadable = if own {
        Unreadable::MoveAside
    } else {
        Unreadable::Refuse
    };
    let (journal, opened) = Journal::open_monitor(&path, unreadable)?;
    tell(&opened);
    Ok(journal)
}

/// A journal to write a few rows to now (a diary entry); created where none exists.
pub fn write(given: Option<&Path>) -> anyhow::Result<Journal> {
    let (path, _) = resolve(given)?;
    let (journal, opened) = Journal::open(&path)?;
    tell(&opened);
    Ok(journal)
}

/// A journal that exists, to change a few rows in (editing a diary entry); `None` when
/// there is none, which is then not created.
pub fn write_existing(given: Option<&Path>) -> anyhow::Result<Option<Journal>> {
    if !resolve(given)?.0.exists() {
        return Ok(None);
    }
    write(given).map(Some)
}

/// A journal to read, never written; `None` when there is none yet.
pub fn read_if_any(given: Option<&Path>) -> anyhow::Result<Option<Journal>> {
    let (path, _) = resolve(given)?;
    if !path.exists() {
        return Ok(None);
    }
    let journal = Journal::open_read_only(&path)?;
    if let Some(why) = journal.ignored_log() {
        eprintln!("hunch: warning: {why}");
    }
    Ok(Some(journal))
}

/// A journal to read, never written; an error that says what to do when there is none.
pub fn read(given: Option<&Path>) -> anyhow::Result<Journal> {
    match read_if_any(given)? {
        Some(j) => Ok(j),
        None => bail!(
            "no journal yet at {}: hunch has not monitored anything. Start `hunch run`, or try `hunch demo`",
            resolve(given)?.0.display()
        ),
    }
}

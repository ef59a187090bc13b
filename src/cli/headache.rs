//! `hunch headache`: the headache diary — log one (the command alone), list, edit,
//! remove. `hunch report --headaches` compares it with posture; `hunch export --headaches`
//! writes it out.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use hunch::diary::{parse_duration, parse_when, Headache, HeadacheKind};
use hunch::support::human::short_duration;

#[derive(Debug, Args)]
#[command(
    about = "Keep a headache diary beside your posture: `hunch headache` logs one now (see `hunch report --headaches`).",
    after_help = hunch::diary::WHEN_TO_SEE_A_CLINICIAN,
    args_conflicts_with_subcommands = true
)]
pub struct HeadacheArgs {
    #[command(subcommand)]
    pub command: Option<HeadacheCommand>,
    /// The headache to log, when no subcommand is given.
    #[command(flatten)]
    pub entry: EntryArgs,
    /// Journal file (default: $XDG_DATA_HOME/hunch/journal.sqlite).
    #[arg(long, global = true, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct EntryArgs {
    /// When it started: now, 15:00, yesterday 15:00, 2026-11-20 14:00, or an ISO time.
    #[arg(long, value_name = "WHEN")]
    pub at: Option<String>,
    /// How bad, 0 (none) to 10 (the worst imaginable).
    #[arg(long, value_name = "0-10")]
    pub intensity: Option<u8>,
    /// How long it lasted: 2h, 90m, 1h30m, or minutes.
    #[arg(long, value_name = "DURATION")]
    pub duration: Option<String>,
    /// tension, migraine, other or unsure.
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    /// What you took for it.
    #[arg(long, value_name = "TEXT")]
    pub medication: Option<String>,
    /// Anything else worth keeping (a trigger, where it hurt).
    #[arg(long, value_name = "TEXT")]
    pub note: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum HeadacheCommand {
    /// List the diary.
    List {
        /// The last N days (default 30).
        #[arg(long, value_name = "N", default_value_t = 30)]
        days: u32,
        /// JSON lines: one object per entry.
        #[arg(long)]
        jsonl: bool,
    },
    /// Change an entry: give only what changes.
    Edit {
        /// The entry's number (`hunch headache list` shows them).
        id: i64,
        #[command(flatten)]
        entry: EntryArgs,
    },
    /// Delete an entry.
    Remove {
        /// The entry's number (`hunch headache list` shows them).
        id: i64,
    },
}

/// The intensity given when none is: a moderate headache.
pub const DEFAULT_INTENSITY: u8 = 5;

/// Applies what was given on the command line to `h`; every value is checked before
/// anything is written.
fn apply(mut h: Headache, e: &EntryArgs, now: &jiff::Zoned) -> anyhow::Result<Headache> {
    if let Some(at) = &e.at {
        h.at = parse_when(at, now)?;
    }
    if let Some(i) = e.intensity {
        h.intensity = i;
    }
    if let Some(d) = &e.duration {
        h.duration_s = Some(parse_duration(d)?);
    }
    if let Some(k) = &e.kind {
        h.kind = k.parse::<HeadacheKind>()?;
    }
    if e.medication.is_some() {
        h.medication = e.medication.clone();
    }
    if e.note.is_some() {
        h.note = e.note.clone();
    }
    Ok(h.validate()?)
}

fn local(t: jiff::Timestamp) -> String {
    t.to_zoned(jiff::tz::TimeZone::system())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

fn describe(h: &Headache) -> String {
    let mut s = format!("{} intensity {}/10, {}", local(h.at), h.intensity, h.kind);
    if let Some(d) = h.duration_s {
        s += &format!(", {}", short_duration(d as f64));
    }
    // Free text is shown with its control characters escaped: a note cannot rewrite the
    // terminal or forge another entry's line.
    if let Some(m) = &h.medication {
        s += &format!(", took {}", hunch::support::human::printable(m));
    }
    if let Some(n) = &h.note {
        s += &format!(" — {}", hunch::support::human::printable(n));
    }
    s
}

pub fn run(args: HeadacheArgs) -> anyhow::Result<ExitCode> {
    let now = jiff::Zoned::now();
    match &args.command {
        None => {
            let e = &args.entry;
            // Parse and check everything before the journal is even opened.
            let h = apply(Headache::new(now.timestamp(), DEFAULT_INTENSITY), e, &now)?;
            let mut j = super::journal::write(args.journal.as_deref())?;
            let id = j.add_headache(
                &h,
                now.timestamp().as_millisecond(),
                &now.date().to_string(),
            )?;
            outln!("logged #{id}: {}", describe(&h));
            if e.intensity.is_none() {
                outln!("(intensity {DEFAULT_INTENSITY} by default; change it with `hunch headache edit {id} --intensity N`)");
            }
        }
        Some(HeadacheCommand::List { days, jsonl }) => {
            let to = now.timestamp().as_millisecond() + 86_400_000;
            let from = to - (*days as i64 + 1) * 86_400_000;
            // Reading never creates a journal: none yet is an empty diary.
            let entries = match super::journal::read_if_any(args.journal.as_deref())? {
                Some(j) => j.headaches(from, to)?,
                None => Vec::new(),
            };
            if *jsonl {
                for h in &entries {
                    outln!(
                        "{}",
                        hunch::report::render::export::headache_json(
                            h,
                            &jiff::tz::TimeZone::system()
                        )
                    );
                }
            } else if entries.is_empty() {
                outln!("No headaches logged in the last {days} days.");
            } else {
                for h in &entries {
                    outln!("#{:<4} {}", h.id.unwrap_or_default(), describe(h));
                }
            }
        }
        Some(HeadacheCommand::Edit { id, entry }) => {
            let no_entry = || format!("there is no entry #{id} (see `hunch headache list`)");
            let mut j =
                super::journal::write_existing(args.journal.as_deref())?.with_context(no_entry)?;
            let old = j
                .headache(*id)?
                .with_context(|| format!("there is no entry #{id} (see `hunch headache list`)"))?;
            let new = apply(old, entry, &now)?;
            if !j.update_headache(&new)? {
                bail!("there is no entry #{id} (see `hunch headache list`)");
            }
            outln!("#{id} now: {}", describe(&new));
        }
        Some(HeadacheCommand::Remove { id }) => {
            let Some(mut j) = super::journal::write_existing(args.journal.as_deref())? else {
                bail!("there is no entry #{id} (see `hunch headache list`)");
            };
            if !j.remove_headache(*id)? {
                bail!("there is no entry #{id} (see `hunch headache list`)");
            }
            outln!("removed #{id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}

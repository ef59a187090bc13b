//! `hunch report` and `hunch export`: parse, read the journal, call the library's
//! renderers, write.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use hunch::report::{render, store, Period};
use jiff::tz::TimeZone;

#[derive(Debug, Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub dates: super::dates::Dates,
    /// Print one JSON object (schema in the README).
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print one CSV row per day.
    #[arg(long)]
    pub csv: bool,
    /// Write a self-contained HTML page with charts (`-` for standard output).
    #[arg(long, value_name = "OUT.html")]
    pub html: Option<PathBuf>,
    /// Write the chart alone as SVG (`-` for standard output).
    #[arg(long, value_name = "OUT.svg")]
    pub svg: Option<PathBuf>,
    /// Compare your posture on headache days, the days before, and headache-free days,
    /// from the diary kept with `hunch headache` (from the diary's first day, or --from,
    /// to yesterday).
    #[arg(long, conflicts_with_all = ["csv", "svg", "date", "days", "week", "month", "to"])]
    pub headaches: bool,
    /// Journal file (default: $XDG_DATA_HOME/hunch/journal.sqlite).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub dates: super::dates::Dates,
    /// JSON lines (one object per row) instead of CSV.
    #[arg(long)]
    pub jsonl: bool,
    /// The headache diary's entries instead of the samples.
    #[arg(long)]
    pub headaches: bool,
    /// Journal file (default: $XDG_DATA_HOME/hunch/journal.sqlite).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

/// Writes a report file user-only (0600): it describes the user's day. A symbolic link is
/// followed, a FIFO or `-` written as a stream, a directory refused ([`hunch::support::files`]).
fn write_file(path: &std::path::Path, text: &str) -> anyhow::Result<()> {
    match hunch::support::files::write(path, text.as_bytes(), hunch::support::files::Mode::Private)?
    {
        hunch::support::files::Written::Stdout => {}
        written => eprintln!("wrote {written}"),
    }
    Ok(())
}

pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let tz = TimeZone::system();
    let today = jiff::Zoned::now().with_time_zone(tz.clone()).date();
    let config = super::load_config()?;
    let goal = config.report.goal_hunched_share;
    let ctx = render::html::Context {
        tz: tz.clone(),
        enter_deg: config.filter.enter_deg,
        exit_deg: config.filter.exit_deg,
    };
    let journal = super::journal::read(args.journal.as_deref())?;
    if args.headaches {
        let since = args.dates.first_day().transpose()?;
        let c = hunch::report::pages::diary_comparison(&journal, since, today, &tz)?;
        if let Some(out) = &args.html {
            write_file(
                out,
                &hunch::report::pages::diary_page(&journal, &c, &ctx, goal)?,
            )?;
        }
        let text = if args.json {
            serde_json::to_string_pretty(&hunch::diary::render::json(&c))? + "\n"
        } else {
            hunch::diary::render_text(&c)
        };
        if args.html.is_none() || args.json {
            out!("{text}");
        }
        return Ok(ExitCode::SUCCESS);
    }
    let (from, to) = args.dates.resolve(today, None, store::MAX_RANGE_DAYS)?;
    if let Some(out) = &args.html {
        write_file(
            out,
            &hunch::report::pages::html_page(&journal, from, to, &ctx, goal)?,
        )?;
    }
    let r = store::range(&journal, from, to, &tz, goal)?;
    if let Some(out) = &args.svg {
        let chart = match r.days.as_slice() {
            [day] => render::svg::day(day, &tz),
            _ => render::svg::range(&r),
        };
        write_file(out, &chart)?;
    }
    // A page or a chart was asked for: the terminal report is not printed beside it.
    if (args.html.is_some() || args.svg.is_some()) && !args.json && !args.csv {
        return Ok(ExitCode::SUCCESS);
    }
    let text = if args.json {
        render::json(&r) + "\n"
    } else if args.csv {
        render::csv::days(&r)
    } else {
        let colour = std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        match r.days.as_slice() {
            _ if r.monitored_s == 0.0 => render::text::nothing(&r.from, &r.to),
            [day] => render::text::day(day, r.goal_hunched_share, colour),
            _ => render::text::range(&r, colour),
        }
    };
    out!("{text}");
    Ok(ExitCode::SUCCESS)
}

pub fn export(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let tz = TimeZone::system();
    let today = jiff::Zoned::now().with_time_zone(tz.clone()).date();
    let journal = super::journal::read(args.journal.as_deref())?;
    // Without dates, everything: from the day of the first row kept.
    let first_ms = if args.headaches {
        journal.first_headache_ms()?
    } else {
        journal.first_sample_ms()?
    };
    let first = first_ms
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map(|t| t.to_zoned(tz.clone()).date());
    let (from, to) = args
        .dates
        .resolve(today, Some(first.unwrap_or(today)), i64::MAX)?;
    let start = Period::day(from, &tz)?.start_ms;
    let end = Period::day(to, &tz)?.end_ms;
    // Buffered: one write(2) per 64 KiB, not per row.
    let out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let written: anyhow::Result<()> = if args.headaches {
        let entries = journal.headaches(start, end)?;
        if args.jsonl {
            render::export::headaches_json(out, &entries, &tz).map_err(Into::into)
        } else {
            render::export::headaches_csv(out, &entries, &tz).map_err(Into::into)
        }
    } else {
        // Row by row, so that memory stays flat however long the export.
        let mut w = if args.jsonl {
            render::export::SampleWriter::jsonl(out)
        } else {
            render::export::SampleWriter::csv(out, &tz)?
        };
        journal
            .each_sample(start, end, |row| -> anyhow::Result<()> {
                Ok(w.write(&row)?)
            })
            .and_then(|()| Ok(w.finish()?))
    };
    match written {
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe) => {}
        other => other.context("writing the export")?,
    }
    Ok(ExitCode::SUCCESS)
}

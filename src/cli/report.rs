//! `hunch report` and `hunch export`: parse, read the journal, call the library's
//! renderers, write.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use hunch::report::{render, store, Period};
use jiff::civil::Date;
use jiff::tz::TimeZone;

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// One day (YYYY-MM-DD); default today.
    #[arg(long, value_name = "YYYY-MM-DD", conflicts_with_all = ["days", "week", "month"])]
    pub date: Option<String>,
    /// The last N days, ending today (or --to).
    #[arg(long, value_name = "N")]
    pub days: Option<u32>,
    /// The last 7 days.
    #[arg(long, conflicts_with = "month")]
    pub week: bool,
    /// The last 30 days.
    #[arg(long)]
    pub month: bool,
    /// Last day of a range (default today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<String>,
    /// Print JSON (schema in the README).
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print one CSV row per day.
    #[arg(long)]
    pub csv: bool,
    /// Write a self-contained HTML page with charts.
    #[arg(long, value_name = "OUT.html")]
    pub html: Option<PathBuf>,
    /// Write the chart alone as SVG.
    #[arg(long, value_name = "OUT.svg")]
    pub svg: Option<PathBuf>,
    /// Compare your posture on headache days, the days before, and headache-free days
    /// (the diary kept with `hunch log`).
    #[arg(long, conflicts_with_all = ["csv", "svg"])]
    pub headaches: bool,
    /// With --headaches: the first day the diary covers (default: the day it was started).
    #[arg(long, value_name = "YYYY-MM-DD", requires = "headaches")]
    pub diary_since: Option<String>,
    /// Journal file (default: $XDG_DATA_HOME/hunch/journal.sqlite).
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// First day (YYYY-MM-DD).
    #[arg(long)]
    pub from: String,
    /// Last day (YYYY-MM-DD), inclusive; default the same as --from.
    #[arg(long)]
    pub to: Option<String>,
    /// JSON lines instead of CSV.
    #[arg(long)]
    pub json: bool,
    /// The headache diary's entries instead of the samples.
    #[arg(long)]
    pub diary: bool,
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

pub fn parse_date(s: &str) -> anyhow::Result<Date> {
    s.parse::<Date>()
        .with_context(|| format!("`{s}` is not a date; use YYYY-MM-DD, e.g. 2026-11-24"))
}

/// The days a report covers.
fn period(args: &ReportArgs, today: Date) -> anyhow::Result<(Date, Date)> {
    let to = args
        .to
        .as_deref()
        .map(parse_date)
        .transpose()?
        .unwrap_or(today);
    let span_days = if args.week {
        Some(7)
    } else if args.month {
        Some(30)
    } else {
        args.days
    };
    Ok(match (span_days, &args.date) {
        (Some(0), _) => bail!("--days must be at least 1"),
        (Some(n), _) => {
            if n as i64 > store::MAX_RANGE_DAYS {
                bail!("--days is at most {} (ten years)", store::MAX_RANGE_DAYS);
            }
            (to.checked_sub(jiff::Span::new().days(n as i64 - 1))?, to)
        }
        (None, Some(d)) => {
            let d = parse_date(d)?;
            (d, d)
        }
        (None, None) => (to, to),
    })
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
        let since = args.diary_since.as_deref().map(parse_date).transpose()?;
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
    let (from, to) = period(&args, today)?;
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
    let from = parse_date(&args.from)?;
    let to = args
        .to
        .as_deref()
        .map(parse_date)
        .transpose()?
        .unwrap_or(from);
    if to < from {
        bail!("--to ({to}) is before --from ({from})");
    }
    let journal = super::journal::read(args.journal.as_deref())?;
    let start = Period::day(from, &tz)?.start_ms;
    let end = Period::day(to, &tz)?.end_ms;
    let out = std::io::stdout().lock();
    let written = if args.diary {
        let entries = journal.headaches(start, end)?;
        if args.json {
            render::export::headaches_json(out, &entries, &tz)
        } else {
            render::export::headaches_csv(out, &entries, &tz)
        }
    } else {
        let samples = journal.samples(start, end)?;
        if args.json {
            render::export::samples_json(out, &samples)
        } else {
            render::export::samples_csv(out, &samples, &tz)
        }
    };
    match written {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.context("writing the export")?,
    }
    Ok(ExitCode::SUCCESS)
}

//! `hunch report` and `hunch export`: the day (or a range) from the journal, as a
//! terminal table, JSON, CSV, or a self-contained HTML/SVG chart.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use hunch::journal::Journal;
use hunch::report::{self, DayReport, RangeReport};
use hunch::summary::duration;
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
    #[arg(long, value_name = "FILE")]
    pub journal: Option<PathBuf>,
}

pub fn parse_date(s: &str) -> anyhow::Result<Date> {
    s.parse::<Date>()
        .with_context(|| format!("`{s}` is not a date; use YYYY-MM-DD, e.g. 2026-11-24"))
}

fn open_journal(path: &Option<PathBuf>) -> anyhow::Result<Journal> {
    let path = match path {
        Some(p) => p.clone(),
        None => Journal::default_path()?,
    };
    if !path.exists() {
        bail!(
            "no journal yet at {}: hunch has not monitored anything. Start `hunch run`, or try `hunch demo`",
            path.display()
        );
    }
    let (j, opened) = Journal::open(&path)?;
    if let hunch::journal::Opened::Replaced { moved_to, reason } = opened {
        eprintln!(
            "hunch: the journal could not be read ({reason}); it was moved to {} and a new, empty one started",
            moved_to.display()
        );
    }
    Ok(j)
}

fn goal() -> anyhow::Result<f64> {
    Ok(super::load_config()?.report.goal_hunched_share)
}

pub fn run(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let tz = TimeZone::system();
    let today = jiff::Zoned::now().with_time_zone(tz.clone()).date();
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
    if span_days == Some(0) {
        bail!("--days must be at least 1");
    }
    let mut journal = open_journal(&args.journal)?;
    let (from, to) = match (span_days, &args.date) {
        (Some(n), _) => (to.checked_sub(jiff::Span::new().days(n as i64 - 1))?, to),
        (None, Some(d)) => {
            let d = parse_date(d)?;
            (d, d)
        }
        (None, None) => (to, to),
    };
    let now_ms = jiff::Timestamp::now().as_millisecond();
    let r = report::range(&mut journal, from, to, &tz, goal()?, now_ms)?;
    if args.html.is_some() || args.svg.is_some() {
        let chart = if r.days.len() == 1 {
            day_svg(&journal, &r.days[0], &tz)?
        } else {
            range_svg(&r)
        };
        if let Some(out) = &args.html {
            std::fs::write(out, html_page(&r, &chart))
                .with_context(|| format!("cannot write {}", out.display()))?;
            eprintln!("wrote {}", out.display());
        }
        if let Some(out) = &args.svg {
            std::fs::write(out, &chart)
                .with_context(|| format!("cannot write {}", out.display()))?;
            eprintln!("wrote {}", out.display());
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else if args.csv {
        print!("{}", csv_days(&r)?);
    } else {
        let colour = std::io::stdout().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        if r.monitored_s == 0.0 {
            if from == to {
                println!("No monitoring recorded on {from}.");
            } else {
                println!("No monitoring recorded from {from} to {to}.");
            }
        } else if r.days.len() == 1 {
            print!("{}", day_text(&r.days[0], r.goal_hunched_share, colour));
        } else {
            print!("{}", range_text(&r, colour));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{:.0}%", v * 100.0))
}

fn paint(text: String, share: Option<f64>, goal: f64, colour: bool) -> String {
    if !colour {
        return text;
    }
    let code = match share {
        Some(s) if s < goal => "32",
        Some(s) if s < 2.0 * goal => "33",
        Some(_) => "31",
        None => return text,
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// ▁▂▃▄▅▆▇█ per hour of hunched share; a dot for hours without monitoring.
pub fn sparkline(day: &DayReport) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    day.hours
        .iter()
        .map(|h| {
            if h.monitored_s < 60.0 {
                '·'
            } else {
                let s = (h.hunched_s / h.monitored_s).clamp(0.0, 1.0);
                BARS[((s * 7.0).round() as usize).min(7)]
            }
        })
        .collect()
}

pub fn day_text(d: &DayReport, goal: f64, colour: bool) -> String {
    let mut s = format!("{}\n", d.date);
    s += &format!("  monitored      {}\n", duration(d.monitored_s));
    s += &format!("  upright        {}\n", duration(d.upright_s));
    s += &format!(
        "  hunched        {}\n",
        paint(
            format!("{} ({})", duration(d.hunched_s), pct(d.hunched_share)),
            d.hunched_share,
            goal,
            colour
        )
    );
    s += &format!(
        "  episodes       {}, longest {}\n",
        d.episodes,
        duration(d.longest_hunch_s)
    );
    s += &format!(
        "  alerts         {}, stretches done {}, snoozes {}, pauses {}\n",
        d.alerts, d.stretches_done, d.snoozes, d.pauses
    );
    if let (Some(m), Some(p)) = (d.mean_forward_deg, d.p90_forward_deg) {
        s += &format!(
            "  head forward   mean {m:+.1}°, 90th percentile {p:+.1}° (against your neutral)\n"
        );
    }
    if let Some(h) = d.worst_hour {
        s += &format!("  worst hour     {h:02}:00–{:02}:00\n", (h + 1) % 24);
    }
    s += &format!("  by hour        {}\n", sparkline(d));
    s += "                 0     6     12    18   \n";
    s
}

pub fn range_text(r: &RangeReport, colour: bool) -> String {
    let mut s = format!("{} to {}\n\n", r.from, r.to);
    s += "date          monitored     hunched   share   longest  alerts  done\n";
    for d in &r.days {
        if d.monitored_s == 0.0 {
            s += &format!("{}  {:>10}\n", d.date, "—");
            continue;
        }
        s += &format!(
            "{}  {:>10}  {:>10}  {}  {:>8}  {:>6}  {:>4}\n",
            d.date,
            duration(d.monitored_s),
            duration(d.hunched_s),
            paint(
                format!("{:>5}", pct(d.hunched_share)),
                d.hunched_share,
                r.goal_hunched_share,
                colour
            ),
            duration(d.longest_hunch_s),
            d.alerts,
            d.stretches_done
        );
    }
    s += &format!(
        "\ntotal: {} monitored, {} hunched ({})",
        duration(r.monitored_s),
        duration(r.hunched_s),
        pct(r.hunched_share)
    );
    if let Some(t) = r.trend_points {
        let word = if t < 0.0 { "better" } else { "worse" };
        s += &format!(
            ", {:+.0} points vs the previous {} days ({word})",
            t,
            r.days.len()
        );
    }
    s += &format!(
        "\nstreak: {} day(s) under your goal of {:.0}% hunched\n",
        r.streak_days,
        r.goal_hunched_share * 100.0
    );
    s
}

fn csv_days(r: &RangeReport) -> anyhow::Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "date",
        "monitored_s",
        "upright_s",
        "hunched_s",
        "hunched_share",
        "away_s",
        "paused_s",
        "episodes",
        "longest_hunch_s",
        "alerts",
        "stretches_done",
        "snoozes",
        "pauses",
        "mean_forward_deg",
        "p90_forward_deg",
        "worst_hour",
    ])?;
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.4}"));
    for d in &r.days {
        w.write_record([
            d.date.clone(),
            format!("{:.3}", d.monitored_s),
            format!("{:.3}", d.upright_s),
            format!("{:.3}", d.hunched_s),
            opt(d.hunched_share),
            format!("{:.3}", d.away_s),
            format!("{:.3}", d.paused_s),
            d.episodes.to_string(),
            format!("{:.3}", d.longest_hunch_s),
            d.alerts.to_string(),
            d.stretches_done.to_string(),
            d.snoozes.to_string(),
            d.pauses.to_string(),
            opt(d.mean_forward_deg),
            opt(d.p90_forward_deg),
            d.worst_hour.map_or(String::new(), |h| h.to_string()),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
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
    let journal = open_journal(&args.journal)?;
    let (start, _) = report::day_bounds(from, &tz)?;
    let (_, end) = report::day_bounds(to, &tz)?;
    let samples = journal.samples(start, end)?;
    let out = std::io::stdout();
    let mut out = out.lock();
    use std::io::Write;
    if args.json {
        for s in samples {
            writeln!(
                out,
                "{}",
                serde_json::json!({"t_ms": s.t_ms, "dt_ms": s.dt_ms, "state": s.state.as_str(), "forward_deg": s.forward_deg})
            )?;
        }
    } else {
        let mut w = csv::Writer::from_writer(out);
        w.write_record(["t_ms", "time", "dt_ms", "state", "forward_deg"])?;
        for s in samples {
            let time = jiff::Timestamp::from_millisecond(s.t_ms)?
                .to_zoned(tz.clone())
                .to_string();
            w.write_record([
                s.t_ms.to_string(),
                time,
                s.dt_ms.to_string(),
                s.state.as_str().to_string(),
                s.forward_deg.map_or(String::new(), |a| format!("{a:.2}")),
            ])?;
        }
        w.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}

// ---- charts: hand-written SVG; a handful of rectangles needs no plotting library --------

const W: f64 = 960.0;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The day as a timeline: one band per minute coloured by its dominant state, with
/// alerts (▼) and stretches done (●) marked above.
pub fn day_svg(journal: &Journal, d: &DayReport, tz: &TimeZone) -> anyhow::Result<String> {
    let date = parse_date(&d.date)?;
    let (start, end) = report::day_bounds(date, tz)?;
    let samples = journal.samples(start, end)?;
    let events = journal.events(start, end)?;
    // Show the hours that have samples (whole hours), not the empty night.
    let hour = 3_600_000;
    let (view_start, view_end) = match (samples.first(), samples.last()) {
        (Some(a), Some(b)) => (
            (start + ((a.t_ms - a.dt_ms - start).max(0) / hour) * hour).max(start),
            (start + ((b.t_ms - start + hour - 1) / hour) * hour).min(end),
        ),
        _ => (start, end),
    };
    let span = (view_end - view_start).max(1) as f64;
    let x = |t: i64| 40.0 + (t - view_start) as f64 / span * (W - 60.0);
    let mut s = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="150" viewBox="0 0 {W} 150" font-family="sans-serif" font-size="12">
<title>hunch — {date}</title>
<rect x="40" y="50" width="{}" height="50" fill="#f3f3f3"/>
"##,
        W - 60.0
    );
    let colour = |st: hunch::policy::MonitorState| {
        use hunch::policy::MonitorState::*;
        match st {
            Upright => "#4caf50",
            Hunching => "#ffb300",
            Hunched => "#e53935",
            Away => "#cfd8dc",
            Paused | Locked | Snoozed => "#90a4ae",
            Unmeasured => "#e0e0e0",
        }
    };
    // Merge consecutive samples of one state into runs.
    let mut run: Option<(i64, i64, hunch::policy::MonitorState)> = None;
    let flush = |r: Option<(i64, i64, hunch::policy::MonitorState)>, s: &mut String| {
        if let Some((a, b, st)) = r {
            let (xa, xb) = (x(a.max(view_start)), x(b.min(view_end)));
            s.push_str(&format!(
                r#"<rect x="{xa:.2}" y="50" width="{:.2}" height="50" fill="{}"/>"#,
                (xb - xa).max(0.5),
                colour(st)
            ));
            s.push('\n');
        }
    };
    for smp in &samples {
        let (a, b) = (smp.t_ms - smp.dt_ms, smp.t_ms);
        run = match run {
            Some((ra, rb, st)) if st == smp.state && (a - rb).abs() <= 1 => Some((ra, b, st)),
            other => {
                flush(other, &mut s);
                Some((a, b, smp.state))
            }
        };
    }
    flush(run, &mut s);
    for (t, kind, _) in &events {
        let (glyph, fill) = match kind.as_str() {
            "alert" => ("▼", "#b71c1c"),
            "done" => ("●", "#1b5e20"),
            _ => continue,
        };
        s += &format!(
            r#"<text x="{:.1}" y="44" text-anchor="middle" fill="{fill}">{glyph}</text>"#,
            x(*t)
        );
        s.push('\n');
    }
    let hours = (view_end - view_start) / hour;
    let step = if hours > 12 { 3 } else { 1 };
    let mut t = view_start;
    while t <= view_end {
        let label = jiff::Timestamp::from_millisecond(t)?
            .to_zoned(tz.clone())
            .hour();
        s += &format!(
            r##"<text x="{:.1}" y="118" text-anchor="middle" fill="#555">{label:02}:00</text>"##,
            x(t)
        );
        s.push('\n');
        t += step * hour;
    }
    let legend = [
        ("upright", "#4caf50"),
        ("hunching", "#ffb300"),
        ("hunched", "#e53935"),
        ("away", "#cfd8dc"),
        ("paused", "#90a4ae"),
    ];
    for (i, (name, c)) in legend.iter().enumerate() {
        let lx = 40.0 + i as f64 * 110.0;
        s += &format!(
            r#"<rect x="{lx}" y="130" width="12" height="12" fill="{c}"/><text x="{}" y="141">{name}</text>"#,
            lx + 16.0
        );
        s.push('\n');
    }
    s += &format!(
        r#"<text x="40" y="22" font-size="15">{} — hunched {} of {} monitored ({}); ▼ alert, ● stretch done</text>"#,
        esc(&d.date),
        duration(d.hunched_s),
        duration(d.monitored_s),
        pct(d.hunched_share)
    );
    s += "\n</svg>\n";
    Ok(s)
}

/// Hunched share per day as bars, with the goal as a line.
pub fn range_svg(r: &RangeReport) -> String {
    let n = r.days.len().max(1) as f64;
    let (top, h) = (40.0, 200.0);
    let bw = (W - 80.0) / n;
    let y = |share: f64| top + h * (1.0 - share.clamp(0.0, 1.0));
    let mut s = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="290" viewBox="0 0 {W} 290" font-family="sans-serif" font-size="12">
<title>hunch — {} to {}</title>
<text x="40" y="22" font-size="15">Hunched share of monitored time, {} to {}</text>
<line x1="40" y1="{}" x2="{}" y2="{}" stroke="#999"/>
"##,
        r.from,
        r.to,
        r.from,
        r.to,
        top + h,
        W - 40.0,
        top + h
    );
    for (i, d) in r.days.iter().enumerate() {
        let x0 = 40.0 + i as f64 * bw;
        if let Some(share) = d.hunched_share {
            let fill = if share < r.goal_hunched_share {
                "#4caf50"
            } else {
                "#e53935"
            };
            s += &format!(
                r#"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" fill="{fill}"><title>{}: {}</title></rect>"#,
                x0 + bw * 0.1,
                y(share),
                bw * 0.8,
                top + h - y(share),
                d.date,
                pct(Some(share))
            );
            s.push('\n');
        }
        if r.days.len() <= 31 {
            s += &format!(
                r##"<text x="{:.1}" y="{}" text-anchor="middle" fill="#555">{}</text>"##,
                x0 + bw / 2.0,
                top + h + 16.0,
                &d.date[8..]
            );
            s.push('\n');
        }
    }
    let gy = y(r.goal_hunched_share);
    s += &format!(
        r##"<line x1="40" y1="{gy:.1}" x2="{}" y2="{gy:.1}" stroke="#1565c0" stroke-dasharray="6 4"/><text x="{}" y="{:.1}" fill="#1565c0" text-anchor="end">goal {:.0}%</text>"##,
        W - 40.0,
        W - 40.0,
        gy - 4.0,
        r.goal_hunched_share * 100.0
    );
    s += "\n</svg>\n";
    s
}

pub fn html_page(r: &RangeReport, chart: &str) -> String {
    let title = if r.from == r.to {
        format!("hunch — {}", r.from)
    } else {
        format!("hunch — {} to {}", r.from, r.to)
    };
    let mut rows = String::new();
    for d in &r.days {
        rows += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            d.date,
            duration(d.monitored_s),
            duration(d.hunched_s),
            pct(d.hunched_share),
            duration(d.longest_hunch_s),
            d.alerts,
            d.stretches_done
        );
    }
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin-top: 1em; }}
td, th {{ padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }}
.note {{ color: #666; font-size: 0.9em; }}
</style></head>
<body>
<h1>{title}</h1>
<p>Monitored {monitored}, hunched {hunched} ({share}). Alerts {alerts}, stretches done {done}. Streak under the goal of {goal:.0}%: {streak} day(s).</p>
{chart}
<table><tr><th>date</th><th>monitored</th><th>hunched</th><th>share</th><th>longest</th><th>alerts</th><th>done</th></tr>
{rows}</table>
<p class="note">Made by hunch from its journal. Numbers only: no image was stored. hunch is not a medical device.</p>
</body></html>
"#,
        monitored = duration(r.monitored_s),
        hunched = duration(r.hunched_s),
        share = pct(r.hunched_share),
        alerts = r.alerts,
        done = r.stretches_done,
        goal = r.goal_hunched_share * 100.0,
        streak = r.streak_days,
    )
}

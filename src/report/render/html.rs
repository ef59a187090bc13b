//! A self-contained HTML page (no script, no link, nothing loaded): everything the
//! terminal report says, and drawn. One day: its figures, the timeline, the hours, the
//! angle distribution, the episodes, the alerts and stretches. A range: the figures, the
//! bars per day with the goal, and a table.

use std::fmt::Write as _;

use jiff::tz::TimeZone;

use super::svg;
use crate::report::{DaySummary, RangeSummary};
use crate::support::human::esc;
use crate::support::human::{duration, percent};
use crate::vocab::EventKind;

/// What a page needs beyond the summary: the zone for clock times, and the hunching
/// thresholds for the angle chart.
#[derive(Debug, Clone)]
pub struct Context {
    pub tz: TimeZone,
    pub enter_deg: f32,
    pub exit_deg: f32,
}

const STYLE: &str = "
body { font-family: sans-serif; margin: 2em; color: #222; max-width: 1000px; }
h2 { margin-top: 1.6em; font-size: 1.2em; }
table { border-collapse: collapse; margin-top: 0.6em; }
td, th { padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: right; }
td:first-child, th:first-child { text-align: left; }
table.figures td:first-child { color: #555; }
.good { color: #2e7d32; } .fair { color: #b26a00; } .poor { color: #c62828; }
.note { color: #666; font-size: 0.9em; }
pre.diary { white-space: pre-wrap; max-width: 60em; }
svg { display: block; margin: 0.8em 0; max-width: 100%; height: auto; }
table { display: block; max-width: 100%; overflow-x: auto; }
pre { overflow-x: auto; }
@media (max-width: 600px) {
  body { margin: 0.8em; }
  td, th { padding: 3px 6px; }
}
";

/// The report as a page; `lead` (the diary comparison, or nothing) comes first.
pub fn report(r: &RangeSummary, ctx: &Context, lead: &str) -> String {
    match r.days.as_slice() {
        [d] => day_page(r, d, ctx, lead),
        _ => range_page(r, lead),
    }
}

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>{title}</title>\n<style>{STYLE}</style></head>\n<body>\n<h1>{title}</h1>\n{body}<p class=\"note\">Made by hunch from its journal. Numbers only: no image was stored. hunch is not a medical device.</p>\n</body></html>\n"
    )
}

/// The share, coloured against the goal as the terminal colours it.
fn share_span(share: Option<f64>, goal: f64) -> String {
    let class = match share {
        Some(s) if s < goal => "good",
        Some(s) if s < 2.0 * goal => "fair",
        Some(_) => "poor",
        None => return "—".into(),
    };
    format!("<span class=\"{class}\">{}</span>", percent(share))
}

fn day_page(r: &RangeSummary, d: &DaySummary, ctx: &Context, lead: &str) -> String {
    let goal = r.goal_hunched_share;
    let mut b = String::from(lead);
    if d.timeline.is_empty() {
        let _ = writeln!(b, "<p>No monitoring recorded on {}.</p>", esc(&d.date));
        return page(&format!("hunch — {}", esc(&d.date)), &b);
    }
    let mut rows: Vec<(&str, String)> = vec![
        ("monitored", duration(d.monitored_s)),
        ("upright", duration(d.upright_s)),
        (
            "hunched",
            format!(
                "{} ({})",
                duration(d.hunched_s),
                share_span(d.hunched_share, goal)
            ),
        ),
        (
            "episodes",
            format!("{}, longest {}", d.episodes, duration(d.longest_hunch_s)),
        ),
        (
            "alerts",
            format!(
                "{}, stretches done {}, snoozes {}, pauses {}",
                d.alerts, d.stretches_done, d.snoozes, d.pauses
            ),
        ),
    ];
    if let (Some(m), Some(p)) = (d.mean_forward_deg, d.p90_forward_deg) {
        rows.push((
            "head forward",
            format!("mean {m:+.1}°, 90th percentile {p:+.1}° (against your neutral)"),
        ));
    }
    if let Some(h) = d.worst_hour {
        rows.push(("worst hour", format!("{h:02}:00–{:02}:00", (h + 1) % 24)));
    }
    if d.away_s > 0.0 {
        rows.push(("away", duration(d.away_s)));
    }
    if d.paused_s > 0.0 {
        rows.push(("paused or locked", duration(d.paused_s)));
    }
    if d.camera_in_use_s > 0.0 {
        rows.push(("camera used by another app", duration(d.camera_in_use_s)));
    }
    if d.camera_open_s > 0.0 {
        rows.push(("camera light on", duration(d.camera_open_s)));
    }
    b += "<table class=\"figures\">\n";
    for (k, v) in rows {
        let _ = writeln!(b, "<tr><td>{k}</td><td>{v}</td></tr>");
    }
    let _ = writeln!(
        b,
        "<tr><td>goal</td><td>under {:.0}% hunched</td></tr>\n</table>",
        goal * 100.0
    );
    b += "<h2>The day</h2>\n";
    b += &svg::day(d, &ctx.tz);
    b += "<h2>Hour by hour</h2>\n";
    b += &svg::hours(d, goal);
    b += "<h2>How far forward</h2>\n";
    b += &svg::angles(d, ctx.enter_deg, ctx.exit_deg);
    b += "<h2>Hunch episodes</h2>\n";
    if d.episode_list.is_empty() {
        b += "<p>None.</p>\n";
    } else {
        b += "<table><tr><th>from</th><th>to</th><th>hunched</th></tr>\n";
        for e in &d.episode_list {
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                crate::support::human::clock_time_in(e.from_ms, &ctx.tz),
                crate::support::human::clock_time_in(e.to_ms, &ctx.tz),
                duration(e.hunched_s)
            );
        }
        b += "</table>\n";
    }
    b += "<h2>Alerts and stretches</h2>\n";
    if d.marks.is_empty() {
        b += "<p>None.</p>\n";
    } else {
        b += "<table><tr><th>time</th><th>what</th></tr>\n";
        for m in &d.marks {
            let what = match m.kind {
                EventKind::Alert => "▼ alert",
                EventKind::Done => "● stretch done",
                _ => continue,
            };
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td>{what}</td></tr>",
                crate::support::human::clock_time_in(m.t_ms, &ctx.tz)
            );
        }
        b += "</table>\n";
    }
    page(&format!("hunch — {}", esc(&d.date)), &b)
}

fn range_page(r: &RangeSummary, lead: &str) -> String {
    let goal = r.goal_hunched_share;
    let mut b = String::from(lead);
    let mut summary = format!(
        "Monitored {}, hunched {} ({}). Alerts {}, stretches done {}.",
        duration(r.monitored_s),
        duration(r.hunched_s),
        share_span(r.hunched_share, goal),
        r.alerts,
        r.stretches_done
    );
    if let Some(t) = r.trend_points {
        let word = if t < 0.0 { "better" } else { "worse" };
        let _ = write!(
            summary,
            " {:+.0} points against the {} days before ({word}).",
            t,
            r.days.len()
        );
    }
    let _ = write!(
        summary,
        " Streak under the goal of {:.0}%: {} day{}.",
        goal * 100.0,
        r.streak_days,
        if r.streak_days == 1 { "" } else { "s" }
    );
    let _ = writeln!(b, "<p>{summary}</p>");
    b += &svg::range(r);
    b += "<table><tr><th>date</th><th>monitored</th><th>hunched</th><th>share</th><th>longest</th><th>alerts</th><th>done</th></tr>\n";
    for d in &r.days {
        if d.monitored_s == 0.0 {
            let _ = writeln!(
                b,
                "<tr><td>{}</td><td>—</td><td>—</td><td>—</td><td>—</td><td>—</td><td>—</td></tr>",
                esc(&d.date)
            );
            continue;
        }
        let _ = writeln!(
            b,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&d.date),
            duration(d.monitored_s),
            duration(d.hunched_s),
            share_span(d.hunched_share, goal),
            duration(d.longest_hunch_s),
            d.alerts,
            d.stretches_done
        );
    }
    b += "</table>\n";
    page(&format!("hunch — {} to {}", esc(&r.from), esc(&r.to)), &b)
}

/// The diary comparison as a page section: its chart and its text (which carries the
/// caveats), and the standing disclaimer.
pub fn headache_section(text: &str, chart: &str) -> String {
    format!(
        "<section id=\"headaches\">\n<h2>Headaches and posture</h2>\n{chart}\n<pre class=\"diary\">{}</pre>\n<p class=\"note\">{}</p>\n</section>\n",
        esc(text),
        esc(crate::diary::NOT_A_MEDICAL_DEVICE)
    )
}

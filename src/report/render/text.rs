//! The terminal report.

use crate::report::{DaySummary, RangeSummary};
use crate::support::human::{duration, percent};

/// Colours a share against the goal: green under it, yellow under twice it, red above.
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

/// ▁▂▃▄▅▆▇█ per hour of hunched share; a dot for hours without (a minute of) monitoring.
fn sparkline(day: &DaySummary) -> String {
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

/// "No monitoring recorded on …" for an empty report.
pub fn nothing(from: &str, to: &str) -> String {
    if from == to {
        format!("No monitoring recorded on {from}.\n")
    } else {
        format!("No monitoring recorded from {from} to {to}.\n")
    }
}

pub fn day(d: &DaySummary, goal: f64, colour: bool) -> String {
    let mut s = format!("{}\n", d.date);
    s += &format!("  monitored      {}\n", duration(d.monitored_s));
    s += &format!("  upright        {}\n", duration(d.upright_s));
    s += &format!(
        "  hunched        {}\n",
        paint(
            format!("{} ({})", duration(d.hunched_s), percent(d.hunched_share)),
            d.hunched_share,
            goal,
            colour
        )
    );
    if d.camera_in_use_s > 0.0 {
        s += &format!(
            "  camera in use  {} by another app (not monitored)\n",
            duration(d.camera_in_use_s)
        );
    }
    if d.camera_open_s > 0.0 {
        s += &format!("  camera light   on for {}\n", duration(d.camera_open_s));
    }
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

pub fn range(r: &RangeSummary, colour: bool) -> String {
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
                format!("{:>5}", percent(d.hunched_share)),
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
        percent(r.hunched_share)
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

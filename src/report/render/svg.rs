//! Charts as hand-written SVG: a handful of rectangles needs no plotting library.

use jiff::tz::TimeZone;

use crate::human::{duration, percent};
use crate::report::{DaySummary, RangeSummary};
use crate::vocab::{EventKind, MonitorState};

const W: f64 = 960.0;

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn colour(st: MonitorState) -> &'static str {
    use MonitorState::*;
    match st {
        Upright => "#4caf50",
        Hunching => "#ffb300",
        Hunched => "#e53935",
        Away => "#cfd8dc",
        Paused | Locked | Snoozed => "#90a4ae",
        CameraInUse => "#b39ddb",
        Unmeasured => "#e0e0e0",
    }
}

/// The day as a timeline coloured by state, with alerts (▼) and stretches done (●)
/// marked above. Shows the whole hours that have samples, not the empty night; hour
/// labels in `tz`.
pub fn day(d: &DaySummary, tz: &TimeZone) -> String {
    let hour = 3_600_000;
    let (start, end) = match (d.timeline.first(), d.timeline.last()) {
        (Some(a), Some(b)) => (a.from_ms, b.to_ms),
        _ => (0, hour),
    };
    // Whole local hours around the data (local hours start on whole absolute hours in
    // every zone with whole-hour offsets; others simply start at the first sample).
    let local = |t: i64| {
        jiff::Timestamp::from_millisecond(t)
            .map(|ts| ts.to_zoned(tz.clone()))
            .ok()
    };
    let floor_hour = |t: i64| {
        local(t)
            .and_then(|z| {
                z.with()
                    .minute(0)
                    .second(0)
                    .subsec_nanosecond(0)
                    .build()
                    .ok()
            })
            .map_or(t, |z| z.timestamp().as_millisecond())
    };
    let view_start = floor_hour(start);
    let view_end = {
        let f = floor_hour(end);
        if f == end {
            end
        } else {
            f + hour
        }
    };
    let span = (view_end - view_start).max(1) as f64;
    let x = |t: i64| 40.0 + (t - view_start) as f64 / span * (W - 60.0);
    let mut s = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="150" viewBox="0 0 {W} 150" font-family="sans-serif" font-size="12">
<title>hunch — {date}</title>
<rect x="40" y="50" width="{}" height="50" fill="#f3f3f3"/>
"##,
        W - 60.0,
        date = esc(&d.date)
    );
    for run in &d.timeline {
        let (xa, xb) = (x(run.from_ms), x(run.to_ms));
        s += &format!(
            "<rect x=\"{xa:.2}\" y=\"50\" width=\"{:.2}\" height=\"50\" fill=\"{}\"/>\n",
            (xb - xa).max(0.5),
            colour(run.state)
        );
    }
    for m in &d.marks {
        let (glyph, fill) = match m.kind {
            EventKind::Alert => ("▼", "#b71c1c"),
            EventKind::Done => ("●", "#1b5e20"),
            _ => continue,
        };
        s += &format!(
            "<text x=\"{:.1}\" y=\"44\" text-anchor=\"middle\" fill=\"{fill}\">{glyph}</text>\n",
            x(m.t_ms)
        );
    }
    let hours = (view_end - view_start) / hour;
    let step = if hours > 12 { 3 } else { 1 };
    let mut t = view_start;
    while t <= view_end {
        if let Some(z) = local(t) {
            s += &format!(
                "<text x=\"{:.1}\" y=\"118\" text-anchor=\"middle\" fill=\"#555\">{:02}:00</text>\n",
                x(t),
                z.hour()
            );
        }
        t += step * hour;
    }
    let legend = [
        ("upright", MonitorState::Upright),
        ("hunching", MonitorState::Hunching),
        ("hunched", MonitorState::Hunched),
        ("away", MonitorState::Away),
        ("paused", MonitorState::Paused),
    ];
    for (i, (name, st)) in legend.iter().enumerate() {
        let lx = 40.0 + i as f64 * 110.0;
        s += &format!(
            "<rect x=\"{lx}\" y=\"130\" width=\"12\" height=\"12\" fill=\"{}\"/><text x=\"{}\" y=\"141\">{name}</text>\n",
            colour(*st),
            lx + 16.0
        );
    }
    s += &format!(
        "<text x=\"40\" y=\"22\" font-size=\"15\">{} — hunched {} of {} monitored ({}); ▼ alert, ● stretch done</text>\n",
        esc(&d.date),
        duration(d.hunched_s),
        duration(d.monitored_s),
        percent(d.hunched_share)
    );
    s += "</svg>\n";
    s
}

/// Hunched share per day as bars, with the goal as a line.
pub fn range(r: &RangeSummary) -> String {
    let n = r.days.len().max(1) as f64;
    let (top, h) = (40.0, 200.0);
    let bw = (W - 80.0) / n;
    let y = |share: f64| top + h * (1.0 - share.clamp(0.0, 1.0));
    let mut s = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="290" viewBox="0 0 {W} 290" font-family="sans-serif" font-size="12">
<title>hunch — {from} to {to}</title>
<text x="40" y="22" font-size="15">Hunched share of monitored time, {from} to {to}</text>
<line x1="40" y1="{base}" x2="{right}" y2="{base}" stroke="#999"/>
"##,
        from = esc(&r.from),
        to = esc(&r.to),
        base = top + h,
        right = W - 40.0,
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
                "<rect x=\"{:.2}\" y=\"{:.2}\" width=\"{:.2}\" height=\"{:.2}\" fill=\"{fill}\"><title>{}: {}</title></rect>\n",
                x0 + bw * 0.1,
                y(share),
                bw * 0.8,
                top + h - y(share),
                esc(&d.date),
                percent(Some(share))
            );
        }
        if r.days.len() <= 31 {
            s += &format!(
                "<text x=\"{:.1}\" y=\"{}\" text-anchor=\"middle\" fill=\"#555\">{}</text>\n",
                x0 + bw / 2.0,
                top + h + 16.0,
                esc(d.date.get(8..).unwrap_or(&d.date))
            );
        }
    }
    let gy = y(r.goal_hunched_share);
    s += &format!(
        "<line x1=\"40\" y1=\"{gy:.1}\" x2=\"{right}\" y2=\"{gy:.1}\" stroke=\"#1565c0\" stroke-dasharray=\"6 4\"/><text x=\"{right}\" y=\"{:.1}\" fill=\"#1565c0\" text-anchor=\"end\">goal {:.0}%</text>\n",
        gy - 4.0,
        r.goal_hunched_share * 100.0,
        right = W - 40.0,
    );
    s += "</svg>\n";
    s
}

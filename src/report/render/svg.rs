//! Charts as hand-written SVG: a handful of rectangles needs no plotting library. Every
//! chart has labelled axes, and labels are spaced so that they never overlap (a label's
//! width is estimated from its length at the font size used).

use std::fmt::Write as _;

use jiff::tz::TimeZone;

use crate::report::{DaySummary, RangeSummary, ANGLE_BIN_DEG};
use crate::support::human::{duration, percent};
use crate::vocab::{EventKind, MonitorState};

use crate::support::human::esc;

const W: f64 = 960.0;
/// Font size, px, and the width of one character at it (a generous estimate for sans-serif
/// digits and letters).
const FONT: f64 = 12.0;
const CHAR_W: f64 = 7.2;
/// A legend's letters at the chart's font size, near their natural width in common sans
/// fonts (the legend is drawn to exactly this; see the day's legend).
const LEGEND_CHAR_W: f64 = 6.5;

/// The colour of each state, as the timeline and the legends draw it.
pub fn colour(st: MonitorState) -> &'static str {
    use MonitorState::*;
    match st {
        Upright => "#4caf50",
        Hunching => "#ffb300",
        Hunched => "#e53935",
        Away => "#cfd8dc",
        Paused | Locked => "#90a4ae",
        CameraInUse => "#b39ddb",
        Unmeasured => "#e0e0e0",
    }
}

/// Every `k`-th of `n` labels, `k` the least step at which labels `max_chars` long,
/// `pitch` px apart, leave a gap between them.
pub(crate) fn label_step(n: usize, pitch: f64, max_chars: usize) -> usize {
    let need = max_chars as f64 * CHAR_W + 6.0;
    let mut k = 1;
    while (k as f64) * pitch < need && k < n.max(1) {
        k += 1;
    }
    k
}

fn open(s: &mut String, height: f64, title: &str) {
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{height}" viewBox="0 0 {W} {height}" font-family="sans-serif" font-size="{FONT}">"#
    );
    let _ = writeln!(s, "<title>{}</title>", esc(title));
}

/// A y axis from 0 to 100% at `x`, between `top` and `top + h`, gridlines across `width`.
fn share_axis(s: &mut String, x: f64, top: f64, h: f64, width: f64) {
    for (i, label) in ["0%", "25%", "50%", "75%", "100%"].iter().enumerate() {
        let y = top + h * (1.0 - i as f64 / 4.0);
        let _ = writeln!(
            s,
            r##"<line x1="{x}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="#e6e6e6"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#555">{label}</text>"##,
            x + width,
            x - 6.0,
            y + 4.0
        );
    }
    let _ = writeln!(
        s,
        r##"<line x1="{x}" y1="{top}" x2="{x}" y2="{:.1}" stroke="#999"/>"##,
        top + h
    );
}

/// A dashed goal line across the plot with its label in the right margin, where no bar is.
fn goal_line(s: &mut String, x0: f64, x1: f64, y: f64, goal: f64) {
    let _ = writeln!(
        s,
        r##"<line x1="{x0}" y1="{y:.1}" x2="{x1}" y2="{y:.1}" stroke="#1565c0" stroke-dasharray="6 4"/><text x="{:.1}" y="{:.1}" fill="#1565c0">goal {:.0}%</text>"##,
        x1 + 6.0,
        y + 4.0,
        goal * 100.0
    );
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
    let local = |t: i64| {
        jiff::Timestamp::from_millisecond(t)
            .map(|ts| ts.to_zoned(tz.clone()))
            .ok()
    };
    // Whole local hours around the data.
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
    let (left, right) = (40.0, W - 20.0);
    let span = (view_end - view_start).max(1) as f64;
    let x = |t: i64| left + (t - view_start) as f64 / span * (right - left);
    let mut s = String::new();
    open(&mut s, 150.0, &format!("hunch — {}", d.date));
    let _ = writeln!(
        s,
        r##"<rect x="{left}" y="50" width="{}" height="50" fill="#f3f3f3"/>"##,
        right - left
    );
    for run in &d.timeline {
        let (xa, xb) = (x(run.from_ms), x(run.to_ms));
        let _ = writeln!(
            s,
            r#"<rect x="{xa:.2}" y="50" width="{:.2}" height="50" fill="{}"/>"#,
            (xb - xa).max(0.5),
            colour(run.state)
        );
    }
    for m in &d.marks {
        // Alerts and stretches on rows of their own, so a stretch done right after an
        // alert does not cover it.
        let (glyph, fill, row) = match m.kind {
            EventKind::Alert => ("▼", "#b71c1c", 46),
            EventKind::Done => ("●", "#1b5e20", 34),
            _ => continue,
        };
        let _ = writeln!(
            s,
            r#"<text x="{:.1}" y="{row}" text-anchor="middle" fill="{fill}">{glyph}</text>"#,
            x(m.t_ms)
        );
    }
    let hours = ((view_end - view_start) / hour).max(1) as usize;
    let step = label_step(hours, (right - left) / hours as f64, 5);
    for i in (0..=hours).step_by(step) {
        let t = view_start + i as i64 * hour;
        if let Some(z) = local(t) {
            let _ = writeln!(
                s,
                r##"<text x="{:.1}" y="118" text-anchor="middle" fill="#555">{:02}:00</text>"##,
                x(t),
                z.hour()
            );
        }
    }
    let legend = [
        ("upright", MonitorState::Upright),
        ("hunching", MonitorState::Hunching),
        ("hunched", MonitorState::Hunched),
        ("away", MonitorState::Away),
        ("paused or locked", MonitorState::Paused),
        ("camera used by another app", MonitorState::CameraInUse),
    ];
    // Each name is drawn exactly as wide as it is reckoned (`textLength`, adjusting only
    // the spacing), so the gaps between entries are even whatever the font.
    let mut lx = left;
    for (name, st) in legend {
        let width = name.len() as f64 * LEGEND_CHAR_W;
        let _ = writeln!(
            s,
            r#"<rect x="{lx}" y="130" width="12" height="12" fill="{}"/><text x="{}" y="141" textLength="{width:.1}" lengthAdjust="spacing">{name}</text>"#,
            colour(st),
            lx + 16.0
        );
        lx += 16.0 + width + 18.0;
    }
    let _ = writeln!(
        s,
        r#"<text x="{left}" y="22" font-size="15">{} — hunched {} of {} monitored ({}); ▼ alert, ● stretch done</text>"#,
        esc(&d.date),
        duration(d.hunched_s),
        duration(d.monitored_s),
        percent(d.hunched_share)
    );
    s += "</svg>\n";
    s
}

/// Hour by hour: the hunched share of each monitored hour as a bar, with the goal.
pub fn hours(d: &DaySummary, goal: f64) -> String {
    let (left, top, h, right) = (60.0, 40.0, 160.0, W - 90.0);
    let monitored: Vec<_> = d.hours.iter().filter(|h| h.monitored_s >= 60.0).collect();
    let (first, last) = match (monitored.first(), monitored.last()) {
        (Some(a), Some(b)) => (a.hour as usize, b.hour as usize),
        _ => (8, 17),
    };
    let n = last - first + 1;
    let pitch = (right - left) / n as f64;
    let y = |share: f64| top + h * (1.0 - share.clamp(0.0, 1.0));
    let mut s = String::new();
    open(&mut s, 240.0, &format!("hunch — {} by hour", d.date));
    let _ = writeln!(
        s,
        r#"<text x="{left}" y="22" font-size="15">Hunched share of each hour's monitored time</text>"#
    );
    share_axis(&mut s, left, top, h, right - left);
    for (i, hr) in d.hours[first..=last].iter().enumerate() {
        let x0 = left + i as f64 * pitch;
        if hr.monitored_s >= 60.0 {
            let share = hr.hunched_s / hr.monitored_s;
            let fill = if share < goal { "#4caf50" } else { "#e53935" };
            // A monitored hour with no hunching still shows, as a sliver.
            let height = (top + h - y(share)).max(2.0);
            let _ = writeln!(
                s,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{fill}"><title>{:02}:00 — {} hunched of {} monitored</title></rect>"#,
                x0 + pitch * 0.15,
                top + h - height,
                pitch * 0.7,
                height,
                hr.hour,
                duration(hr.hunched_s),
                duration(hr.monitored_s)
            );
        }
    }
    let step = label_step(n, pitch, 2);
    for i in (0..n).step_by(step) {
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#555">{:02}</text>"##,
            left + (i as f64 + 0.5) * pitch,
            top + h + 16.0,
            first + i
        );
    }
    let _ = writeln!(
        s,
        r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#555">hour of the day</text>"##,
        (left + right) / 2.0,
        top + h + 34.0
    );
    goal_line(&mut s, left, right, y(goal), goal);
    s += "</svg>\n";
    s
}

/// How far forward the head was: monitored minutes by smoothed forward angle, with the
/// hunching thresholds (`enter_deg`, `exit_deg`) and the calibrated neutral (0°) marked.
pub fn angles(d: &DaySummary, enter_deg: f32, exit_deg: f32) -> String {
    let (left, top, h, right) = (60.0, 40.0, 160.0, W - 40.0);
    let n = d.angles.len().max(1);
    let pitch = (right - left) / n as f64;
    let max = d
        .angles
        .iter()
        .map(|b| b.seconds)
        .fold(0.0, f64::max)
        .max(60.0);
    // A round top for the axis, in minutes.
    let top_min = {
        let m = max / 60.0;
        let steps = [1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0];
        let unit = steps
            .iter()
            .copied()
            .find(|u| m / u <= 4.0)
            .unwrap_or(600.0);
        (m / unit).ceil().max(1.0) * unit
    };
    let y = |secs: f64| top + h * (1.0 - (secs / 60.0 / top_min).clamp(0.0, 1.0));
    let lo = d.angles.first().map_or(-10.0, |b| b.from_deg);
    let x_of = |deg: f64| left + (deg - lo) / ANGLE_BIN_DEG * pitch;
    let mut s = String::new();
    // Tall enough for the three threshold labels stacked under the axis (the lowest's
    // baseline at top + h + 54, and its descenders).
    open(
        &mut s,
        top + h + 64.0,
        &format!("hunch — {} head-forward angles", d.date),
    );
    let _ = writeln!(
        s,
        r#"<text x="{left}" y="22" font-size="15">Monitored time by head-forward angle (smoothed, against your neutral)</text>"#
    );
    for i in 0..=4 {
        let v = top_min * i as f64 / 4.0;
        let yy = top + h * (1.0 - i as f64 / 4.0);
        let _ = writeln!(
            s,
            r##"<line x1="{left}" y1="{yy:.1}" x2="{right}" y2="{yy:.1}" stroke="#e6e6e6"/><text x="{:.1}" y="{:.1}" text-anchor="end" fill="#555">{} min</text>"##,
            left - 6.0,
            yy + 4.0,
            if v.fract() == 0.0 {
                format!("{v:.0}")
            } else {
                format!("{v:.1}")
            }
        );
    }
    for b in &d.angles {
        if b.seconds <= 0.0 {
            continue;
        }
        let hunched = b.from_deg >= enter_deg as f64;
        let fill = if hunched { "#e53935" } else { "#4caf50" };
        let _ = writeln!(
            s,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{fill}"><title>{:+.0}° to {:+.0}°: {}</title></rect>"#,
            x_of(b.from_deg) + 1.0,
            y(b.seconds),
            pitch - 2.0,
            top + h - y(b.seconds),
            b.from_deg,
            b.from_deg + ANGLE_BIN_DEG,
            duration(b.seconds)
        );
    }
    // Degree labels every 10°; the first and last bins also hold what lies beyond.
    let mut deg = lo;
    while deg <= lo + n as f64 * ANGLE_BIN_DEG + 1e-9 {
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#555">{:+.0}°</text>"##,
            x_of(deg),
            top + h + 16.0,
            deg
        );
        deg += 10.0;
    }
    for (value, label, dy) in [
        (0.0, "neutral", 0.0),
        (exit_deg as f64, "exit", 12.0),
        (enter_deg as f64, "hunching", 24.0),
    ] {
        let xx = x_of(value);
        let _ = writeln!(
            s,
            r##"<line x1="{xx:.1}" y1="{top}" x2="{xx:.1}" y2="{:.1}" stroke="#1565c0" stroke-dasharray="4 3"/><text x="{:.1}" y="{:.1}" fill="#1565c0">{label} {value:+.0}°</text>"##,
            top + h,
            xx + 4.0,
            top + h + 30.0 + dy
        );
    }
    s += "</svg>\n";
    s
}

/// Hunched share per day as bars on a 0–100% axis, with the goal as a line and "—"
/// under days without monitoring.
pub fn range(r: &RangeSummary) -> String {
    let (left, top, h, right) = (60.0, 40.0, 200.0, W - 90.0);
    let n = r.days.len().max(1);
    let pitch = (right - left) / n as f64;
    let y = |share: f64| top + h * (1.0 - share.clamp(0.0, 1.0));
    let mut s = String::new();
    open(&mut s, 300.0, &format!("hunch — {} to {}", r.from, r.to));
    let _ = writeln!(
        s,
        r#"<text x="{left}" y="22" font-size="15">Hunched share of monitored time, {} to {}</text>"#,
        esc(&r.from),
        esc(&r.to)
    );
    share_axis(&mut s, left, top, h, right - left);
    for (i, d) in r.days.iter().enumerate() {
        let x0 = left + i as f64 * pitch;
        match d.hunched_share {
            Some(share) => {
                let fill = if share < r.goal_hunched_share {
                    "#4caf50"
                } else {
                    "#e53935"
                };
                let _ = writeln!(
                    s,
                    r#"<rect x="{:.2}" y="{:.2}" width="{:.2}" height="{:.2}" fill="{fill}"><title>{}: {} of {}</title></rect>"#,
                    x0 + pitch * 0.1,
                    y(share),
                    pitch * 0.8,
                    top + h - y(share),
                    esc(&d.date),
                    percent(Some(share)),
                    duration(d.monitored_s)
                );
            }
            None if pitch >= 10.0 => {
                let _ = writeln!(
                    s,
                    r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#999">—</text>"##,
                    x0 + pitch / 2.0,
                    top + h - 4.0
                );
            }
            None => {}
        }
    }
    let step = label_step(n, pitch, 5);
    for (i, d) in r.days.iter().enumerate().step_by(step) {
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{}" text-anchor="middle" fill="#555">{}</text>"##,
            left + (i as f64 + 0.5) * pitch,
            top + h + 16.0,
            esc(d.date.get(5..).unwrap_or(&d.date))
        );
    }
    goal_line(
        &mut s,
        left,
        right,
        y(r.goal_hunched_share),
        r.goal_hunched_share,
    );
    s += "</svg>\n";
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_thinned_until_they_fit() {
        // Bars 30 px apart cannot carry 5-character labels side by side (≈42 px).
        assert_eq!(label_step(30, 30.0, 5), 2);
        assert_eq!(label_step(7, 120.0, 5), 1);
        assert_eq!(label_step(365, 2.3, 5), 19);
        for (n, pitch) in [(7usize, 115.0), (30, 27.0), (90, 9.0), (365, 2.2)] {
            let k = label_step(n, pitch, 5);
            assert!(
                k as f64 * pitch >= 5.0 * CHAR_W + 6.0 || k >= n,
                "{n} {pitch}"
            );
        }
    }
}

//! Showing the comparison: a short text for the terminal ([`render_text`]) and an SVG
//! chart of the days ([`chart_svg`]). Pure functions of their input, so golden-output
//! tests pin them down.

use std::fmt::Write as _;

use jiff::civil::Date;

use crate::support::human::esc;

use super::compare::{
    CompareOptions, Contrast, DayPosture, DiaryComparison, DiaryDay, DiaryWindow, Group,
    GroupStats, Outcome,
};

/// Text lines are wrapped at this many characters.
const WRAP: usize = 88;

/// The comparison as a few lines for the terminal (no colour). Shares are percentages of
/// monitored time, differences percentage points; `p` is shown with two significant
/// decimals (`p = 0.04`, `p = 0.004`) and as `p < 0.001` below that.
pub fn render_text(c: &DiaryComparison) -> String {
    let mut s = String::new();
    let span = format!("{} to {}", c.window.first, c.window.last);
    let min = hours_or_minutes(c.options.min_monitored_s);
    match &c.outcome {
        Outcome::NotEnough(n) => {
            let _ = writeln!(
                s,
                "Headaches and posture, {span}: not enough yet to compare."
            );
            let _ = writeln!(
                s,
                "  {} with at least {min} monitored in the diary window ({} needed{})",
                days(n.eligible_days),
                n.min_days,
                more(n.more_days_needed)
            );
            let _ = writeln!(
                s,
                "  {} of them with a headache ({} needed{})",
                n.headache_days,
                n.min_headache_days,
                more(n.more_headache_days_needed)
            );
            s += &wrap(
                "Every monitored day in the diary window counts, with a headache or without; \
                 keep the diary going and the comparison will appear.",
            );
            // What it will not be able to tell, said from the start.
            s.push('\n');
            s += &wrap(c.caveats);
        }
        Outcome::Compared(f) => {
            let _ = writeln!(s, "Headaches and posture, {span}");
            s += &wrap(&format!(
                "{} with at least {min} monitored: {} with a headache, {} the day before \
                 one, {} headache-free{}.",
                days(c.eligible_days),
                c.headache_days,
                c.day_before_days,
                c.headache_free_days,
                if c.unclassified_days > 0 {
                    format!(
                        ", {} not classed (the next day is outside the diary)",
                        c.unclassified_days
                    )
                } else {
                    String::new()
                }
            ));
            s.push('\n');
            let _ = writeln!(s, "  {:<24}{:>5}  hunched (mean of days)", "", "days");
            for (g, st) in [
                (Group::Headache, &f.headache),
                (Group::DayBefore, &f.day_before),
                (Group::HeadacheFree, &f.headache_free),
            ] {
                let _ = writeln!(s, "  {:<24}{:>5}  {}", g.label(), st.days, share(st));
            }
            s.push('\n');
            for (label, contrast) in [
                ("headache days − headache-free", &f.headache_vs_free),
                ("day before − headache-free", &f.before_vs_free),
            ] {
                let _ = writeln!(s, "  {label:<31}{}", contrast_text(contrast));
            }
            s.push('\n');
            s += &wrap(&format!(
                "Points are percentage points of monitored time. 95% intervals: bootstrap, \
                 {r} resamples; p: two-sided permutation test, {r} relabellings (seed {}). \
                 A p-value under 0.05 means fewer than 1 in 20 random relabellings of these \
                 days gave a difference at least as large.",
                c.options.seed,
                r = c.options.resamples
            ));
            s.push('\n');
            s += &wrap(c.caveats);
        }
    }
    if c.entries_outside_window > 0 {
        s.push('\n');
        s += &wrap(&format!(
            "{} outside {span} {} left out: today's (the day is not over) and any before \
             the first day (--from).",
            match c.entries_outside_window {
                1 => "1 diary entry".to_string(),
                n => format!("{n} diary entries"),
            },
            if c.entries_outside_window == 1 {
                "is"
            } else {
                "are"
            }
        ));
    }
    s
}

fn contrast_text(c: &Contrast) -> String {
    match c {
        Contrast::Estimated(d) => format!(
            "{} points, 95% CI {} to {}, {}",
            points(d.estimate),
            points(d.ci_low),
            points(d.ci_high),
            p_text(d.p_value)
        ),
        Contrast::TooFew {
            group,
            days: n,
            needed,
        } => format!("not compared: {n} {} ({needed} needed)", group.label()),
    }
}

fn share(st: &GroupStats) -> String {
    st.mean_share
        .map_or_else(|| "—".to_string(), |m| format!("{:.1}%", 100.0 * m))
}

fn points(x: f64) -> String {
    // No "-0.0".
    let v = 100.0 * x;
    if v.abs() < 0.05 {
        "0.0".into()
    } else {
        format!("{v:+.1}")
    }
}

fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else if p < 0.01 {
        format!("p = {p:.3}")
    } else {
        format!("p = {p:.2}")
    }
}

fn days(n: usize) -> String {
    if n == 1 {
        "1 day".into()
    } else {
        format!("{n} days")
    }
}

fn more(n: usize) -> String {
    if n == 0 {
        String::new()
    } else {
        format!(": {n} more")
    }
}

fn hours_or_minutes(s: f64) -> String {
    if s >= 3600.0 && (s / 3600.0).fract() == 0.0 {
        format!("{} h", s / 3600.0)
    } else {
        format!("{} min", (s / 60.0).round())
    }
}

/// Greedy word wrap at [`WRAP`] characters; ends with a newline.
fn wrap(text: &str) -> String {
    let mut out = String::new();
    let mut line = String::new();
    for w in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + w.chars().count() > WRAP {
            out += &line;
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line += w;
    }
    if !line.is_empty() {
        out += &line;
        out.push('\n');
    }
    out
}

// ---- SVG ---------------------------------------------------------------------------------

/// The chart's geometry, public so tests (and an HTML page) can rely on it.
pub mod layout {
    pub const WIDTH: f64 = 720.0;
    pub const HEIGHT: f64 = 252.0;
    pub const LEFT: f64 = 48.0;
    pub const RIGHT: f64 = 16.0;
    pub const TITLE_Y: f64 = 18.0;
    pub(super) const TITLE_FONT: f64 = 13.0;
    /// Centre line of the headache markers.
    pub const MARKER_Y: f64 = 40.0;
    pub const PLOT_TOP: f64 = 56.0;
    pub(super) const PLOT_HEIGHT: f64 = 150.0;
    pub(super) const X_LABEL_Y: f64 = 226.0;
    pub(super) const LEGEND_Y: f64 = 244.0;
    pub const FONT: f64 = 11.0;
    /// Estimated advance of one character, as a share of the font size (generous for
    /// digits and lower case in common sans-serif fonts).
    const CHAR_EM: f64 = 0.6;
    /// Minimum gap between neighbouring labels.
    pub(super) const LABEL_GAP: f64 = 6.0;

    /// Estimated width of `text` at `font` px.
    pub fn text_width(text: &str, font: f64) -> f64 {
        text.chars().count() as f64 * CHAR_EM * font
    }
}

/// A marker's radius for an intensity (1–10): 3.6 px at 1 up to 9 px at 10.
pub fn marker_radius(intensity: u8) -> f64 {
    3.0 + 0.6 * f64::from(intensity.min(10))
}

/// A marker's colour for an intensity: light (1–3), medium (4–6), dark red (7–10).
pub fn marker_colour(intensity: u8) -> &'static str {
    match intensity {
        0..=3 => "#f4a582",
        4..=6 => "#d6604d",
        _ => "#b2182b",
    }
}

const BAR: &str = "#4a7bb7";
const BAR_SHORT: &str = "#c5d3e6";

/// Daily hunched share as bars over the diary window (every date, left to right), with
/// headache days marked above the bars by a circle whose size and colour follow the
/// day's highest intensity (entries below `opts.min_intensity` are not marked). Days
/// monitored less than `opts.min_monitored_s` are drawn pale: the comparison does not
/// use them. A y axis from 0 to 100% labelled every 25%; dates (`MM-DD`) under the bars,
/// every k-th day with k chosen so neighbouring labels never overlap.
/// [`chart_svg`] of a comparison: the days it classified, the headache days marked by
/// their highest intensity.
pub fn comparison_chart(c: &DiaryComparison) -> String {
    let days: Vec<DayPosture> = c
        .days
        .iter()
        .map(|d| DayPosture {
            date: d.date,
            monitored_s: d.monitored_s,
            hunched_s: d.share * d.monitored_s,
        })
        .collect();
    let aches: Vec<DiaryDay> = c
        .days
        .iter()
        .filter(|d| d.intensity > 0)
        .map(|d| DiaryDay {
            date: d.date,
            intensity: d.intensity,
        })
        .collect();
    chart_svg(&days, &aches, c.window, &c.options)
}

pub fn chart_svg(
    days: &[DayPosture],
    headaches: &[DiaryDay],
    window: DiaryWindow,
    opts: &CompareOptions,
) -> String {
    use layout::*;
    let dates: Vec<Date> = window.dates().collect();
    let n = dates.len();
    let plot_w = WIDTH - LEFT - RIGHT;
    let pitch = plot_w / n.max(1) as f64;
    let bottom = PLOT_TOP + PLOT_HEIGHT;
    let y_of = |share: f64| PLOT_TOP + PLOT_HEIGHT * (1.0 - share.clamp(0.0, 1.0));

    let mut s = String::new();
    let title = format!(
        "Hunched share per day and headaches, {} to {}",
        window.first, window.last
    );
    let _ = writeln!(
        s,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" font-family="sans-serif" font-size="{FONT}" role="img" aria-label="{}">"#,
        esc(&title)
    );
    let _ = writeln!(s, "<title>{}</title>", esc(&title));
    let _ = writeln!(
        s,
        r#"<text x="{LEFT}" y="{TITLE_Y}" font-size="{TITLE_FONT}">{}</text>"#,
        esc(&title)
    );
    // Grid and y axis.
    for pct in [0u32, 25, 50, 75, 100] {
        let y = y_of(f64::from(pct) / 100.0);
        let stroke = if pct == 0 { "#999" } else { "#e5e5e5" };
        let _ = writeln!(
            s,
            r#"<line x1="{LEFT}" y1="{y:.1}" x2="{:.1}" y2="{y:.1}" stroke="{stroke}"/>"#,
            WIDTH - RIGHT
        );
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="end" fill="#555">{pct}%</text>"##,
            LEFT - 6.0,
            y + 4.0
        );
    }
    let _ = writeln!(
        s,
        r##"<line x1="{LEFT}" y1="{PLOT_TOP:.1}" x2="{LEFT}" y2="{bottom:.1}" stroke="#999"/>"##
    );
    if n == 0 {
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{:.1}" text-anchor="middle" fill="#555">no days in the diary window</text>"##,
            LEFT + plot_w / 2.0,
            PLOT_TOP + PLOT_HEIGHT / 2.0
        );
    }

    // Bars: one per date with monitoring; several rows of one date are summed.
    let mut per_date: Vec<(f64, f64)> = vec![(0.0, 0.0); n];
    for d in days {
        if let Some(i) = index_of(&dates, d.date) {
            if d.monitored_s.is_finite() && d.hunched_s.is_finite() {
                per_date[i].0 += d.monitored_s;
                per_date[i].1 += d.hunched_s;
            }
        }
    }
    for (i, &(mon, hun)) in per_date.iter().enumerate() {
        if mon <= 0.0 {
            continue;
        }
        let share = (hun / mon).clamp(0.0, 1.0);
        let y = y_of(share);
        let fill = if mon >= opts.min_monitored_s {
            BAR
        } else {
            BAR_SHORT
        };
        let _ = writeln!(
            s,
            r#"<rect x="{:.1}" y="{y:.1}" width="{:.1}" height="{:.1}" fill="{fill}"><title>{}: {:.1}% hunched of {:.1} h monitored</title></rect>"#,
            LEFT + i as f64 * pitch + pitch * 0.1,
            pitch * 0.8,
            bottom - y,
            dates[i],
            100.0 * share,
            mon / 3600.0
        );
    }

    // Headache markers: the day's highest counting intensity.
    let mut worst: Vec<u8> = vec![0; n];
    for h in headaches {
        if h.intensity >= opts.min_intensity.max(1) {
            if let Some(i) = index_of(&dates, h.date) {
                worst[i] = worst[i].max(h.intensity);
            }
        }
    }
    for (i, &w) in worst.iter().enumerate() {
        if w == 0 {
            continue;
        }
        let _ = writeln!(
            s,
            r#"<circle cx="{:.1}" cy="{MARKER_Y}" r="{:.1}" fill="{}" fill-opacity="0.9"><title>{}: headache, intensity {w}</title></circle>"#,
            LEFT + (i as f64 + 0.5) * pitch,
            marker_radius(w),
            marker_colour(w),
            dates[i]
        );
    }

    // Date labels every k-th day, k the smallest step keeping labels apart.
    let label_w = text_width("00-00", FONT) + LABEL_GAP;
    let step = ((label_w / pitch).ceil() as usize).max(1);
    for i in (0..n).step_by(step) {
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{X_LABEL_Y}" text-anchor="middle" fill="#555">{}</text>"##,
            LEFT + (i as f64 + 0.5) * pitch,
            dates[i].strftime("%m-%d")
        );
    }

    // Legend, laid out left to right from measured (estimated) widths.
    let items = [
        (
            Swatch::Rect(BAR),
            format!(
                "hunched share (≥ {})",
                hours_or_minutes(opts.min_monitored_s)
            ),
        ),
        (
            Swatch::Rect(BAR_SHORT),
            format!(
                "under {}, not compared",
                hours_or_minutes(opts.min_monitored_s)
            ),
        ),
        (
            Swatch::Dot(marker_colour(7)),
            "headache: bigger, darker = worse".to_string(),
        ),
    ];
    let mut x = LEFT;
    for (swatch, text) in &items {
        match swatch {
            Swatch::Rect(c) => {
                let _ = writeln!(
                    s,
                    r#"<rect x="{x:.1}" y="{:.1}" width="10" height="10" fill="{c}"/>"#,
                    LEGEND_Y - 9.0
                );
            }
            Swatch::Dot(c) => {
                let _ = writeln!(
                    s,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="5" fill="{c}"/>"#,
                    x + 5.0,
                    LEGEND_Y - 4.0
                );
            }
        }
        let _ = writeln!(
            s,
            r##"<text x="{:.1}" y="{LEGEND_Y}" fill="#333">{}</text>"##,
            x + 14.0,
            esc(text)
        );
        x += 14.0 + text_width(text, FONT) + 16.0;
    }
    s += "</svg>\n";
    s
}

enum Swatch {
    Rect(&'static str),
    Dot(&'static str),
}

fn index_of(dates: &[Date], d: Date) -> Option<usize> {
    dates.binary_search(&d).ok()
}

#[cfg(test)]
#[path = "render_tests.rs"]
mod tests;

/// The comparison as JSON (`hunch report --headaches --json`): every figure the text
/// shows, shares 0–1, points as differences of shares ×100, dates `YYYY-MM-DD`.
pub fn json(c: &DiaryComparison) -> serde_json::Value {
    use serde_json::json;
    let group = |g: &super::compare::GroupStats| json!({"days": g.days, "mean_hunched_share": g.mean_share, "monitored_s": g.monitored_s});
    let contrast = |c: &super::compare::Contrast| match c {
        super::compare::Contrast::Estimated(d) => json!({
            "difference_points": 100.0 * d.estimate,
            "ci95_points": [100.0 * d.ci_low, 100.0 * d.ci_high],
            "p_value": d.p_value,
            "resamples": d.resamples,
        }),
        super::compare::Contrast::TooFew {
            group,
            days,
            needed,
        } => json!({
            "too_few": group.label(), "days": days, "needed": needed,
        }),
    };
    let outcome = match &c.outcome {
        Outcome::NotEnough(n) => json!({
            "enough": false,
            "eligible_days": n.eligible_days,
            "headache_days": n.headache_days,
            "min_days": n.min_days,
            "min_headache_days": n.min_headache_days,
            "more_days_needed": n.more_days_needed,
            "more_headache_days_needed": n.more_headache_days_needed,
        }),
        Outcome::Compared(f) => json!({
            "enough": true,
            "headache_days": group(&f.headache),
            "days_before": group(&f.day_before),
            "headache_free_days": group(&f.headache_free),
            "headache_vs_free": contrast(&f.headache_vs_free),
            "before_vs_free": contrast(&f.before_vs_free),
        }),
    };
    json!({
        "from": c.window.first.to_string(),
        "to": c.window.last.to_string(),
        "eligible_days": c.eligible_days,
        "headache_days": c.headache_days,
        "day_before_days": c.day_before_days,
        "headache_free_days": c.headache_free_days,
        "unclassified_days": c.unclassified_days,
        "entries_outside_window": c.entries_outside_window,
        "seed": c.options.seed,
        "min_monitored_s": c.options.min_monitored_s,
        "result": outcome,
        "days": c.days.iter().map(|d| json!({
            "date": d.date.to_string(),
            "hunched_share": d.share,
            "monitored_s": d.monitored_s,
            "group": d.group.label(),
            "intensity": d.intensity,
        })).collect::<Vec<_>>(),
        "caveats": c.caveats,
    })
}

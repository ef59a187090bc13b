//! Golden output of the text and SVG renderers, and the chart's layout rules.

use std::path::PathBuf;

use super::layout::*;
use super::*;
use crate::diary::compare::tests::{ache, day, planted, window};
use crate::diary::compare::{compare, CompareOptions};

/// Compares `got` with `src/diary/golden/<name>`; with `HUNCH_UPDATE_GOLDEN=1` in the
/// environment it (re)writes the file instead, to be reviewed in the diff.
fn golden(name: &str, got: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("src/diary/golden")
        .join(name);
    if std::env::var_os("HUNCH_UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with HUNCH_UPDATE_GOLDEN=1 to create it",
            path.display()
        )
    });
    assert!(
        got == want,
        "{name} differs from {}; if the change is intended, rerun with \
         HUNCH_UPDATE_GOLDEN=1 and review the diff.\n--- got ---\n{got}",
        path.display()
    );
}

#[test]
fn text_of_the_planted_comparison_is_golden() {
    let (days, aches, w) = planted();
    let c = compare(&days, &aches, w, &CompareOptions::default());
    let t = render_text(&c);
    golden("comparison.txt", &t);
    // Independent of the golden file: the figures the planted data fixes.
    assert!(
        t.contains("  headache days               5  30.0%\n"),
        "{t}"
    );
    assert!(
        t.contains("  days before a headache      5  50.0%\n"),
        "{t}"
    );
    assert!(
        t.contains("  headache-free days         20  12.5%\n"),
        "{t}"
    );
    assert!(t.contains("+17.5 points"), "{t}");
    assert!(t.contains("+37.5 points"), "{t}");
    assert!(t.contains("p < 0.001"), "{t}");
    assert!(t.contains("not a cause"), "{t}");
    assert!(t.lines().all(|l| l.chars().count() <= 88), "{t}");
}

#[test]
fn text_below_the_minimum_is_golden() {
    let days: Vec<_> = (0..10).map(|i| day(i, 0.2)).collect();
    let aches = [ache(3, 5), ache(7, 5)];
    let c = compare(&days, &aches, window(0, 11), &CompareOptions::default());
    let t = render_text(&c);
    golden("not_enough.txt", &t);
    assert!(t.contains("10 days with at least 1 h monitored"), "{t}");
    assert!(t.contains("(14 needed: 4 more)"), "{t}");
    assert!(
        t.contains("2 of them with a headache (3 needed: 1 more)"),
        "{t}"
    );
    assert!(!t.contains('%'), "no figures below the minimum: {t}");
}

#[test]
fn text_names_a_contrast_it_cannot_make() {
    // Headaches every other day: no headache-free days.
    let days: Vec<_> = (0..20).map(|i| day(i, 0.2)).collect();
    let aches: Vec<_> = (0..20).filter(|i| i % 2 == 1).map(|i| ache(i, 4)).collect();
    let c = compare(&days, &aches, window(0, 19), &CompareOptions::default());
    let t = render_text(&c);
    assert!(
        t.contains("headache days − headache-free  not compared: 0 headache-free days (3 needed)"),
        "{t}"
    );
    assert!(t.contains("  headache-free days          0  —\n"), "{t}");
}

#[test]
fn p_values_and_points_are_formatted_as_documented() {
    assert_eq!(p_text(0.0001), "p < 0.001");
    assert_eq!(p_text(0.004), "p = 0.004");
    assert_eq!(p_text(0.0449), "p = 0.04");
    assert_eq!(p_text(1.0), "p = 1.00");
    assert_eq!(points(0.175), "+17.5");
    assert_eq!(points(-0.02), "-2.0");
    assert_eq!(points(-0.0001), "0.0");
    assert_eq!(hours_or_minutes(3600.0), "1 h");
    assert_eq!(hours_or_minutes(1800.0), "30 min");
}

#[test]
fn chart_of_the_planted_days_is_golden() {
    let (days, aches, w) = planted();
    let svg = chart_svg(&days, &aches, w, &CompareOptions::default());
    golden("chart.svg", &svg);
    assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>\n"));
    // 29 full bars (days 2–31, day 4's two rows as one), day 0 pale, day 1 (NaN) none.
    assert_eq!(svg.matches(&format!("fill=\"{BAR}\"><title>")).count(), 30);
    assert_eq!(
        svg.matches(&format!("fill=\"{BAR_SHORT}\"><title>"))
            .count(),
        1
    );
    // Five headache days (the intensity-0 entry and the one outside are not marked).
    assert_eq!(
        svg.matches("<circle cx").count(),
        5 + 1,
        "5 markers + the legend dot"
    );
    assert!(
        svg.contains("2026-01-15: headache, intensity 8"),
        "the day's highest"
    );
    assert!(!svg.contains("intensity 0"));
}

/// A `<text>` element's estimated box: (left, top, right, bottom).
fn text_boxes(svg: &str) -> Vec<(String, [f64; 4])> {
    let mut out = Vec::new();
    for part in svg.split("<text ").skip(1) {
        let (attrs, rest) = part.split_once('>').unwrap();
        let content = rest.split_once("</text>").unwrap().0.replace("&amp;", "&");
        let attr = |name: &str| {
            attrs
                .split(&format!(" {name}=\""))
                .nth(1)
                .or_else(|| attrs.strip_prefix(&format!("{name}=\"")))
                .map(|v| v.split('"').next().unwrap().to_string())
        };
        let x: f64 = attr("x").unwrap().parse().unwrap();
        let y: f64 = attr("y").unwrap().parse().unwrap();
        let font: f64 = attr("font-size").map_or(FONT, |f| f.parse().unwrap());
        let w = text_width(&content, font);
        let left = match attr("text-anchor").as_deref() {
            Some("middle") => x - w / 2.0,
            Some("end") => x - w,
            _ => x,
        };
        out.push((content, [left, y - 0.8 * font, left + w, y + 0.2 * font]));
    }
    out
}

#[test]
fn labels_never_overlap_and_stay_inside_at_any_length() {
    for n in [
        1i64, 2, 3, 5, 7, 10, 14, 15, 28, 30, 31, 45, 60, 61, 90, 120, 180, 365, 366, 400, 731,
    ] {
        let days: Vec<_> = (0..n).map(|i| day(i, (i % 7) as f64 / 7.0)).collect();
        let aches: Vec<_> = (0..n)
            .filter(|i| i % 5 == 2)
            .map(|i| ache(i, (i % 11) as u8))
            .collect();
        let svg = chart_svg(&days, &aches, window(0, n - 1), &CompareOptions::default());
        let boxes = text_boxes(&svg);
        let dates = boxes
            .iter()
            .filter(|(t, _)| t.len() == 5 && t.as_bytes()[2] == b'-')
            .count();
        assert!(dates >= 1, "n = {n}: no date labels");
        assert!(
            dates >= (n as usize).min(8),
            "n = {n}: only {dates} date labels"
        );
        for (i, (ta, a)) in boxes.iter().enumerate() {
            assert!(
                a[0] >= 0.0 && a[2] <= WIDTH && a[1] >= 0.0 && a[3] <= HEIGHT,
                "n = {n}: {ta:?} {a:?} outside"
            );
            for (tb, b) in &boxes[i + 1..] {
                let apart = a[2] <= b[0] || b[2] <= a[0] || a[3] <= b[1] || b[3] <= a[1];
                assert!(apart, "n = {n}: {ta:?} {a:?} overlaps {tb:?} {b:?}");
            }
        }
    }
}

#[test]
fn markers_grow_and_darken_with_intensity() {
    for i in 1..10u8 {
        assert!(marker_radius(i + 1) > marker_radius(i));
    }
    assert!(
        marker_radius(10) <= MARKER_Y - TITLE_Y - 2.0,
        "clear of the title"
    );
    assert!(
        MARKER_Y + marker_radius(10) <= PLOT_TOP,
        "clear of the bars"
    );
    assert_eq!(marker_colour(2), marker_colour(3));
    assert_ne!(marker_colour(3), marker_colour(4));
    assert_ne!(marker_colour(6), marker_colour(7));
    let days: Vec<_> = (0..10).map(|i| day(i, 0.5)).collect();
    let svg = chart_svg(
        &days,
        &[ache(2, 2), ache(5, 9)],
        window(0, 9),
        &CompareOptions::default(),
    );
    assert!(svg.contains(&format!(
        r#"r="{:.1}" fill="{}""#,
        marker_radius(2),
        marker_colour(2)
    )));
    assert!(svg.contains(&format!(
        r#"r="{:.1}" fill="{}""#,
        marker_radius(9),
        marker_colour(9)
    )));
}

#[test]
fn an_empty_window_says_so() {
    let svg = chart_svg(&[], &[], window(3, 2), &CompareOptions::default());
    assert!(svg.contains("no days in the diary window"));
    assert!(
        !svg.contains("</rect>"),
        "no bars (bars carry a title; legend swatches do not)"
    );
    assert_eq!(
        text_boxes(&svg)
            .iter()
            .filter(|(t, _)| t.contains('-') && t.len() == 5)
            .count(),
        0
    );
}

/// Writes charts of 14, 90 and 365 days to `$HUNCH_CHART_DIR` for a look by eye.
#[test]
#[ignore]
fn write_sample_charts() {
    let Some(dir) = std::env::var_os("HUNCH_CHART_DIR") else {
        return;
    };
    for n in [14i64, 90, 365] {
        let days: Vec<_> = (0..n)
            .map(|i| day(i, ((i * 37) % 100) as f64 / 150.0))
            .collect();
        let aches: Vec<_> = (0..n)
            .filter(|i| i % 6 == 2)
            .map(|i| ache(i, 1 + (i % 10) as u8))
            .collect();
        let svg = chart_svg(&days, &aches, window(0, n - 1), &CompareOptions::default());
        std::fs::write(PathBuf::from(&dir).join(format!("chart-{n}.svg")), svg).unwrap();
    }
}

#[test]
fn text_says_when_the_last_day_is_not_classed() {
    // Blocks of B H F F F over 30 days: the last day (29) has no known next day.
    let days: Vec<_> = (0..30)
        .map(|i| day(i, 0.1 + 0.05 * (i % 4) as f64))
        .collect();
    let aches: Vec<_> = (0..30).filter(|i| i % 5 == 1).map(|i| ache(i, 5)).collect();
    let c = compare(&days, &aches, window(0, 29), &CompareOptions::default());
    assert_eq!(c.unclassified_days, 1);
    let t = render_text(&c);
    assert!(
        t.contains("1 not classed (the next day is outside the diary)"),
        "{t}"
    );
    assert!(
        t.starts_with("Headaches and posture, 2026-01-05 to 2026-02-03\n30 days"),
        "{t}"
    );
}

//! The renderers as pure functions: a fixed journal's rows, summed by `report::summarize`,
//! rendered as text, CSV, JSON, HTML and SVG and compared byte for byte with the files in
//! `tests/golden/`. After a deliberate change, regenerate them with
//! `HUNCH_UPDATE_GOLDEN=1 cargo test --test report_render` and review the diff.

use std::path::PathBuf;

use hunch::report::{render, summarize, summarize_range, DaySummary, Period};
use hunch::vocab::{Event, EventKind, MonitorState, SampleRow};
use jiff::tz::TimeZone;

fn tz() -> TimeZone {
    TimeZone::get("Europe/Berlin").expect("tzdata (Europe/Berlin)")
}

fn at(date: &str, time: &str) -> i64 {
    format!("{date}T{time}")
        .parse::<jiff::civil::DateTime>()
        .unwrap()
        .to_zoned(tz())
        .unwrap()
        .timestamp()
        .as_millisecond()
}

/// A working day: (start, minutes, state, angle) at one sample a second, and events.
fn day(date: &str, scale: f64) -> DaySummary {
    use MonitorState::*;
    let plan: [(&str, i64, MonitorState, Option<f32>); 8] = [
        ("09:00", 50, Upright, Some(0.5)),
        ("09:50", (25.0 * scale) as i64, Hunched, Some(9.5)),
        ("10:40", 20, Unmeasured, None),
        ("11:00", 60, Upright, Some(1.0)),
        ("12:00", 45, Away, None),
        ("13:00", 30, Hunching, Some(7.0)),
        ("13:30", 20, Paused, None),
        ("14:00", 90, Upright, Some(0.0)),
    ];
    let mut samples = Vec::new();
    for (start, minutes, state, deg) in plan {
        let t0 = at(date, start);
        for k in 1..=minutes * 60 {
            samples.push(SampleRow {
                t_ms: t0 + k * 1000,
                dt_ms: 1000,
                state,
                forward_deg: deg,
                camera_open_ms: 0,
            });
        }
    }
    let events = [
        ("10:12", EventKind::Alert),
        ("10:14", EventKind::Done),
        ("13:20", EventKind::Snooze),
        ("13:30", EventKind::Pause),
    ]
    .map(|(t, kind)| Event {
        t_ms: at(date, t),
        kind,
        detail: String::new(),
    });
    let period = Period::day(date.parse().unwrap(), &tz()).unwrap();
    summarize(&period, &samples, &events)
}

fn ctx() -> render::html::Context {
    render::html::Context {
        tz: tz(),
        enter_deg: 6.0,
        exit_deg: 4.0,
    }
}

fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("HUNCH_UPDATE_GOLDEN").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; create it with HUNCH_UPDATE_GOLDEN=1",
            path.display()
        )
    });
    if expected != actual {
        let first = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(expected.lines().count().min(actual.lines().count()));
        panic!(
            "{name} differs from its golden file at line {}:\n  golden: {:?}\n  actual: {:?}",
            first + 1,
            expected.lines().nth(first),
            actual.lines().nth(first)
        );
    }
}

#[test]
fn a_day_renders_as_its_golden_files() {
    let d = day("2026-11-24", 1.0);
    // The figures the golden files show, checked independently of the renderers.
    assert_eq!(
        d.monitored_s,
        (50.0 + 25.0 + 20.0 + 60.0 + 30.0 + 90.0) * 60.0
    );
    assert_eq!(d.hunched_s, 55.0 * 60.0);
    assert_eq!(d.episodes, 2);
    assert_eq!(
        (d.alerts, d.stretches_done, d.snoozes, d.pauses),
        (1, 1, 1, 1)
    );
    let r = summarize_range(vec![d.clone()], &[], 0.2);
    golden("day.txt", &render::text::day(&d, 0.2, false));
    golden("day-colour.txt", &render::text::day(&d, 0.2, true));
    golden("day.csv", &render::csv::days(&r));
    golden("day.json", &render::json(&r));
    let svg = render::svg::day(&d, &tz());
    golden("day.svg", &svg);
    golden("day-hours.svg", &render::svg::hours(&d, 0.2));
    golden("day-angles.svg", &render::svg::angles(&d, 6.0, 4.0));
    golden("day.html", &render::html::report(&r, &ctx(), ""));
}

#[test]
fn a_week_renders_as_its_golden_files() {
    let dates = [
        "2026-11-18",
        "2026-11-19",
        "2026-11-20",
        "2026-11-21",
        "2026-11-22",
        "2026-11-23",
        "2026-11-24",
    ];
    let days: Vec<DaySummary> = dates
        .iter()
        .enumerate()
        .map(|(i, d)| {
            if i == 3 {
                // A day without monitoring.
                summarize(&Period::day(d.parse().unwrap(), &tz()).unwrap(), &[], &[])
            } else {
                day(d, 0.2 + 0.3 * i as f64)
            }
        })
        .collect();
    let previous = vec![day("2026-11-17", 2.0)];
    let r = summarize_range(days, &previous, 0.2);
    assert_eq!(r.days.len(), 7);
    assert!(r.trend_points.is_some());
    golden("week.txt", &render::text::range(&r, false));
    golden("week.csv", &render::csv::days(&r));
    golden("week.svg", &render::svg::range(&r));
    golden("week.html", &render::html::report(&r, &ctx(), ""));
    assert_eq!(
        render::text::nothing("2026-11-18", "2026-11-24"),
        "No monitoring recorded from 2026-11-18 to 2026-11-24.\n"
    );
}

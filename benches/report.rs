//! `hunch report` on a year of synthetic journal: 1 sample a second, 8 hours a day
//! (10.5 million samples), with a few events a day. Measures one day (computed from its
//! samples) and the year's per-day table, cold (every day computed) and warm (days that
//! are over come from the journal's day cache). The journal is built once into
//! target/bench-journal-year.sqlite; its size is printed.

use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion};
use hunch::journal::Journal;
use hunch::report::{store, Period};
use hunch::vocab::EventKind;
use hunch::vocab::MonitorState;
use jiff::civil::Date;
use jiff::tz::TimeZone;

fn tz() -> TimeZone {
    TimeZone::get("Europe/Berlin").expect("tzdata")
}

const FIRST: &str = "2025-01-01";

fn build(path: &std::path::Path) {
    let (mut j, _) = Journal::open(path).expect("journal");
    let mut d: Date = FIRST.parse().unwrap();
    let mut seed = 12345u64;
    for _ in 0..365 {
        let start = d
            .at(9, 0, 0, 0)
            .to_zoned(tz())
            .unwrap()
            .timestamp()
            .as_millisecond();
        for k in 1..=8 * 3600i64 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let minute = k / 60;
            // Mostly upright, a hunched stretch now and then, a little away.
            let state = match (minute % 97, seed % 100) {
                (0..=11, _) => MonitorState::Hunched,
                (12..=14, _) => MonitorState::Away,
                (_, 0) => MonitorState::Unmeasured,
                _ => MonitorState::Upright,
            };
            let angle = (state != MonitorState::Away).then(|| (seed % 1500) as f32 / 100.0 - 3.0);
            j.sample(start + k * 1000, 1000, state, angle, 0.9).unwrap();
        }
        for h in [1, 3, 5] {
            j.event(start + h * 3_600_000, EventKind::Alert, "chin_tuck")
                .unwrap();
        }
        j.event(start + 3 * 3_600_000 + 60_000, EventKind::Done, "chin_tuck")
            .unwrap();
        d = d.tomorrow().unwrap();
    }
    j.flush().unwrap();
}

fn bench(c: &mut Criterion) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench-journal-year.sqlite");
    if !path.exists() {
        eprintln!("building a year of journal (once)…");
        build(&path);
    }
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    eprintln!(
        "journal for a year (8 h/day at 1 sample/s): {:.0} MB",
        size as f64 / 1e6
    );
    let (mut j, _) = Journal::open(&path).unwrap();
    let tz = tz();
    let first: Date = FIRST.parse().unwrap();
    let last = first.checked_add(jiff::Span::new().days(364)).unwrap();
    let mid = first.checked_add(jiff::Span::new().days(180)).unwrap();
    let warm_now = i64::MAX / 2;

    let mut g = c.benchmark_group("report");
    g.sample_size(10);
    g.bench_function("one_day", |b| {
        b.iter(|| store::compute(&j, &Period::day(mid, &tz).unwrap()).unwrap())
    });
    g.bench_function("year_per_day_cold", |b| {
        b.iter(|| {
            let mut d = first;
            let mut rows = Vec::with_capacity(365);
            while d <= last {
                rows.push(store::compute(&j, &Period::day(d, &tz).unwrap()).unwrap());
                d = d.tomorrow().unwrap();
            }
            rows
        })
    });
    // The monitor fills the cache as days end.
    let mut d = first;
    while d <= last {
        hunch::report::store::cache_finished_day(&mut j, d, &tz, warm_now).unwrap();
        d = d.tomorrow().unwrap();
    }
    g.bench_function("year_per_day_warm", |b| {
        b.iter(|| store::range(&j, first, last, &tz, 0.2).unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

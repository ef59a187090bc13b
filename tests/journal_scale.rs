//! A journal kept for a year stays small and fast: a hold is a handful of rows, not one a
//! second; retention and the day cache run beside the monitor, never in its way; space
//! freed is given back and the write-ahead log stays small; every finished day's summary
//! is healed once. Real SQLite files throughout; "before" rows are written the way earlier
//! hunch wrote them (one per held second), straight into the file.

mod common;

use std::path::Path;
use std::time::{Duration, Instant};

use common::{hunch_in, tempdir, MonitorEnv};
use hunch::journal::keeper::{Chore, Keeper};
use hunch::journal::Journal;
use hunch::report::store::{self, REPORT_VERSION};
use hunch::report::{summarize, Period};
use hunch::vocab::{MonitorState, SampleRow};

/// 2026-11-24 09:00 UTC.
const T0: i64 = 1_795_510_800_000;

fn utc() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::UTC
}

/// A morning as the monitor samples it, one row a second: 10 min upright, a 2-minute
/// pause, 5 min hunched, a 16-hour lock (overnight), 10 min upright.
fn morning() -> Vec<SampleRow> {
    let mut rows = Vec::new();
    let mut t = T0;
    let mut run = |state: MonitorState, seconds: i64, deg: Option<f32>| {
        for _ in 0..seconds {
            t += 1000;
            rows.push(SampleRow {
                t_ms: t,
                dt_ms: 1000,
                state,
                forward_deg: deg,
                camera_open_ms: 0,
            });
        }
    };
    run(MonitorState::Upright, 600, Some(1.0));
    run(MonitorState::Paused, 120, None);
    run(MonitorState::Hunched, 300, Some(9.0));
    run(MonitorState::Locked, 16 * 3600, None);
    run(MonitorState::Upright, 600, Some(1.0));
    rows
}

/// Rows one per sample, straight into the file, as hunch wrote them before holds became
/// one row.
fn write_one_per_second(path: &Path, rows: &[SampleRow]) {
    drop(Journal::open(path).unwrap());
    let mut c = rusqlite::Connection::open(path).unwrap();
    let tx = c.transaction().unwrap();
    {
        let mut st = tx
            .prepare("INSERT INTO samples (t_ms, dt_ms, state, forward_deg, presence, camera_open_ms) VALUES (?1, ?2, ?3, ?4, 1.0, 0)")
            .unwrap();
        for r in rows {
            st.execute(rusqlite::params![
                r.t_ms,
                r.dt_ms,
                r.state.as_str(),
                r.forward_deg
            ])
            .unwrap();
        }
    }
    tx.commit().unwrap();
}

fn count(path: &Path, state: &str) -> i64 {
    let c = rusqlite::Connection::open(path).unwrap();
    c.query_row(
        "SELECT count(*) FROM samples WHERE state = ?1",
        [state],
        |r| r.get(0),
    )
    .unwrap()
}

#[test]
fn a_hold_is_a_handful_of_rows_and_the_figures_do_not_change() {
    let dir = tempdir("scale-holds");
    let rows = morning();
    let before = dir.join("before.sqlite");
    write_one_per_second(&before, &rows);
    // Through hunch's own writer, as the monitor records each sample.
    let after = dir.join("after.sqlite");
    {
        let (mut j, _) = Journal::open(&after).unwrap();
        for r in &rows {
            j.record(r, if r.state.is_held() { 0.0 } else { 1.0 })
                .unwrap();
        }
        j.flush().unwrap();
    }
    assert_eq!(count(&before, "paused"), 120);
    assert_eq!(count(&before, "locked"), 16 * 3600);
    // The 2-minute pause is one row; the 16-hour lock three (a row stands for at most
    // six hours).
    assert_eq!(count(&after, "paused"), 1);
    assert_eq!(count(&after, "locked"), 3);
    assert_eq!(count(&after, "upright"), 1200);
    // Every day the rows touch sums the same, hour by hour and span by span.
    let (b, a) = (
        Journal::open_read_only(&before).unwrap(),
        Journal::open_read_only(&after).unwrap(),
    );
    for date in ["2026-11-24", "2026-11-25"] {
        let p = Period::day(date.parse().unwrap(), &utc()).unwrap();
        let (sb, sa) = (
            store::compute(&b, &p).unwrap(),
            store::compute(&a, &p).unwrap(),
        );
        assert_eq!(sb, sa, "{date}");
        assert!(sa.paused_s > 0.0, "{date}: {sa:?}");
    }
    // The rows still tile time: each starts where the one before ended.
    let all = a.samples(i64::MIN, i64::MAX).unwrap();
    for w in all.windows(2) {
        assert_eq!(w[1].t_ms - w[1].dt_ms, w[0].t_ms, "{w:?}");
    }
    // And the pure sum over them agrees with the one over the one-per-second rows.
    let p = Period::span("all".into(), T0, T0 + 20 * 3_600_000, &utc()).unwrap();
    assert_eq!(summarize(&p, &rows, &[]), summarize(&p, &all, &[]));
}

/// Days of genuine-looking rows: on each of `days` days from `first`, an hour — 40
/// minutes upright, then 20 hunched — one row a second, straight into the file.
fn days_of_rows(path: &Path, first: i64, days: i64) {
    let mut rows = Vec::new();
    for d in 0..days {
        let start = first + d * 86_400_000 + 9 * 3_600_000;
        for k in 1..=3600 {
            rows.push(SampleRow {
                t_ms: start + k * 1000,
                dt_ms: 1000,
                state: if k > 2400 {
                    MonitorState::Hunched
                } else {
                    MonitorState::Upright
                },
                forward_deg: Some(if k > 2400 { 9.0 } else { 1.0 }),
                camera_open_ms: 0,
            });
        }
    }
    write_one_per_second(path, &rows);
}

fn file_size(p: &Path) -> u64 {
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

#[test]
fn the_keeper_prunes_gives_space_back_heals_every_day_and_truncates_the_log() {
    let dir = tempdir("scale-keeper");
    let path = dir.join("journal.sqlite");
    let today: jiff::civil::Date = "2026-11-24".parse().unwrap();
    let day0 = Period::day(today, &utc()).unwrap().start_ms;
    // 120 days ending the day before: the 30 oldest are past a 90-day retention.
    days_of_rows(&path, day0 - 120 * 86_400_000, 120);
    {
        // A stale cache (an older report version) for one kept day, to be healed.
        let c = rusqlite::Connection::open(&path).unwrap();
        c.execute(
            "INSERT INTO day_cache (day, tz, version, summary) VALUES ('2026-10-01', 'UTC', 1, '{}')",
            [],
        )
        .unwrap();
        // As a journal from before incremental auto-vacuum was: the keeper converts it.
        c.execute_batch("PRAGMA auto_vacuum = NONE; VACUUM;")
            .unwrap();
        let mode: i64 = c.query_row("PRAGMA auto_vacuum", [], |r| r.get(0)).unwrap();
        assert_eq!(mode, 0);
    }
    let size_before = file_size(&path);
    // What every kept day sums to in the journal as it was (one row a second, no
    // auto-vacuum): the keeper's conversion and pruning must not change one figure.
    let kept_dates: Vec<jiff::civil::Date> = (1..=89)
        .map(|k| today.checked_sub(jiff::Span::new().days(k)).unwrap())
        .collect();
    let kept_days: Vec<Period> = kept_dates
        .iter()
        .map(|d| Period::day(*d, &utc()).unwrap())
        .collect();
    let golden: Vec<_> = {
        let j = Journal::open_read_only(&path).unwrap();
        kept_days
            .iter()
            .map(|p| store::compute(&j, p).unwrap())
            .collect()
    };
    let keeper = Keeper::start(path.clone());
    keeper.ask(Chore {
        now_ms: day0 + 3_600_000,
        today,
        tz: utc(),
        retention_days: 90,
    });
    // The chores run to their end (the cache first, then retention, space and the log),
    // within a deadline; then every kept day is cached, for this version and zone.
    let t = Instant::now();
    keeper.finish();
    assert!(
        t.elapsed() < Duration::from_secs(60),
        "upkeep took {:?}",
        t.elapsed()
    );
    let reader = || Journal::open_read_only(&path).unwrap();
    for d in &kept_dates {
        assert!(
            reader()
                .cached_day(&d.to_string(), "UTC", REPORT_VERSION)
                .unwrap()
                .is_some(),
            "{d} was not cached"
        );
    }
    let j = reader();
    // Nothing older than 90 days is left.
    let oldest = j.first_sample_ms().unwrap().unwrap();
    assert!(oldest >= day0 + 3_600_000 - 90 * 86_400_000, "{oldest}");
    // The space the 30 deleted days took is given back, and the log is cut back.
    let size_after = file_size(&path);
    let wal = file_size(&hunch::journal::wal::wal_path(&path));
    eprintln!("file {size_before} -> {size_after} bytes, log {wal} bytes");
    assert!(
        (size_after as f64) < 0.85 * size_before as f64,
        "{size_before} -> {size_after}"
    );
    assert!(wal <= hunch::journal::JOURNAL_SIZE_LIMIT as u64, "{wal}");
    let c = rusqlite::Connection::open(&path).unwrap();
    let mode: i64 = c.query_row("PRAGMA auto_vacuum", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, 2, "incremental auto-vacuum");
    // Every kept day sums as before, from the rows and from the healed cache alike.
    for ((p, d), want) in kept_days.iter().zip(&kept_dates).zip(&golden) {
        assert_eq!(&store::compute(&j, p).unwrap(), want, "{}", p.label);
        assert_eq!(&store::day(&j, *d, &utc()).unwrap(), want, "{d} (cached)");
        assert!(want.monitored_s > 3000.0, "{want:?}");
    }
}

#[test]
fn retention_of_a_large_old_journal_never_holds_up_the_monitor() {
    let env = MonitorEnv::new("scale-retention");
    // A journal with half a million rows older than any retention, and one without.
    let big = env.home.join("big.sqlite");
    let small = env.home.join("small.sqlite");
    let now = jiff::Timestamp::now().as_millisecond();
    days_of_rows(&big, now - 400 * 86_400_000, 140);
    drop(Journal::open(&small).unwrap());
    std::fs::create_dir_all(env.home.join("config/hunch")).unwrap();
    std::fs::write(
        env.home.join("config/hunch/config.toml"),
        "[journal]\nretention_days = 30\n",
    )
    .unwrap();
    // How long until the monitor answers a command, from its start.
    let answer_after = |journal: &Path| {
        let t = Instant::now();
        let mut child = env
            .cmd(&["run", "--source", env.home.join("rec").to_str().unwrap()])
            .arg("--journal")
            .arg(journal)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let took = loop {
            if hunch_in(&env.home)
                .arg("status")
                .output()
                .unwrap()
                .status
                .success()
            {
                break t.elapsed();
            }
            assert!(t.elapsed() < Duration::from_secs(30), "no answer");
            std::thread::sleep(Duration::from_millis(20));
        };
        common::signal(&child, "TERM");
        child.wait().unwrap();
        took
    };
    let quick = answer_after(&small);
    let with_retention = answer_after(&big);
    eprintln!("status answered after {quick:?} (fresh journal), {with_retention:?} (504,000 rows to delete)");
    assert!(
        with_retention < quick + Duration::from_millis(300),
        "{with_retention:?} against {quick:?}"
    );
    // And the deletion did happen, beside the monitor (it may not have finished when the
    // monitor was stopped; a later start goes on with it).
    let left: i64 = rusqlite::Connection::open(&big)
        .unwrap()
        .query_row("SELECT count(*) FROM samples", [], |r| r.get(0))
        .unwrap();
    assert!(left < 504_000, "{left}");
}

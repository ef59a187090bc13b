//! `hunch report` on journals with known content, in a fixed zone (Europe/Berlin): every
//! figure of the JSON checked exactly, across midnight, both DST changes, gaps and pauses;
//! and on a journal written by the monitor itself (`hunch demo`).

use std::path::Path;
use std::process::{Command, Output};

use hunch::journal::Journal;
use hunch::vocab::EventKind;
use hunch::vocab::MonitorState::{self, *};
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

mod common;

use common::tempdir as tmp;

fn berlin() -> TimeZone {
    TimeZone::get("Europe/Berlin").expect("tzdata (Europe/Berlin)")
}

/// Unix ms of a Berlin wall-clock time (earlier instant when ambiguous).
fn at(s: &str) -> i64 {
    let dt: DateTime = s.parse().unwrap();
    dt.to_zoned(berlin()).unwrap().timestamp().as_millisecond()
}

/// One sample a second for `secs` seconds from `start_ms`, each standing for the second
/// before it.
fn run(j: &mut Journal, start_ms: i64, secs: i64, state: MonitorState, angle: Option<f32>) {
    for k in 1..=secs {
        j.sample(start_ms + k * 1000, 1000, state, angle, 0.9)
            .unwrap();
    }
    j.flush().unwrap();
}

fn report(journal: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hunch"))
        .arg("report")
        .args(args)
        .arg("--journal")
        .arg(journal)
        .env("TZ", "Europe/Berlin")
        .env("XDG_CONFIG_HOME", journal.parent().unwrap().join("config"))
        .output()
        .unwrap()
}

fn json(journal: &Path, args: &[&str]) -> serde_json::Value {
    let mut a = vec!["--json"];
    a.extend_from_slice(args);
    let o = report(journal, &a);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn f(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn an_ordinary_day_with_a_gap_away_and_pause() {
    let dir = tmp("day");
    let path = dir.join("j.sqlite");
    let (mut j, _) = Journal::open(&path).unwrap();
    run(&mut j, at("2026-11-24T09:00"), 3600, Upright, Some(0.0));
    run(&mut j, at("2026-11-24T10:00"), 1200, Hunched, Some(10.0));
    run(&mut j, at("2026-11-24T10:20"), 600, Upright, Some(0.0));
    // 10:30–13:00: hunch was not running.
    run(&mut j, at("2026-11-24T13:00"), 300, Hunching, Some(8.0));
    run(&mut j, at("2026-11-24T13:05"), 300, Away, None);
    run(&mut j, at("2026-11-24T13:10"), 600, Paused, None);
    j.event(at("2026-11-24T10:05"), EventKind::Alert, "chin_tuck")
        .unwrap();
    j.event(at("2026-11-24T10:06"), EventKind::Done, "chin_tuck")
        .unwrap();
    j.event(at("2026-11-24T10:10"), EventKind::Snooze, "1800 s")
        .unwrap();
    j.event(at("2026-11-24T13:10"), EventKind::Pause, "for today")
        .unwrap();
    drop(j);

    let v = json(&path, &["--date", "2026-11-24"]);
    let d = &v["days"][0];
    assert_eq!(d["date"], "2026-11-24");
    assert_eq!(f(&d["day_hours"]), 24.0);
    assert_eq!(f(&d["monitored_s"]), 5700.0);
    assert_eq!(f(&d["upright_s"]), 4200.0);
    assert_eq!(f(&d["hunched_s"]), 1500.0);
    assert_eq!(f(&d["hunched_share"]), 1500.0 / 5700.0);
    assert_eq!(f(&d["away_s"]), 300.0);
    assert_eq!(f(&d["paused_s"]), 600.0);
    assert_eq!(d["episodes"], 2);
    assert_eq!(f(&d["longest_hunch_s"]), 1200.0);
    assert_eq!(
        (d["alerts"].as_u64(), d["stretches_done"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        (d["snoozes"].as_u64(), d["pauses"].as_u64()),
        (Some(1), Some(1))
    );
    let mean = (1200.0 * 10.0 + 300.0 * 8.0) / 5700.0;
    assert!((f(&d["mean_forward_deg"]) - mean).abs() < 1e-9);
    assert_eq!(f(&d["p90_forward_deg"]), 10.0);
    assert_eq!(d["worst_hour"], 10);
    assert_eq!(f(&d["hours"][9]["monitored_s"]), 3600.0);
    assert_eq!(f(&d["hours"][10]["monitored_s"]), 1800.0);
    assert_eq!(f(&d["hours"][10]["hunched_s"]), 1200.0);
    assert_eq!(f(&d["hours"][13]["monitored_s"]), 300.0);
    assert_eq!(f(&d["hours"][11]["monitored_s"]), 0.0);
    // The range totals equal the day.
    assert_eq!(f(&v["monitored_s"]), 5700.0);

    // The table and CSV say the same.
    let t = String::from_utf8(report(&path, &["--date", "2026-11-24"]).stdout).unwrap();
    assert!(t.contains("hunched        25 min 00 s (26%)"), "{t}");
    assert!(t.contains("worst hour     10:00–11:00"), "{t}");
    let csv = String::from_utf8(report(&path, &["--csv", "--date", "2026-11-24"]).stdout).unwrap();
    assert!(
        csv.lines().nth(1).unwrap().starts_with(
            "2026-11-24,5700.000,4200.000,1500.000,0.2632,300.000,600.000,2,1200.000,1,1,1,1,"
        ),
        "{csv}"
    );
}

#[test]
fn a_sitting_across_midnight_is_split_exactly() {
    let dir = tmp("midnight");
    let path = dir.join("j.sqlite");
    let (mut j, _) = Journal::open(&path).unwrap();
    // 23:50:00.5 → 00:10:00.5: one sample straddles midnight by half a second each way.
    run(
        &mut j,
        at("2026-11-24T23:50:00.5"),
        1200,
        Hunched,
        Some(9.0),
    );
    drop(j);
    let v = json(&path, &["--days", "2", "--to", "2026-11-25"]);
    let (a, b) = (&v["days"][0], &v["days"][1]);
    assert_eq!(f(&a["hunched_s"]), 599.5);
    assert_eq!(f(&b["hunched_s"]), 600.5);
    assert_eq!(f(&a["hours"][23]["hunched_s"]), 599.5);
    assert_eq!(f(&b["hours"][0]["hunched_s"]), 600.5);
    assert_eq!(
        (a["episodes"].as_u64(), b["episodes"].as_u64()),
        (Some(1), Some(1))
    );
    assert_eq!(f(&v["hunched_s"]), 1200.0);
}

#[test]
fn daylight_saving_days_have_23_and_25_hours() {
    let dir = tmp("dst");
    let path = dir.join("j.sqlite");
    let (mut j, _) = Journal::open(&path).unwrap();
    // Spring forward: 01:30 CET + 1 h of real time = 03:30 CEST.
    run(&mut j, at("2026-03-29T01:30"), 3600, Upright, Some(1.0));
    // Fall back: 01:30 CEST + 3 h of real time = 03:30 CET; 02:00–03:00 happens twice.
    run(&mut j, at("2026-10-25T01:30"), 3 * 3600, Upright, Some(1.0));
    drop(j);

    let spring = json(&path, &["--date", "2026-03-29"]);
    let d = &spring["days"][0];
    assert_eq!(f(&d["day_hours"]), 23.0);
    assert_eq!(f(&d["monitored_s"]), 3600.0);
    assert_eq!(f(&d["hours"][1]["monitored_s"]), 1800.0);
    assert_eq!(f(&d["hours"][2]["monitored_s"]), 0.0); // 02:00–03:00 does not exist
    assert_eq!(f(&d["hours"][3]["monitored_s"]), 1800.0);

    let autumn = json(&path, &["--date", "2026-10-25"]);
    let d = &autumn["days"][0];
    assert_eq!(f(&d["day_hours"]), 25.0);
    assert_eq!(f(&d["monitored_s"]), 10800.0);
    assert_eq!(f(&d["hours"][1]["monitored_s"]), 1800.0);
    assert_eq!(f(&d["hours"][2]["monitored_s"]), 7200.0); // both 02:00 hours
    assert_eq!(f(&d["hours"][3]["monitored_s"]), 1800.0);
    // Nothing leaked into the neighbouring days.
    let around = json(&path, &["--days", "3", "--to", "2026-10-26"]);
    assert_eq!(f(&around["days"][0]["monitored_s"]), 0.0);
    assert_eq!(f(&around["days"][2]["monitored_s"]), 0.0);
}

#[test]
fn ranges_have_a_trend_and_a_streak_under_the_goal() {
    let dir = tmp("range");
    let path = dir.join("j.sqlite");
    let (mut j, _) = Journal::open(&path).unwrap();
    // Hunched shares per day: 11-17 50%, 18 10%, 19 —, 20 30%, 21 10%, 22 none, 23 5%.
    let day = |j: &mut Journal, d: &str, hunched: i64| {
        run(
            j,
            at(&format!("{d}T10:00")),
            1000 - hunched,
            Upright,
            Some(0.0),
        );
        run(j, at(&format!("{d}T11:00")), hunched, Hunched, Some(9.0));
    };
    day(&mut j, "2026-11-17", 500);
    day(&mut j, "2026-11-18", 100);
    day(&mut j, "2026-11-20", 300);
    day(&mut j, "2026-11-21", 100);
    day(&mut j, "2026-11-23", 50);
    drop(j);
    let v = json(&path, &["--days", "3", "--to", "2026-11-23"]);
    assert_eq!(v["from"], "2026-11-21");
    assert_eq!(v["days"].as_array().unwrap().len(), 3);
    // Under the 20% goal: 23rd and 21st (the 22nd had no monitoring and is skipped).
    assert_eq!(v["streak_days"], 2);
    assert_eq!(f(&v["hunched_share"]), 150.0 / 2000.0);
    // Previous 3 days (18–20): 400 of 2000.
    assert_eq!(f(&v["previous_hunched_share"]), 0.2);
    assert!((f(&v["trend_points"]) - (7.5 - 20.0)).abs() < 1e-9);
    let week = json(&path, &["--week", "--to", "2026-11-23"]);
    assert_eq!(week["from"], "2026-11-17");
    assert_eq!(week["streak_days"], 2);
    let t = String::from_utf8(report(&path, &["--week", "--to", "2026-11-23"]).stdout).unwrap();
    assert!(
        t.contains("streak: 2 day(s) under your goal of 20% hunched"),
        "{t}"
    );
}

#[test]
fn bad_input_gets_a_clear_message() {
    let dir = tmp("bad");
    let missing = dir.join("none.sqlite");
    let o = report(&missing, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no journal yet"));

    let path = dir.join("j.sqlite");
    drop(Journal::open(&path).unwrap());
    let o = report(&path, &["--date", "2026-02-30"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("`2026-02-30` is not a date; use YYYY-MM-DD")
    );
    let o = report(&path, &["--date", "2026-11-24"]);
    assert!(o.status.success());
    assert!(String::from_utf8_lossy(&o.stdout).contains("No monitoring recorded on 2026-11-24."));
    let o = report(&path, &["--days", "0"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn the_monitor_s_own_journal_reports_what_the_demo_printed() {
    let dir = tmp("demo");
    let path = dir.join("demo.sqlite");
    let o = Command::new(env!("CARGO_BIN_EXE_hunch"))
        .args(["demo", "--journal"])
        .arg(&path)
        .env("TZ", "Europe/Berlin")
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let printed = String::from_utf8_lossy(&o.stdout);
    assert!(printed.contains("alerts         1"), "{printed}");
    let tomorrow = jiff::Zoned::now()
        .with_time_zone(berlin())
        .date()
        .tomorrow()
        .unwrap()
        .to_string();
    let v = json(&path, &["--days", "2", "--to", &tomorrow]);
    // 300 samples at 1 s, the first standing for nothing (no previous sample).
    assert_eq!(f(&v["monitored_s"]), 299.0);
    assert_eq!(v["alerts"], 1);
    let hunched = f(&v["hunched_s"]);
    assert!(
        printed.contains(&format!(
            "hunched        {}",
            hunch::support::human::duration(hunched)
        )),
        "{printed} vs {hunched}"
    );
}

#[test]
fn finished_days_are_cached_and_the_cache_matches_a_fresh_computation() {
    use hunch::report::{store, Period};
    let dir = tmp("cache");
    let path = dir.join("j.sqlite");
    let (mut j, _) = Journal::open(&path).unwrap();
    run(&mut j, at("2026-11-20T09:00"), 900, Hunched, Some(7.0));
    run(&mut j, at("2026-11-20T09:15"), 900, Upright, Some(0.5));
    let date: jiff::civil::Date = "2026-11-20".parse().unwrap();
    let tz = berlin();
    let fresh = store::compute(&j, &Period::day(date, &tz).unwrap()).unwrap();
    let cached = |j: &Journal| {
        j.cached_day("2026-11-20", "Europe/Berlin", store::REPORT_VERSION)
            .unwrap()
            .is_some()
    };
    // While the day may still receive samples it is not cached...
    assert!(
        !hunch::report::store::cache_finished_day(&mut j, date, &tz, at("2026-11-20T23:59"))
            .unwrap()
    );
    assert!(!cached(&j));
    assert_eq!(store::day(&j, date, &tz).unwrap(), fresh);
    // ...once it is over, the summary is cached and read back identical.
    let later = at("2026-11-22T00:00");
    assert!(hunch::report::store::cache_finished_day(&mut j, date, &tz, later).unwrap());
    assert!(cached(&j));
    assert!(!hunch::report::store::cache_finished_day(&mut j, date, &tz, later).unwrap());
    assert_eq!(store::day(&j, date, &tz).unwrap(), fresh);
    assert_eq!(fresh.hunched_s, 900.0);
    // Days without samples are never cached.
    let empty: jiff::civil::Date = "2026-11-19".parse().unwrap();
    assert!(!hunch::report::store::cache_finished_day(&mut j, empty, &tz, later).unwrap());
    assert!(j
        .cached_day("2026-11-19", "Europe/Berlin", store::REPORT_VERSION)
        .unwrap()
        .is_none());
}

//! The headache diary end to end, on journals with exact contents: `hunch headache` round
//! trips (edits, time zones, DST days), refuses bad input and writes nothing; `hunch
//! export --diary` includes it; `hunch report --headaches` gives the planted figures,
//! refuses below the minimum with the count it needs, and draws its section in the HTML
//! report (rendered in headless Chromium).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{hunch_in, tempdir};
use hunch::diary::Headache;
use hunch::journal::Journal;
use hunch::vocab::MonitorState;
use jiff::civil::Date;
use jiff::tz::TimeZone;

const TZ: &str = "Europe/Berlin";

fn tz() -> TimeZone {
    TimeZone::get(TZ).expect("tzdata")
}

fn hunch(home: &Path, journal: &Path, args: &[&str]) -> Output {
    hunch_in(home)
        .args(args)
        .arg("--journal")
        .arg(journal)
        .env("TZ", TZ)
        .output()
        .unwrap()
}

/// `hunch report --headaches --json`, parsed.
fn headaches_json(home: &Path, journal: &Path) -> serde_json::Value {
    serde_json::from_str(&ok(hunch(
        home,
        journal,
        &["report", "--headaches", "--json"],
    )))
    .unwrap()
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn list(home: &Path, journal: &Path) -> Vec<serde_json::Value> {
    ok(hunch(
        home,
        journal,
        &["headache", "list", "--days", "400", "--jsonl"],
    ))
    .lines()
    .map(|l| serde_json::from_str(l).unwrap())
    .collect()
}

#[test]
fn the_diary_round_trips_through_log_list_edit_remove_and_export() {
    let home = tempdir("diary-rt");
    let journal = home.join("journal.sqlite");
    let out = ok(hunch(
        &home,
        &journal,
        &[
            "headache",
            "--at",
            "2026-11-20 14:00",
            "--intensity",
            "6",
            "--kind",
            "migraine",
            "--duration",
            "2h",
            "--medication",
            "ibuprofen 400 mg",
            "--note",
            "after a long call",
        ],
    ));
    assert!(
        out.starts_with("logged #1: 2026-11-20 14:00 intensity 6/10, migraine"),
        "{out}"
    );
    // Spring forward: 02:30 does not exist in Berlin on 2026-03-29; it is read as 03:30.
    ok(hunch(
        &home,
        &journal,
        &["headache", "--at", "2026-03-29 02:30", "--intensity", "3"],
    ));
    // Fall back: 02:30 happens twice on 2026-10-25; the first (summer time) is meant.
    ok(hunch(
        &home,
        &journal,
        &["headache", "--at", "2026-10-25 02:30", "--kind", "tension"],
    ));
    let entries = list(&home, &journal);
    assert_eq!(entries.len(), 3);
    let by_id = |id: i64| entries.iter().find(|e| e["id"] == id).unwrap().clone();
    let first = by_id(1);
    assert_eq!(first["intensity"], 6);
    assert_eq!(first["duration_s"], 7200);
    assert_eq!(first["medication"], "ibuprofen 400 mg");
    let at = |s: &str| {
        s.parse::<jiff::Zoned>()
            .unwrap()
            .timestamp()
            .as_millisecond()
    };
    assert_eq!(first["at_ms"], at("2026-11-20T14:00+01:00[Europe/Berlin]"));
    assert_eq!(
        by_id(2)["at_ms"],
        at("2026-03-29T03:30+02:00[Europe/Berlin]")
    );
    assert_eq!(
        by_id(3)["at_ms"],
        at("2026-10-25T02:30+02:00[Europe/Berlin]")
    );
    // The default intensity when none is given.
    assert_eq!(by_id(3)["intensity"], 5);

    // Edit: only what is given changes.
    ok(hunch(
        &home,
        &journal,
        &[
            "headache",
            "edit",
            "1",
            "--intensity",
            "8",
            "--kind",
            "tension",
        ],
    ));
    let e = list(&home, &journal)
        .into_iter()
        .find(|e| e["id"] == 1)
        .unwrap();
    assert_eq!(
        (e["intensity"].as_u64(), e["kind"].as_str()),
        (Some(8), Some("tension"))
    );
    assert_eq!(e["medication"], "ibuprofen 400 mg");
    assert_eq!(e["at_ms"], first["at_ms"]);

    // The same instant read in another zone.
    let ny = Command::new(env!("CARGO_BIN_EXE_hunch"))
        .args(["headache", "list", "--days", "400", "--journal"])
        .arg(&journal)
        .env("TZ", "America/New_York")
        .env("XDG_CONFIG_HOME", home.join("config"))
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&ny.stdout).contains("2026-11-20 08:00"));

    // Export carries the diary, CSV and JSON.
    let csv = ok(hunch(
        &home,
        &journal,
        &[
            "export",
            "--headaches",
            "--from",
            "2026-01-01",
            "--to",
            "2026-12-31",
        ],
    ));
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert!(csv
        .lines()
        .next()
        .unwrap()
        .starts_with("id,at_ms,at,intensity,duration_s,kind,medication,note"));
    assert!(csv.contains("after a long call"), "{csv}");
    let json = ok(hunch(
        &home,
        &journal,
        &["export", "--headaches", "--jsonl", "--date", "2026-11-20"],
    ));
    assert_eq!(json.lines().count(), 1, "{json}");

    ok(hunch(&home, &journal, &["headache", "remove", "2"]));
    assert_eq!(list(&home, &journal).len(), 2);
    let o = hunch(&home, &journal, &["headache", "remove", "2"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("no entry #2"));

    // The file is the user's alone.
    use std::os::unix::fs::MetadataExt;
    assert_eq!(std::fs::metadata(&journal).unwrap().mode() & 0o077, 0);
}

#[test]
fn bad_entries_are_refused_with_a_reason_and_nothing_is_written() {
    let home = tempdir("diary-bad");
    let journal = home.join("journal.sqlite");
    ok(hunch(
        &home,
        &journal,
        &["headache", "--at", "2026-11-01 09:00"],
    ));
    for (args, says) in [
        (vec!["--intensity", "11"], "intensity"),
        (vec!["--at", "2030-01-01 10:00"], "future"),
        (vec!["--kind", "cluster"], "cluster"),
        (vec!["--duration", "0"], "duration"),
        (
            vec!["--at", "the day before yesterday"],
            "the day before yesterday",
        ),
    ] {
        let mut a = vec!["headache"];
        a.extend(args.iter());
        let o = hunch(&home, &journal, &a);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        let o = hunch(
            &home,
            &journal,
            &["headache", "edit", "1"]
                .into_iter()
                .chain(args.iter().copied())
                .collect::<Vec<_>>(),
        );
        assert_eq!(o.status.code(), Some(2), "edit {args:?}");
    }
    // An entry that does not exist can be neither edited nor removed.
    for args in [
        &["headache", "edit", "42", "--intensity", "3"][..],
        &["headache", "remove", "42"],
    ] {
        let o = hunch(&home, &journal, args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("no entry #42"), "{args:?}: {err}");
    }
    let entries = list(&home, &journal);
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0]["intensity"], 5);
    // `hunch headache --help` tells when a diary is not enough.
    let help = ok(hunch(&home, &journal, &["headache", "--help"]));
    assert!(
        help.contains("When to see a clinician") && help.contains("not a medical device"),
        "{help}"
    );
}

/// Days from `today − n` to yesterday, each with `monitored` seconds of samples of which
/// the share `share(i)` hunched; headaches on the days `headache(i)` says.
fn planted(
    journal: &Path,
    n: i64,
    monitored: i64,
    share: impl Fn(i64) -> f64,
    headache: impl Fn(i64) -> Option<u8>,
) -> Date {
    let (mut j, _) = Journal::open(journal).unwrap();
    let today = jiff::Zoned::now().with_time_zone(tz()).date();
    let first = today.checked_sub(jiff::Span::new().days(n)).unwrap();
    for i in 0..n {
        let date = first.checked_add(jiff::Span::new().days(i)).unwrap();
        let start = date
            .at(9, 0, 0, 0)
            .to_zoned(tz())
            .unwrap()
            .timestamp()
            .as_millisecond();
        let hunched = (share(i) * monitored as f64).round() as i64;
        for k in 1..=monitored {
            let state = if k <= hunched {
                MonitorState::Hunched
            } else {
                MonitorState::Upright
            };
            j.sample(start + k * 1000, 1000, state, Some(5.0), 0.9)
                .unwrap();
        }
        if let Some(intensity) = headache(i) {
            let at = date.at(16, 0, 0, 0).to_zoned(tz()).unwrap().timestamp();
            j.add_headache(
                &Headache::new(at, intensity),
                at.as_millisecond(),
                &first.to_string(),
            )
            .unwrap();
        }
    }
    j.flush().unwrap();
    first
}

fn close(a: &serde_json::Value, b: f64) -> bool {
    (a.as_f64().unwrap() - b).abs() < 1e-9
}

#[test]
fn headache_days_that_follow_hunched_days_show_in_the_comparison() {
    let home = tempdir("diary-planted");
    let journal = home.join("journal.sqlite");
    // 28 days of 1 h 40 min: a headache every 4th day (intensity 4–7). The day before each
    // is 50% hunched, the headache day 30%, the rest 10%.
    let first = planted(
        &journal,
        28,
        6000,
        |i| match i % 4 {
            2 => 0.5,
            3 => 0.3,
            _ => 0.1,
        },
        |i| (i % 4 == 3).then_some(4 + (i / 4 % 4) as u8),
    );
    let o = ok(hunch(&home, &journal, &["report", "--headaches", "--json"]));
    let v: serde_json::Value = serde_json::from_str(&o).unwrap();
    assert_eq!(v["from"], first.to_string());
    assert_eq!(v["eligible_days"], 28);
    let r = &v["result"];
    assert_eq!(r["enough"], true, "{v}");
    assert_eq!(r["headache_days"]["days"], 7);
    assert_eq!(r["days_before"]["days"], 7);
    assert!(close(&r["headache_days"]["mean_hunched_share"], 0.3), "{r}");
    assert!(close(&r["days_before"]["mean_hunched_share"], 0.5), "{r}");
    assert!(
        close(&r["headache_free_days"]["mean_hunched_share"], 0.1),
        "{r}"
    );
    assert!(
        close(&r["before_vs_free"]["difference_points"], 40.0),
        "{r}"
    );
    assert!(
        r["before_vs_free"]["p_value"].as_f64().unwrap() < 0.01,
        "{r}"
    );
    assert!(
        r["headache_vs_free"]["p_value"].as_f64().unwrap() < 0.01,
        "{r}"
    );
    // Seeded: the same journal gives the same report.
    let again = ok(hunch(&home, &journal, &["report", "--headaches", "--json"]));
    assert_eq!(o, again);
    // The terminal text says what it cannot tell.
    let text = ok(hunch(&home, &journal, &["report", "--headaches"]));
    assert!(
        text.contains("association, not a cause") && text.contains("one person"),
        "{text}"
    );
    assert!(text.contains("+40.0 points"), "{text}");
}

#[test]
fn without_a_link_the_comparison_finds_nothing() {
    let home = tempdir("diary-null");
    let journal = home.join("journal.sqlite");
    // Shares cycle independently of the headaches (every 5th day).
    planted(
        &journal,
        30,
        4000,
        |i| [0.1, 0.3, 0.2, 0.4, 0.25, 0.15][i as usize % 6],
        |i| (i % 5 == 1).then_some(5),
    );
    let v = headaches_json(&home, &journal);
    let r = &v["result"];
    assert_eq!(r["enough"], true, "{v}");
    assert!(
        r["headache_vs_free"]["p_value"].as_f64().unwrap() > 0.05,
        "{r}"
    );
    assert!(
        r["before_vs_free"]["p_value"].as_f64().unwrap() > 0.05,
        "{r}"
    );
}

#[test]
fn below_the_minimum_it_says_how_many_more_days_it_needs() {
    let home = tempdir("diary-few");
    let journal = home.join("journal.sqlite");
    planted(
        &journal,
        10,
        4000,
        |_| 0.2,
        |i| (i == 3 || i == 7).then_some(6),
    );
    let v = headaches_json(&home, &journal);
    let r = &v["result"];
    assert_eq!(r["enough"], false);
    assert_eq!(r["eligible_days"], 10);
    assert_eq!(r["more_days_needed"], 4);
    assert_eq!(r["headache_days"], 2);
    assert_eq!(r["more_headache_days_needed"], 1);
    let text = ok(hunch(&home, &journal, &["report", "--headaches"]));
    assert!(
        text.contains("not enough yet") && text.contains("4 more") && text.contains("1 more"),
        "{text}"
    );
    assert!(text.contains("association, not a cause"), "{text}");
    // No diary at all: it says how to start one.
    let empty = home.join("empty.sqlite");
    drop(Journal::open(&empty).unwrap());
    let o = hunch(&home, &empty, &["report", "--headaches"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("hunch headache"));
}

#[test]
fn the_headache_section_renders_in_chromium() {
    let home = tempdir("diary-html");
    let journal = home.join("journal.sqlite");
    planted(
        &journal,
        28,
        6000,
        |i| match i % 4 {
            2 => 0.5,
            3 => 0.3,
            _ => 0.1,
        },
        |i| (i % 4 == 3).then_some(3 + (i / 4 % 4) as u8 * 2),
    );
    let html = home.join("diary.html");
    ok(hunch(
        &home,
        &journal,
        &["report", "--headaches", "--html", html.to_str().unwrap()],
    ));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Headaches and posture") && page.contains("not a medical device"));
    use std::os::unix::fs::MetadataExt;
    assert_eq!(std::fs::metadata(&html).unwrap().mode() & 0o777, 0o600);
    let png = home.join("diary.png");
    let shot = Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
        ])
        .arg(format!("--screenshot={}", png.display()))
        .arg("--window-size=1060,1400")
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium (installed by scripts/setup)");
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let img = image::open(&png).unwrap().to_rgb8();
    assert!(img.width() >= 1000);
    if std::env::var_os("HUNCH_UPDATE_DOCS").is_some() {
        let docs: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report-headaches.png");
        std::fs::copy(&png, docs).unwrap();
    }
}

//! A new user's first hour, as processes: `hunch demo`, then the same recording monitored
//! with `hunch run --source` (as fast as possible, and paced at ten times its speed) and
//! summed by `hunch report`. All three must tell the same story: the same hunched time
//! (within 2 s) and the same number of hunch episodes.

mod common;

use std::path::Path;

use common::{fixture, hunch_in, tempdir};

/// "4 min 00 s" → 240.
fn seconds(text: &str) -> f64 {
    let words: Vec<&str> = text.split_whitespace().collect();
    words
        .chunks(2)
        .map(|w| {
            let n: f64 = w[0].parse().unwrap_or_else(|_| panic!("{text}"));
            match w.get(1) {
                Some(&"h") => n * 3600.0,
                Some(&"min") => n * 60.0,
                Some(&"s") => n,
                _ => panic!("{text}"),
            }
        })
        .sum()
}

/// The value of a `  key   value` line of the demo's summary.
fn line<'a>(out: &'a str, key: &str) -> &'a str {
    out.lines()
        .find_map(|l| l.trim_start().strip_prefix(key))
        .unwrap_or_else(|| panic!("no `{key}` in\n{out}"))
        .trim()
}

/// (hunched seconds, episodes) over yesterday to tomorrow, from `hunch report --json`.
fn report(home: &Path, journal: &Path) -> (f64, u64) {
    let tomorrow = jiff::Zoned::now().date().tomorrow().unwrap().to_string();
    let o = hunch_in(home)
        .args([
            "report",
            "--json",
            "--days",
            "3",
            "--to",
            &tomorrow,
            "--journal",
        ])
        .arg(journal)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let episodes = v["days"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["episodes"].as_u64().unwrap())
        .sum();
    (v["hunched_s"].as_f64().unwrap(), episodes)
}

#[test]
fn demo_fast_replay_and_paced_replay_report_the_same_hunching() {
    let home = tempdir("consistency");
    let o = hunch_in(&home).arg("demo").output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let demo_hunched = seconds(line(&out, "hunched").split('(').next().unwrap());
    let demo_episodes: u64 = line(&out, "episodes")
        .split(',')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(demo_episodes, 1, "{out}");
    assert!(demo_hunched > 200.0, "{out}");

    // Calibrate on the demo's upright start, as the demo does.
    let demo = fixture("demo");
    let cal = home.join("cal");
    std::fs::create_dir_all(&cal).unwrap();
    let mut m = String::from("path,label,time_ms\n");
    for i in 0..10 {
        m += &format!(
            "{},upright,{}\n",
            demo.join("upright-0.jpg").display(),
            i * 1000
        );
    }
    std::fs::write(cal.join("manifest.csv"), m).unwrap();
    let o = hunch_in(&home)
        .args(["calibrate", "--seconds", "10", "--source"])
        .arg(&cal)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));

    for (name, pace) in [("fast", "--fast"), ("paced", "--speed=10")] {
        let journal = home.join(format!("{name}.sqlite"));
        let o = hunch_in(&home)
            .args(["run", pace, "--source"])
            .arg(&demo)
            .arg("--journal")
            .arg(&journal)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let (hunched, episodes) = report(&home, &journal);
        eprintln!(
            "demo: {demo_hunched} s in {demo_episodes}; run {pace}: {hunched} s in {episodes}"
        );
        assert!(
            (hunched - demo_hunched).abs() <= 2.0,
            "{pace}: {hunched} s vs the demo's {demo_hunched} s"
        );
        assert_eq!(episodes, demo_episodes, "{pace}");
    }
}

//! The HTML and SVG reports open in a real browser (headless Chromium, installed by
//! scripts/setup): the page loads, its charts are in the rendered DOM, and a screenshot
//! is drawn. With HUNCH_UPDATE_DOCS=1 the screenshot of this realistic day is written to
//! docs/report-day.png (linked from the README).

use std::path::{Path, PathBuf};
use std::process::Command;

use hunch::journal::Journal;
use hunch::vocab::MonitorState::{self, *};

fn at(s: &str) -> i64 {
    let dt: jiff::civil::DateTime = s.parse().unwrap();
    dt.to_zoned(jiff::tz::TimeZone::get("Europe/Berlin").unwrap())
        .unwrap()
        .timestamp()
        .as_millisecond()
}

/// A working day: mornings and afternoons at the desk, a coffee break away, lunch with
/// hunch off (a gap), a pause, hunches of a few to 35 minutes with alerts and stretches.
fn realistic_day(path: &Path) {
    let (mut j, _) = Journal::open(path).unwrap();
    let mut seed = 7u64;
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % 1000) as f32 / 250.0 - 2.0
    };
    let mut run = |j: &mut Journal, from: &str, minutes: i64, state: MonitorState| {
        let start = at(&format!("2026-11-24T{from}"));
        for k in 1..=minutes * 60 {
            let angle = match state {
                Upright => Some(1.0 + noise()),
                Hunching | Hunched => Some(9.0 + noise()),
                _ => None,
            };
            j.sample(start + k * 1000, 1000, state, angle, 0.9).unwrap();
        }
    };
    for (from, minutes, state) in [
        ("08:45", 55, Upright),
        ("09:40", 2, Hunching),
        ("09:42", 10, Hunched),
        ("09:52", 38, Upright),
        ("10:30", 15, Away),
        ("10:45", 40, Upright),
        ("11:25", 1, Hunching),
        ("11:26", 6, Hunched),
        ("11:32", 18, Upright),
        ("11:50", 1, Hunching),
        ("11:51", 19, Hunched),
        ("12:10", 20, Upright),
        // 12:30–13:30: lunch, hunch not running.
        ("13:30", 25, Upright),
        ("13:55", 1, Hunching),
        ("13:56", 34, Hunched),
        ("14:30", 30, Upright),
        ("15:00", 10, Paused),
        ("15:10", 70, Upright),
        ("16:20", 1, Hunching),
        ("16:21", 8, Hunched),
        ("16:29", 61, Upright),
    ] {
        run(&mut j, from, minutes, state);
    }
    for (t, kind) in [
        ("09:45", "alert"),
        ("11:54", "alert"),
        ("11:56", "done"),
        ("13:59", "alert"),
        ("14:14", "alert"),
        ("14:15", "snooze"),
        ("15:00", "pause"),
        ("16:24", "alert"),
        ("16:26", "done"),
    ] {
        j.event(
            at(&format!("2026-11-24T{t}")),
            kind.parse().expect("an event kind"),
            "",
        )
        .unwrap();
    }
    j.flush().unwrap();
}

fn chromium(args: &[&str]) -> std::process::Output {
    Command::new("chromium")
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
        ])
        .args(args)
        .output()
        .expect("chromium (installed by scripts/setup)")
}

#[test]
fn the_html_report_renders_in_chromium() {
    let dir = std::env::temp_dir().join(format!("hunch-html-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let journal = dir.join("j.sqlite");
    realistic_day(&journal);
    let html = dir.join("day.html");
    let svg = dir.join("day.svg");
    let o = Command::new(env!("CARGO_BIN_EXE_hunch"))
        .args(["report", "--date", "2026-11-24", "--html"])
        .arg(&html)
        .arg("--svg")
        .arg(&svg)
        .arg("--journal")
        .arg(&journal)
        .env("TZ", "Europe/Berlin")
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    // Self-contained: the only URL is the SVG namespace, and nothing is loaded.
    assert_eq!(
        page.matches("http").count(),
        page.matches("http://www.w3.org/2000/svg").count(),
        "no links or network assets"
    );
    assert!(
        !page.contains("<script") && !page.contains("src=\"http"),
        "self-contained, no network assets"
    );

    let url = format!("file://{}", html.display());
    let dom = chromium(&["--dump-dom", &url]);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom.contains("<svg") && dom.contains("hunch — 2026-11-24"),
        "{dom}"
    );
    assert!(dom.matches("<rect").count() > 20, "timeline bands rendered");
    assert!(
        dom.contains("▼") && dom.contains("●"),
        "alerts and stretches marked"
    );

    let png = dir.join("day.png");
    let shot = chromium(&[
        &format!("--screenshot={}", png.display()),
        "--window-size=1060,560",
        &url,
    ]);
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    let img = image::open(&png).unwrap().to_rgb8();
    // The chart's colours are on the page: green (upright) and red (hunched) pixels.
    let green = img.pixels().filter(|p| p.0 == [0x4c, 0xaf, 0x50]).count();
    let red = img.pixels().filter(|p| p.0 == [0xe5, 0x39, 0x35]).count();
    assert!(green > 1000 && red > 100, "green {green}, red {red}");

    // The SVG alone renders too.
    let shot = chromium(&[
        &format!("--screenshot={}", dir.join("svg.png").display()),
        "--window-size=980,170",
        &format!("file://{}", svg.display()),
    ]);
    assert!(shot.status.success());

    if std::env::var_os("HUNCH_UPDATE_DOCS").is_some() {
        let docs: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report-day.png");
        std::fs::copy(&png, docs).unwrap();
    }
}

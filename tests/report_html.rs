//! The HTML and SVG reports open in a real browser (headless Chromium, installed by
//! scripts/setup): the pages load, they show everything the terminal report says, their
//! charts are in the rendered DOM with no label overlapping another, and screenshots are
//! drawn. With HUNCH_UPDATE_DOCS=1 the screenshots of this realistic day and week are
//! written to docs/ (linked from the README).

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
    realistic_day_on(path, "2026-11-24", 1.0);
}

/// The same working day on `date`, its hunches `scale` times as long.
fn realistic_day_on(path: &Path, date: &str, scale: f64) {
    let (mut j, _) = Journal::open(path).unwrap();
    let mut seed = 7u64;
    let mut noise = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % 1000) as f32 / 250.0 - 2.0
    };
    let mut run = |j: &mut Journal, from: &str, minutes: i64, state: MonitorState| {
        let minutes = if state.is_hunched() {
            (minutes as f64 * scale).round() as i64
        } else {
            minutes
        };
        let start = at(&format!("{date}T{from}"));
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
            at(&format!("{date}T{t}")),
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

fn report(journal: &Path, dir: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_hunch"))
        .arg("report")
        .args(args)
        .arg("--journal")
        .arg(journal)
        .env("TZ", "Europe/Berlin")
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .output()
        .unwrap()
}

/// How wide `page` lays out in Chromium in a viewport `width` px wide: (the document's
/// scroll width, its client width). Headless Chromium's window is at least 500 px wide,
/// so the page is put in a `width`-px frame of a probe page whose one line of script
/// writes the two into its title, which `--dump-dom` prints.
fn laid_out_width(page: &Path, width: u32) -> (u32, u32) {
    let probe = page.with_extension("probe.html");
    let name = page.file_name().unwrap().to_str().unwrap();
    std::fs::write(
        &probe,
        format!(
            "<!doctype html><iframe id=f src=\"{name}\" style=\"width:{width}px;height:800px;border:0\"></iframe>\
             <script>f.onload = () => {{ const d = f.contentDocument.documentElement; \
             document.title = d.scrollWidth + ' ' + d.clientWidth; }};</script>"
        ),
    )
    .unwrap();
    let dom = chromium(&[
        "--allow-file-access-from-files",
        "--virtual-time-budget=3000",
        "--dump-dom",
        &format!("file://{}", probe.display()),
    ]);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    let title = dom
        .split("<title>")
        .nth(1)
        .and_then(|t| t.split("</title>").next())
        .unwrap_or_else(|| panic!("no title in {dom}"));
    let mut n = title.split(' ').map(|v| v.parse::<u32>().unwrap());
    (n.next().unwrap(), n.next().unwrap())
}

/// The text of every `<text>` element of the page's SVGs with its x position, per chart.
fn svg_labels(page: &str) -> Vec<Vec<(f64, f64, String)>> {
    page.split("<svg")
        .skip(1)
        .map(|svg| {
            let svg = svg.split("</svg>").next().unwrap_or("");
            svg.split("<text ")
                .skip(1)
                .filter_map(|t| {
                    let attr = |name: &str| -> Option<f64> {
                        t.split(&format!("{name}=\""))
                            .nth(1)?
                            .split('"')
                            .next()?
                            .parse()
                            .ok()
                    };
                    let text = t.split('>').nth(1)?.split('<').next()?.to_string();
                    Some((attr("x")?, attr("y")?, text))
                })
                .collect()
        })
        .collect()
}

/// Every label of every chart lies inside its chart: its baseline and a descender's depth
/// (4 px at 12 px) above the chart's bottom edge, its start inside the width.
fn assert_inside(page: &str) {
    let heights: Vec<f64> = page
        .split("<svg")
        .skip(1)
        .map(|svg| {
            let h = svg
                .split("height=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            h.parse().unwrap()
        })
        .collect();
    for (labels, height) in svg_labels(page).iter().zip(heights) {
        for (x, y, text) in labels {
            assert!(
                *y + 4.0 <= height && *x >= 0.0,
                "{text:?} at ({x}, {y}) in a chart {height} px tall"
            );
        }
    }
}

/// No two labels on one line of a chart overlap (7.2 px a character, centred labels).
fn assert_no_overlap(page: &str) {
    for chart in svg_labels(page) {
        let mut by_line: std::collections::BTreeMap<i64, Vec<(f64, f64)>> = Default::default();
        for (x, y, text) in &chart {
            if text.chars().count() > 12 {
                continue; // titles and legends sit on their own lines
            }
            let w = text.chars().count() as f64 * 7.2;
            by_line
                .entry(*y as i64)
                .or_default()
                .push((x - w / 2.0, x + w / 2.0));
        }
        for spans in by_line.values_mut() {
            spans.sort_by(|a, b| a.0.total_cmp(&b.0));
            for w in spans.windows(2) {
                assert!(w[0].1 <= w[1].0 + 0.5, "labels overlap: {spans:?}");
            }
        }
    }
}

#[test]
fn the_day_page_shows_everything_the_terminal_does() {
    let dir = std::env::temp_dir().join(format!("hunch-html-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let journal = dir.join("j.sqlite");
    realistic_day(&journal);
    let html = dir.join("day.html");
    let svg = dir.join("day.svg");
    let o = report(
        &journal,
        &dir,
        &[
            "--date",
            "2026-11-24",
            "--html",
            html.to_str().unwrap(),
            "--svg",
            svg.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The page is the output: nothing else is printed.
    assert!(
        o.stdout.is_empty(),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    use std::os::unix::fs::MetadataExt;
    assert_eq!(std::fs::metadata(&html).unwrap().mode() & 0o777, 0o600);
    let page = std::fs::read_to_string(&html).unwrap();
    // Self-contained: the only URL is the SVG namespace, and nothing is loaded.
    assert_eq!(
        page.matches("http").count(),
        page.matches("http://www.w3.org/2000/svg").count(),
        "no links or network assets"
    );
    assert!(!page.contains("<script"), "self-contained");
    // Every figure of the terminal report is on the page.
    let text = String::from_utf8(report(&journal, &dir, &["--date", "2026-11-24"]).stdout).unwrap();
    for label in [
        "monitored",
        "upright",
        "hunched",
        "episodes",
        "alerts",
        "head forward",
        "worst hour",
    ] {
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("{label} in {text}"));
        assert!(page.contains(&format!("<td>{label}</td>")), "{label}");
        let value = line.trim_start()[label.len()..].trim();
        let first = value.split([',', '(']).next().unwrap().trim();
        assert!(page.contains(first), "{label}: {first}");
    }
    for part in [
        "Hour by hour",
        "How far forward",
        "Hunch episodes",
        "Alerts and stretches",
        "hunching +6°",
        "exit +4°",
        "neutral +0°",
    ] {
        assert!(page.contains(part), "{part}");
    }
    assert_no_overlap(&page);
    assert_inside(&page);

    let (scroll, client) = laid_out_width(&html, 390);
    assert!(
        scroll <= client,
        "the day is {scroll} px wide in a {client}-px window"
    );

    let url = format!("file://{}", html.display());
    let dom = chromium(&["--dump-dom", &url]);
    assert!(
        dom.status.success(),
        "{}",
        String::from_utf8_lossy(&dom.stderr)
    );
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert_eq!(dom.matches("<svg").count(), 3, "timeline, hours, angles");
    assert!(dom.matches("<rect").count() > 40, "bars and bands rendered");
    assert!(
        dom.contains("▼") && dom.contains("●"),
        "alerts and stretches marked"
    );

    let png = dir.join("day.png");
    let shot = chromium(&[
        &format!("--screenshot={}", png.display()),
        "--window-size=1100,1900",
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

#[test]
fn the_week_page_has_axes_a_goal_and_dashes_for_days_without_data() {
    let dir = std::env::temp_dir().join(format!("hunch-html-week-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let journal = dir.join("j.sqlite");
    for (i, date) in [
        "2026-11-18",
        "2026-11-19",
        "2026-11-20",
        "2026-11-23",
        "2026-11-24",
    ]
    .iter()
    .enumerate()
    {
        realistic_day_on(&journal, date, [0.4, 1.2, 0.7, 1.6, 1.0][i]);
    }
    let html = dir.join("week.html");
    let o = report(
        &journal,
        &dir,
        &[
            "--week",
            "--to",
            "2026-11-24",
            "--html",
            html.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(o.stdout.is_empty());
    let page = std::fs::read_to_string(&html).unwrap();
    for tick in ["0%", "25%", "50%", "75%", "100%", "goal 20%"] {
        assert!(page.contains(&format!(">{tick}</text>")), "{tick}");
    }
    // The weekend without monitoring: dashes, not "0 s".
    assert!(page.contains("<tr><td>2026-11-21</td><td>—</td>"), "{page}");
    assert!(!page.contains("<td>0 s</td>"));
    assert!(page.contains("Streak under the goal of 20%"));
    assert_no_overlap(&page);
    assert_inside(&page);
    // On a phone (390 px wide) the page fits: nothing to scroll sideways.
    let (scroll, client) = laid_out_width(&html, 390);
    assert!(
        scroll <= client,
        "the week is {scroll} px wide in a {client}-px window"
    );
    // A month and a year of days still keep their labels apart.
    for days in ["30", "365"] {
        let o = report(
            &journal,
            &dir,
            &[
                "--days",
                days,
                "--to",
                "2026-11-24",
                "--html",
                html.to_str().unwrap(),
            ],
        );
        assert!(o.status.success());
        assert_no_overlap(&std::fs::read_to_string(&html).unwrap());
    }
    let o = report(
        &journal,
        &dir,
        &[
            "--week",
            "--to",
            "2026-11-24",
            "--html",
            html.to_str().unwrap(),
        ],
    );
    assert!(o.status.success());
    let png = dir.join("week.png");
    let shot = chromium(&[
        &format!("--screenshot={}", png.display()),
        "--window-size=1100,820",
        &format!("file://{}", html.display()),
    ]);
    assert!(
        shot.status.success(),
        "{}",
        String::from_utf8_lossy(&shot.stderr)
    );
    if std::env::var_os("HUNCH_UPDATE_DOCS").is_some() {
        let docs: PathBuf = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report-week.png");
        std::fs::copy(&png, docs).unwrap();
    }
}

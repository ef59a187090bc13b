//! `hunch watch` on a real terminal: tmux runs it in a detached session of a fixed size,
//! `send-keys` types, `capture-pane` reads the screen as a person would see it. On the
//! demo recording (upright, then slouched) at ten times its pace, standalone and against a
//! running `hunch run`; `q` ends it with the terminal restored.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::{fixture, hunch_in, upright_stills};

/// A private tmux server (its own socket), killed when dropped.
struct Tmux {
    socket: String,
    home: PathBuf,
}

impl Tmux {
    fn new(home: &Path, name: &str) -> Tmux {
        Tmux {
            socket: format!("hunch-{}-{name}", std::process::id()),
            home: home.to_path_buf(),
        }
    }

    fn cmd(&self, args: &[&str]) -> Output {
        let mut c = Command::new("tmux");
        c.args(["-L", &self.socket, "-f", "/dev/null"])
            .args(args)
            .env("HOME", &self.home)
            .env("XDG_CONFIG_HOME", self.home.join("config"))
            .env("XDG_DATA_HOME", self.home.join("data"))
            .env("XDG_RUNTIME_DIR", self.home.join("run"))
            .env_remove("DBUS_SESSION_BUS_ADDRESS")
            .env_remove("NO_COLOR")
            .env_remove("HUNCH_LOG")
            .env_remove("TMUX");
        c.output().expect("tmux (installed by scripts/setup)")
    }

    /// Starts `hunch watch ARGS` in a 100×30 session; after it exits, the shell records
    /// its status and the terminal's settings, says so, and lingers a moment.
    fn start(&self, watch_args: &str) {
        let script = format!(
            "{} watch {watch_args}; echo \"WATCH-EXITED $?\"; stty -a > {}; sleep 5",
            env!("CARGO_BIN_EXE_hunch"),
            self.home.join("stty.txt").display()
        );
        let o = self.cmd(&[
            "new-session",
            "-d",
            "-s",
            "w",
            "-x",
            "100",
            "-y",
            "30",
            "sh",
            "-c",
            &script,
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "w"]).stdout).into_owned()
    }

    /// Waits until the screen shows every one of `wanted`; returns that screen.
    fn wait_for(&self, wanted: &[&str], within: Duration) -> String {
        let t = Instant::now();
        loop {
            let s = self.screen();
            if wanted.iter().all(|w| s.contains(w)) {
                return s;
            }
            assert!(
                t.elapsed() < within,
                "never showed {wanted:?}; screen:\n{s}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn pane(&self, format: &str) -> String {
        let o = self.cmd(&["display-message", "-p", "-t", "w", format]);
        String::from_utf8_lossy(&o.stdout).trim().to_string()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

/// A home calibrated on the demo's upright frame with the lite model (the one the views
/// below run, for speed).
fn home(name: &str) -> PathBuf {
    let home = std::env::temp_dir().join(format!("hunch-watch-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&home);
    let still = upright_stills(&home);
    let o = hunch_in(&home)
        .args(["calibrate", "--model", "lite", "--source"])
        .arg(&still)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    home
}

/// The view's fixed parts: the gauge's scale and threshold marks, and their legend.
const GAUGE: [&str; 3] = ["┃ enter 6.0°", "┊ exit 4.0°", "+25°"];

/// The gauge on a screen: how many columns the bar fills, and the columns of the exit
/// and enter marks on the scale under it.
fn gauge(screen: &str) -> (usize, usize, usize) {
    let lines: Vec<&str> = screen.lines().collect();
    let at = lines
        .iter()
        .position(|l| {
            let l = l.trim();
            l.chars().count() > 20 && l.chars().all(|c| matches!(c, '█' | '▌' | '·'))
        })
        .unwrap_or_else(|| panic!("no gauge:\n{screen}"));
    let filled = lines[at].chars().filter(|c| matches!(c, '█' | '▌')).count();
    let start = lines[at].chars().take_while(|c| *c == ' ').count();
    let scale: Vec<char> = lines[at + 1].chars().collect();
    let mark = |m: char| {
        scale
            .iter()
            .position(|c| *c == m)
            .unwrap_or_else(|| panic!("no {m} on the scale:\n{screen}"))
            - start
    };
    (filled, mark('┊'), mark('┃'))
}

/// Upright, then hunching with a running hunch timer, then `q`: the view ends, the
/// alternate screen is left, the cursor is back and the line discipline restored.
/// `today` is how the view names the span of its hunched share.
fn upright_then_hunching_then_q(t: &Tmux, header: &str, today: &str) {
    let s = t.wait_for(
        &[
            header,
            "state         upright",
            "no hunch in progress",
            GAUGE[0],
            GAUGE[1],
            GAUGE[2],
        ],
        Duration::from_secs(20),
    );
    // The bar sits low: an upright head is near 0°, short of the exit mark.
    let (upright, exit_col, enter_col) = gauge(&s);
    assert!(exit_col < enter_col, "{s}");
    assert!(upright < exit_col, "{upright} columns:\n{s}");
    let s = t.wait_for(
        &["state         hunching", "hunching for ", "alert in "],
        Duration::from_secs(20),
    );
    assert_eq!(t.pane("#{alternate_on}"), "1", "{s}");
    // Hunching: the smoothed angle has reached the enter mark and not yet gone back
    // below the exit mark.
    let (hunching, _, _) = gauge(&s);
    assert!(
        hunching >= exit_col && hunching > upright,
        "{hunching}:\n{s}"
    );
    // The day's hunched share (the monitor's today, or the view's own session).
    let s = t.wait_for(
        &[&format!("{today} "), "% hunched ("],
        Duration::from_secs(10),
    );
    assert!(s.contains(" monitored)"), "{s}");
    let first = timer(&s);
    let s = t.wait_for(&["hunching for "], Duration::from_secs(5));
    std::thread::sleep(Duration::from_millis(1500));
    let later = timer(&t.screen());
    assert!(
        later > first,
        "the hunch timer runs: {first} then {later}\n{s}"
    );

    t.cmd(&["send-keys", "-t", "w", "q"]);
    let s = t.wait_for(&["WATCH-EXITED 0"], Duration::from_secs(10));
    assert!(!s.contains("state "), "the view is gone:\n{s}");
    assert_eq!(t.pane("#{alternate_on}"), "0");
    assert_eq!(t.pane("#{cursor_flag}"), "1");
    let stty = std::fs::read_to_string(t.home.join("stty.txt")).unwrap();
    let words: Vec<&str> = stty.split_whitespace().collect();
    assert!(
        words.contains(&"icanon") && words.contains(&"echo"),
        "{stty}"
    );
}

/// Seconds on the "hunching for" timer.
fn timer(screen: &str) -> u64 {
    let l = screen
        .lines()
        .find(|l| l.contains("hunching for "))
        .unwrap();
    let after = l.split("hunching for ").nth(1).unwrap();
    let mut words = after.split_whitespace();
    let (n, unit) = (words.next().unwrap(), words.next().unwrap());
    let n: u64 = n.parse().unwrap();
    match unit {
        "s" => n,
        "min" => n * 60 + words.next().and_then(|s| s.parse().ok()).unwrap_or(0),
        _ => panic!("{l}"),
    }
}

#[test]
fn watch_on_a_recording_shows_the_gauge_state_and_timer_and_q_restores_the_terminal() {
    let home = home("source");
    let t = Tmux::new(&home, "source");
    t.start(&format!(
        "--model lite --speed 10 --source {}",
        fixture("demo").display()
    ));
    upright_then_hunching_then_q(&t, "hunch watch · replay:", "since this view began");
}

#[test]
fn watch_follows_a_running_monitor_over_the_control_socket() {
    let home = home("monitor");
    let mut run = hunch_in(&home)
        .args([
            "run",
            "--no-tray",
            "--model",
            "lite",
            "--speed",
            "5",
            "--source",
        ])
        .arg(fixture("demo"))
        .arg("--journal")
        .arg(home.join("data/hunch/journal.sqlite"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let up = Instant::now();
    while !hunch_in(&home)
        .arg("status")
        .output()
        .unwrap()
        .status
        .success()
    {
        assert!(
            up.elapsed() < Duration::from_secs(20),
            "hunch run did not come up"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let t = Tmux::new(&home, "monitor");
    t.start("");
    upright_then_hunching_then_q(&t, "hunch watch · the running monitor", "today");
    let _ = run.kill();
    let _ = run.wait();
}

#[test]
fn watch_without_a_terminal_prints_a_line_per_frame() {
    let home = home("lines");
    let o = hunch_in(&home)
        .args(["watch", "--model", "lite", "--speed", "50", "--source"])
        .arg(fixture("demo"))
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() > 30, "{out}");
    assert!(!out.contains('\x1b'), "no escapes in a pipe");
    assert!(
        lines.iter().all(|l| l.contains("enter 6.0° exit 4.0°")),
        "{out}"
    );
    let first_hunch = lines
        .iter()
        .position(|l| l.contains("hunching for"))
        .expect(&out);
    assert!(
        lines[..first_hunch].iter().any(|l| l.contains(" upright ")),
        "{out}"
    );
}

#[test]
fn watch_into_a_closed_pipe_ends_quietly_and_cleans_up() {
    let home = home("pipe");
    let tmp = home.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut child = hunch_in(&home)
        .args(["watch", "--model", "lite", "--speed", "50", "--source"])
        .arg(fixture("demo"))
        .env("TMPDIR", &tmp)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Read three lines, as `| head -n 3` would, and close the pipe.
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    for _ in 0..3 {
        let mut line = String::new();
        std::io::BufRead::read_line(&mut out, &mut line).unwrap();
        assert!(line.contains("enter 6.0° exit 4.0°"), "{line}");
    }
    // Its own journal is there while it runs (a private directory).
    let own: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
    assert_eq!(own.len(), 1, "{own:?}");
    drop(out);
    let o = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{:?} {stderr}", o.status);
    assert!(
        !stderr.contains("panick") && !stderr.contains("Broken pipe"),
        "{stderr}"
    );
    // And removed when the reader went away.
    let left: Vec<_> = std::fs::read_dir(&tmp).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

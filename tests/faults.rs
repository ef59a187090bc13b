//! Ordinary faults over a working day, each met with the real part: a real SQLite journal
//! on a real, small tmpfs that fills up or turns read-only (mounted by the test; skipped,
//! with the reason printed, where mounting is not allowed), real signals, real sockets.
//! Nothing the user has is lost, and every failure says what it is.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{event_kinds, fixture, hunch_in, signal, tempdir, upright_stills, MonitorEnv};
use hunch::journal::Journal;
use hunch::vocab::{EventKind, MonitorState};

/// A tmpfs of `kib` KiB mounted on a fresh directory, unmounted on drop.
struct Tmpfs {
    dir: PathBuf,
}

impl Tmpfs {
    fn mount(name: &str, kib: u32) -> Option<Tmpfs> {
        let dir = tempdir(name);
        let o = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={kib}k,mode=0700"),
                "tmpfs",
            ])
            .arg(&dir)
            .output();
        match o {
            Ok(o) if o.status.success() => Some(Tmpfs { dir }),
            Ok(o) => {
                let why = String::from_utf8_lossy(&o.stderr).trim().to_string();
                common::skip(&format!("cannot mount a tmpfs here ({why})"));
                None
            }
            Err(e) => {
                common::skip(&format!("cannot run mount ({e})"));
                None
            }
        }
    }

    fn remount(&self, opts: &str) {
        let ok = Command::new("mount")
            .args(["-o", &format!("remount,{opts}")])
            .arg(&self.dir)
            .status()
            .unwrap()
            .success();
        assert!(ok, "remount {opts}");
    }

    /// Fills the file system with `filler` until it refuses another byte.
    fn fill(&self) -> PathBuf {
        let filler = self.dir.join("filler");
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 4096];
        while f.write_all(&block).is_ok() {}
        let _ = f.write_all(&[0u8]);
        let _ = f.sync_all();
        filler
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.dir).status();
    }
}

fn journal_with_a_day(path: &Path) {
    let (mut j, _) = Journal::open(path).unwrap();
    let t0 = jiff::Timestamp::now().as_millisecond() - 3_600_000;
    for k in 0..3600 {
        let state = if k % 600 < 200 {
            MonitorState::Hunched
        } else {
            MonitorState::Upright
        };
        j.sample(t0 + k * 1000, 1000, state, Some(5.0), 0.9)
            .unwrap();
    }
    j.event(t0 + 100_000, EventKind::Alert, "chin_tuck")
        .unwrap();
    j.flush().unwrap();
}

fn report(home: &Path, journal: &Path, args: &[&str]) -> std::process::Output {
    hunch_in(home)
        .arg("report")
        .args(args)
        .arg("--journal")
        .arg(journal)
        .output()
        .unwrap()
}

fn moved_aside(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains("unreadable"))
        .count()
}

#[test]
fn reports_on_a_full_disk_read_the_journal_and_touch_nothing() {
    let Some(fs) = Tmpfs::mount("fault-full-report", 2048) else {
        return;
    };
    let journal = fs.dir.join("journal.sqlite");
    journal_with_a_day(&journal);
    let before = std::fs::read(&journal).unwrap();
    fs.fill();
    let home = tempdir("fault-full-report-home");
    let o = report(&home, &journal, &["--week", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["monitored_s"].as_f64(), Some(3600.0));
    assert_eq!(v["alerts"].as_u64(), Some(1));
    // Nothing moved aside, nothing written.
    assert_eq!(moved_aside(&fs.dir), 0);
    assert_eq!(std::fs::read(&journal).unwrap(), before);
}

#[test]
fn reports_read_a_journal_in_a_read_only_directory() {
    let Some(fs) = Tmpfs::mount("fault-ro", 4096) else {
        return;
    };
    let journal = fs.dir.join("journal.sqlite");
    journal_with_a_day(&journal);
    fs.remount("ro");
    let home = tempdir("fault-ro-home");
    let o = report(&home, &journal, &["--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert!(v["monitored_s"].as_f64().unwrap() > 0.0, "{v}");
    let o = hunch_in(&home)
        .args([
            "export",
            "--from",
            &jiff::Zoned::now().date().to_string(),
            "--journal",
        ])
        .arg(&journal)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).lines().count() > 100);
    fs.remount("rw");
}

#[test]
fn a_huge_range_is_refused_quickly_and_reports_never_grow_the_journal() {
    let home = tempdir("fault-range");
    let journal = home.join("journal.sqlite");
    journal_with_a_day(&journal);
    let size = std::fs::metadata(&journal).unwrap().len();
    let t = Instant::now();
    let o = report(&home, &journal, &["--days", "1000000"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--days is at most 3660"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Ten years of days, none of them written anywhere.
    let o = report(&home, &journal, &["--days", "3660", "--csv"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout).lines().count(), 3661);
    eprintln!("refusal and a ten-year report took {:?}", t.elapsed());
    assert!(t.elapsed() < Duration::from_secs(60));
    assert_eq!(std::fs::metadata(&journal).unwrap().len(), size);
    let j = Journal::open_read_only(&journal).unwrap();
    assert!(j.cached_day("2020-01-01", "UTC", 2).unwrap().is_none());
}

#[test]
fn a_closed_pipe_ends_a_report_quietly_with_status_0() {
    let home = tempdir("fault-pipe");
    let journal = home.join("journal.sqlite");
    journal_with_a_day(&journal);
    // 3000 CSV rows (~180 KB) do not fit in a pipe's buffer: the writer meets the closed
    // end.
    let mut child = hunch_in(&home)
        .args(["report", "--csv", "--days", "3000", "--journal"])
        .arg(&journal)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("date,"), "{first}");
    // Reads stderr while waiting: a full pipe cannot stall the child.
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(0), "{err}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn the_monitor_keeps_running_through_a_bad_frame() {
    let env = MonitorEnv::new("fault-frame");
    let rec = env.home.join("bad");
    std::fs::create_dir_all(&rec).unwrap();
    let mut m = String::from("path,label,time_ms\n");
    for i in 0..20 {
        let name = format!("f{i}.jpg");
        if i == 7 {
            std::fs::write(rec.join(&name), b"\xff\xd8 a damaged jpeg").unwrap();
        } else {
            std::fs::copy(fixture("demo/upright-0.jpg"), rec.join(&name)).unwrap();
        }
        m += &format!("{name},upright,{}\n", i * 250);
    }
    std::fs::write(rec.join("manifest.csv"), m).unwrap();
    let o = env
        .cmd(&["run", "--fast", "--source", rec.to_str().unwrap()])
        .arg("--journal")
        .arg(env.journal())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("f7.jpg"), "the bad frame is named: {err}");
    let j = Journal::open_read_only(&env.journal()).unwrap();
    assert_eq!(j.samples(i64::MIN, i64::MAX).unwrap().len(), 19);
    assert_eq!(event_kinds(&j).last(), Some(&EventKind::Stop));
}

#[test]
fn the_monitor_keeps_monitoring_on_a_full_disk_and_catches_up() {
    let Some(fs) = Tmpfs::mount("fault-full-run", 1024) else {
        return;
    };
    let env = MonitorEnv::new("fault-full-run-home");
    let journal = fs.dir.join("journal.sqlite");
    let mut child = env
        .cmd(&[
            "run",
            "--source",
            env.home.join("rec").to_str().unwrap(),
            "--journal",
        ])
        .arg(&journal)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_secs(4));
    let filler = fs.fill();
    std::thread::sleep(Duration::from_secs(12));
    // Still running, still answering.
    assert!(child.try_wait().unwrap().is_none(), "the monitor exited");
    let o = env.cmd(&["status"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::remove_file(&filler).unwrap();
    std::thread::sleep(Duration::from_secs(8));
    signal(&child, "TERM");
    let o = child.wait_with_output().unwrap();
    let (status, err) = (o.status, String::from_utf8_lossy(&o.stderr).into_owned());
    assert!(status.success(), "{err}");
    assert_eq!(
        err.matches("cannot write the journal").count(),
        1,
        "said once: {err}"
    );
    // Every sample the monitor took is in the journal, those of the full minutes too.
    let taken: usize = err
        .rsplit("stopped (")
        .next()
        .and_then(|s| s.split("; ").nth(1))
        .and_then(|s| s.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{err}"));
    let j = Journal::open_read_only(&journal).unwrap();
    let samples = j.samples(i64::MIN, i64::MAX).unwrap();
    assert_eq!(samples.len(), taken, "{err}");
    let kinds = event_kinds(&j);
    let e = kinds.iter().position(|k| *k == EventKind::JournalError);
    let ok = kinds.iter().position(|k| *k == EventKind::JournalOk);
    assert!(e.is_some() && ok > e, "{kinds:?}");
    assert_eq!(kinds.last(), Some(&EventKind::Stop));
    // The samples tile the run: the full minutes are not a gap.
    for w in samples.windows(2) {
        assert_eq!(w[1].t_ms - w[1].dt_ms, w[0].t_ms, "{w:?}");
    }
}

#[test]
fn sighup_flushes_records_the_stop_and_removes_the_socket() {
    let env = MonitorEnv::new("fault-hup");
    let child = env.start();
    std::thread::sleep(Duration::from_secs(2));
    signal(&child, "HUP");
    let mut child = child;
    let status = child.wait().unwrap();
    assert!(status.success(), "{status:?}");
    let j = Journal::open_read_only(&env.journal()).unwrap();
    assert!(j.samples(i64::MIN, i64::MAX).unwrap().len() >= 4);
    let stop = j
        .events(i64::MIN, i64::MAX)
        .unwrap()
        .into_iter()
        .last()
        .unwrap();
    assert_eq!(
        (stop.kind, stop.detail.as_str()),
        (EventKind::Stop, "signal")
    );
    assert!(!env.home.join("run/hunch/control.sock").exists());
}

#[test]
fn out_of_range_settings_and_calibrations_are_refused_by_name() {
    let home = tempdir("fault-config");
    let config = home.join("config/hunch");
    std::fs::create_dir_all(&config).unwrap();
    for (toml, key) in [
        (
            "[camera]\ninterval_seconds = 1e300\n",
            "[camera] interval_seconds",
        ),
        (
            "[camera]\ninterval_seconds = nan\n",
            "[camera] interval_seconds",
        ),
        ("[policy]\nsnooze_seconds = 0\n", "[policy] snooze_seconds"),
        (
            "[filter]\nsustain_seconds = inf\n",
            "[filter] sustain_seconds",
        ),
        (
            "[journal]\nretention_days = 0\n",
            "[journal] retention_days",
        ),
    ] {
        std::fs::write(config.join("config.toml"), toml).unwrap();
        let o = hunch_in(&home).arg("config").output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{toml}");
        assert!(err.contains(key), "{toml}: {err}");
    }
    std::fs::remove_file(config.join("config.toml")).unwrap();

    // A calibration with NaN or zero would make every frame "upright".
    let still = upright_stills(&home);
    let o = hunch_in(&home)
        .args(["calibrate", "--source"])
        .arg(&still)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let profile = config.join("calibration.toml");
    let good = std::fs::read_to_string(&profile).unwrap();
    let mean_line = good
        .lines()
        .skip_while(|l| !l.starts_with("[neutral.head_height]"))
        .find(|l| l.starts_with("mean"))
        .unwrap()
        .to_string();
    for bad in ["mean = nan", "mean = 0.0"] {
        std::fs::write(&profile, good.replacen(&mean_line, bad, 1)).unwrap();
        let o = hunch_in(&home)
            .args(["run", "--fast", "--source"])
            .arg(&still)
            .arg("--journal")
            .arg(home.join("replay.sqlite"))
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{bad}: {err}");
        assert!(
            err.contains("neutral.head_height.mean") && err.contains("hunch calibrate"),
            "{bad}: {err}"
        );
    }
}

/// Sends raw bytes to the control socket and returns the reply line.
fn raw(sock: &Path, bytes: &[u8]) -> String {
    let mut s = UnixStream::connect(sock).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let _ = s.write_all(bytes);
    let mut line = String::new();
    BufReader::new(&s).read_line(&mut line).unwrap();
    line
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap()
}

#[test]
fn the_control_socket_serves_everyone_and_refuses_bad_input() {
    let env = MonitorEnv::new("fault-socket");
    let mut child = env.start();
    let sock = env.home.join("run/hunch/control.sock");
    // A client that dribbles one byte a second does not hold up `hunch status`.
    let slow = {
        let sock = sock.clone();
        std::thread::spawn(move || {
            let mut s = UnixStream::connect(&sock).unwrap();
            for b in br#"{"command":"status"}"# {
                if s.write_all(&[*b]).is_err() {
                    break;
                }
                std::thread::sleep(Duration::from_secs(1));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let t = Instant::now();
    let o = env.cmd(&["status"]).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(t.elapsed() < Duration::from_secs(1), "{:?}", t.elapsed());

    // Bad input gets an error reply, not silence.
    let reply = raw(&sock, b"\xff\xfe not utf-8\n");
    assert!(reply.contains("not UTF-8"), "{reply}");
    let reply = raw(&sock, b"{\"command\":\"pause\",\"for\":{\"seconds\":-5}}\n");
    assert!(
        reply.contains("\"error\"") && reply.contains("more than 0 s"),
        "{reply}"
    );
    let reply = raw(&sock, b"{\"command\":\"fly\"}\n");
    assert!(reply.contains("bad request"), "{reply}");
    let o = env.cmd(&["pause", "-5"]).output().unwrap();
    assert_ne!(o.status.code(), Some(0));

    // A 64 MB line: refused after 4 KB, and the monitor's memory does not grow with it.
    let before = rss_kib(child.id());
    let reply = {
        let mut s = UnixStream::connect(&sock).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let chunk = vec![b'x'; 1 << 20];
        for _ in 0..64 {
            if s.write_all(&chunk).is_err() {
                break;
            }
        }
        let mut line = String::new();
        let _ = BufReader::new(&s).read_line(&mut line);
        line
    };
    let after = rss_kib(child.id());
    assert!(reply.contains("longer than 4096 bytes"), "{reply}");
    assert!(after < before + 8 * 1024, "RSS {before} KiB → {after} KiB");
    slow.join().unwrap();
    signal(&child, "TERM");
    assert!(child.wait().unwrap().success());
}

#[test]
fn a_runtime_directory_that_is_not_ours_and_private_is_refused() {
    let home = tempdir("fault-rundir");
    let tmp = home.join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let uid = hunch::support::paths::uid().unwrap();
    let dir = tmp.join(format!("hunch-{uid}"));
    let status = |home: &Path| {
        hunch_in(home)
            .env_remove("XDG_RUNTIME_DIR")
            .env("TMPDIR", &tmp)
            .arg("status")
            .output()
            .unwrap()
    };
    // Missing: created 0700 (and nothing runs yet).
    let o = status(&home);
    assert!(String::from_utf8_lossy(&o.stderr).contains("not running"));
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    assert_eq!(std::fs::metadata(&dir).unwrap().mode() & 0o777, 0o700);
    // Open to everyone: refused, saying why.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let o = status(&home);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        err.contains("others can use it") && err.contains("mode 777"),
        "{err}"
    );
    // Another user's: refused (needs root to make one).
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    if uid == 0 {
        let chown = Command::new("chown")
            .arg("65534")
            .arg(&dir)
            .status()
            .unwrap();
        assert!(chown.success());
        let o = status(&home);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("belongs to user 65534"), "{err}");
        let o = hunch_in(&home)
            .env_remove("XDG_RUNTIME_DIR")
            .env("TMPDIR", &tmp)
            .args(["run", "--fast", "--source"])
            .arg(fixture("demo/upright-0.jpg"))
            .arg("--journal")
            .arg(home.join("replay.sqlite"))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2));
    } else {
        common::skip("the foreign-owner case needs root to chown");
    }
}

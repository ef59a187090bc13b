//! What a hostile user tries, each with the real part: report files aimed at links, FIFOs,
//! device nodes and directories; a control socket crowded with idle clients; settings at
//! the edges of their ranges. Nothing the user has is replaced or lost, and nothing that
//! did not happen is reported as done.

mod common;

use std::io::Read;
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use common::{as_root, hunch_in, journal_with_an_hour, mode, tempdir, MonitorEnv};

fn report_to(home: &Path, journal: &Path, flag: &str, out: &Path) -> Output {
    hunch_in(home)
        .args(["report", flag])
        .arg(out)
        .arg("--journal")
        .arg(journal)
        .output()
        .unwrap()
}

fn text(o: &Output) -> String {
    format!(
        "status {:?}\nstdout: {}\nstderr: {}",
        o.status.code(),
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `sh -c 'umask 000; exec hunch ARGS'` in `home`: the loosest umask there is.
fn hunch_umask_000(home: &Path, args: &[&str]) -> Output {
    let c = hunch_in(home);
    let exe = c.get_program().to_owned();
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg("umask 000; exec \"$0\" \"$@\"")
        .arg(exe)
        .args(args);
    for (k, v) in c.get_envs() {
        match v {
            Some(v) => sh.env(k, v),
            None => sh.env_remove(k),
        };
    }
    sh.output().unwrap()
}

#[test]
fn report_files_follow_links_stream_into_fifos_and_never_replace_a_directory() {
    let home = tempdir("hostile-report-paths");
    let journal = home.join("journal.sqlite");
    journal_with_an_hour(&journal);

    // A regular file is replaced, user-only.
    let plain = home.join("day.html");
    std::fs::write(&plain, "old").unwrap();
    let o = report_to(&home, &journal, "--html", &plain);
    assert!(o.status.success(), "{}", text(&o));
    assert!(std::fs::read_to_string(&plain).unwrap().contains("<html"));
    assert_eq!(mode(&plain), 0o600);

    // A symbolic link stays a link; its target gets the page.
    let target = home.join("real.svg");
    std::fs::write(&target, "old").unwrap();
    let link = home.join("link.svg");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let o = report_to(&home, &journal, "--svg", &link);
    assert!(o.status.success(), "{}", text(&o));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&target).unwrap().contains("<svg"));

    // `/dev/stdout` (a link into /proc to the pipe): the chart arrives on the pipe and the
    // link is untouched. Through a link of our own to it, so that a failure here could
    // never replace the system's.
    let to_stdout = home.join("stdout.svg");
    std::os::unix::fs::symlink("/dev/stdout", &to_stdout).unwrap();
    let o = report_to(&home, &journal, "--svg", &to_stdout);
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("<svg"));
    assert_eq!(
        std::fs::read_link(&to_stdout).unwrap(),
        Path::new("/dev/stdout")
    );

    // `-` is standard output.
    let o = report_to(&home, &journal, "--html", Path::new("-"));
    assert!(o.status.success(), "{}", text(&o));
    assert!(String::from_utf8_lossy(&o.stdout).contains("<html"));

    // A FIFO is written as a stream: a reader gets the page, the FIFO stays a FIFO.
    let fifo = home.join("pipe.html");
    assert!(Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || {
            let mut s = String::new();
            std::fs::File::open(&fifo)
                .unwrap()
                .read_to_string(&mut s)
                .unwrap();
            s
        })
    };
    let o = report_to(&home, &journal, "--html", &fifo);
    assert!(o.status.success(), "{}", text(&o));
    assert!(reader.join().unwrap().contains("<html"));
    use std::os::unix::fs::FileTypeExt;
    assert!(std::fs::symlink_metadata(&fifo)
        .unwrap()
        .file_type()
        .is_fifo());

    // A directory is refused, and left as it was.
    let dir = home.join("reports");
    std::fs::create_dir(&dir).unwrap();
    std::fs::write(dir.join("keep.txt"), "mine").unwrap();
    let o = report_to(&home, &journal, "--html", &dir);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("is a directory"),
        "{}",
        text(&o)
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("keep.txt")).unwrap(),
        "mine"
    );
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 1);
}

#[test]
fn a_character_device_is_written_to_not_replaced() {
    if !as_root("making a device node") {
        return;
    }
    let home = tempdir("hostile-report-device");
    let journal = home.join("journal.sqlite");
    journal_with_an_hour(&journal);
    // Our own node for /dev/full (1, 7) and /dev/null (1, 3): replacing one of them
    // would show as a regular file here, and the system's own are never at risk.
    for (name, minor) in [("full", "7"), ("null", "3")] {
        let node = home.join(name);
        assert!(Command::new("mknod")
            .arg(&node)
            .args(["c", "1", minor])
            .status()
            .unwrap()
            .success());
        let o = report_to(&home, &journal, "--html", &node);
        use std::os::unix::fs::FileTypeExt;
        assert!(
            std::fs::symlink_metadata(&node)
                .unwrap()
                .file_type()
                .is_char_device(),
            "{name} was replaced: {}",
            text(&o)
        );
        if name == "full" {
            // Writing to /dev/full fails: said, with status 2, not "wrote".
            assert_eq!(o.status.code(), Some(2), "{}", text(&o));
            assert!(!String::from_utf8_lossy(&o.stderr).contains("wrote"));
        } else {
            assert!(o.status.success(), "{}", text(&o));
        }
    }
}

#[test]
fn every_file_hunch_writes_has_its_mode_whatever_the_umask() {
    let home = tempdir("hostile-umask");
    // A picture of a person: 0600, and a link at the name is followed, not replaced.
    let target = home.join("picture-target.png");
    std::fs::write(&target, "old").unwrap();
    let link = home.join("out.png");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let photo = common::fixture("demo/upright-0.jpg");
    let o = hunch_umask_000(
        &home,
        &[
            "analyze",
            "--overlay",
            link.to_str().unwrap(),
            photo.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(mode(&target), 0o600);
    let png = std::fs::read(&target).unwrap();
    assert_eq!(&png[1..4], b"PNG");

    // Man pages and completions are for everyone to read, and no more: 0644 in a 0755
    // directory.
    let man = home.join("man");
    let o = hunch_umask_000(&home, &["generate", "man", man.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(mode(&man), 0o755);
    let pages: Vec<_> = std::fs::read_dir(&man)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(pages.len() > 10, "{pages:?}");
    for p in &pages {
        assert_eq!(mode(p), 0o644, "{}", p.display());
    }
    let comp = home.join("completions");
    let o = hunch_umask_000(
        &home,
        &[
            "generate",
            "completions",
            "bash",
            "--dir",
            comp.to_str().unwrap(),
        ],
    );
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(mode(&comp.join("hunch.bash")), 0o644);
}

/// Runs `hunch ARGS` in `env` and says whether it succeeded, checking that success came
/// with output and failure with a message: never silence with status 0.
fn never_silent_success(env: &MonitorEnv, args: &[&str]) -> bool {
    let o = env.cmd(args).output().unwrap();
    if o.status.success() {
        assert!(
            !o.stdout.is_empty(),
            "`hunch {}` printed nothing and exited 0",
            args.join(" ")
        );
        true
    } else {
        assert_ne!(o.status.code(), Some(0));
        assert!(
            !o.stderr.is_empty(),
            "`hunch {}` failed without a word",
            args.join(" ")
        );
        eprintln!(
            "`hunch {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&o.stderr)
        );
        false
    }
}

#[test]
fn idle_clients_cannot_keep_a_command_from_the_monitor() {
    let env = MonitorEnv::new("hostile-idle-clients");
    let mut monitor = env.start();
    let sock = env.home.join("run/hunch/control.sock");
    // More idle connections than the monitor keeps (300 of 256), kept up: each one closed
    // is opened again at once.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let crowd = {
        let (sock, stop) = (sock.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut idle: Vec<UnixStream> = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                idle.retain(|s| {
                    let mut b = [0u8; 1];
                    s.set_nonblocking(true).unwrap();
                    // Still open while a read would block.
                    matches!((&*s).read(&mut b), Err(e) if e.kind() == std::io::ErrorKind::WouldBlock)
                });
                while idle.len() < 300 {
                    match UnixStream::connect(&sock) {
                        Ok(s) => idle.push(s),
                        Err(_) => break,
                    }
                }
                std::thread::sleep(Duration::from_millis(5));
            }
        })
    };
    std::thread::sleep(Duration::from_millis(300));
    let mut answered = 0;
    for _ in 0..15 {
        answered += never_silent_success(&env, &["status"]) as usize;
    }
    let paused = never_silent_success(&env, &["pause", "1h"]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    crowd.join().unwrap();
    // Room is made for a client that speaks: every one was answered.
    assert_eq!(answered, 15, "status calls answered among idle clients");
    assert!(paused, "the pause did not reach the monitor");
    let o = env.cmd(&["status"]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("paused"),
        "{}",
        text(&o)
    );
    common::signal(&monitor, "TERM");
    monitor.wait().unwrap();
}

#[test]
fn a_monitor_that_closes_without_answering_is_an_error() {
    // A socket that accepts and hangs up at once, where the monitor's would be: what a
    // monitor that is stopping, or refusing the connection, looks like from outside.
    let home = tempdir("hostile-no-answer");
    let dir = home.join("run/hunch");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let listener = std::os::unix::net::UnixListener::bind(dir.join("control.sock")).unwrap();
    let server = std::thread::spawn(move || {
        for _ in 0..2 {
            let (s, _) = listener.accept().unwrap();
            drop(s);
        }
    });
    for args in [&["status"][..], &["pause", "1h"][..]] {
        let o = hunch_in(&home).args(args).output().unwrap();
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("did not answer"),
            "{}",
            text(&o)
        );
    }
    server.join().unwrap();
}

// ---------------------------------------------------------------------------------------
// The journal: one writer, nothing clobbered, readers that never write.

/// The names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

fn json_report(home: &Path, journal: &Path) -> serde_json::Value {
    let o = hunch_in(home)
        .args(["report", "--json", "--journal"])
        .arg(journal)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    serde_json::from_slice(&o.stdout).unwrap()
}

fn replay(env: &MonitorEnv, journal: &Path) -> Output {
    env.cmd(&[
        "run",
        "--fast",
        "--source",
        env.home.join("rec").to_str().unwrap(),
    ])
    .arg("--journal")
    .arg(journal)
    .output()
    .unwrap()
}

#[test]
fn one_monitor_per_journal_whatever_its_runtime_directory() {
    let env = MonitorEnv::new("hostile-one-writer");
    let mut first = env.start();
    let o = env
        .cmd(&["run", "--source", env.home.join("rec").to_str().unwrap()])
        .arg("--journal")
        .arg(env.journal())
        .env("XDG_RUNTIME_DIR", env.home.join("other-run"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("being written by another hunch monitor"),
        "{}",
        text(&o)
    );
    common::signal(&first, "TERM");
    first.wait().unwrap();
}

#[test]
fn a_replay_needs_a_journal_of_its_own_and_overlaps_count_once() {
    let env = MonitorEnv::new("hostile-replay");
    // Into the user's own journal: refused, and nothing created.
    let o = env
        .cmd(&[
            "run",
            "--fast",
            "--source",
            env.home.join("rec").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--journal"),
        "{}",
        text(&o)
    );
    assert!(!env.journal().exists());

    // Two fast replays into one journal write two timelines over the same minute: the
    // report counts that minute once.
    let j = env.home.join("replays.sqlite");
    for _ in 0..2 {
        let o = replay(&env, &j);
        assert!(o.status.success(), "{}", text(&o));
    }
    let journal = hunch::journal::Journal::open_read_only(&j).unwrap();
    let samples = journal.samples(i64::MIN, i64::MAX).unwrap();
    let first = samples.iter().map(|s| s.t_ms - s.dt_ms).min().unwrap();
    let last = samples.iter().map(|s| s.t_ms).max().unwrap();
    let claimed: i64 = samples.iter().map(|s| s.dt_ms).sum();
    let span = (last - first) as f64 / 1000.0;
    // Each fast replay runs its minute from the moment it starts, so the second overlaps
    // the first by a minute less the few seconds the first took.
    assert!(
        claimed as f64 / 1000.0 > span + 5.0,
        "the replays overlap (claimed {claimed} ms in {span} s)"
    );
    let r = json_report(&env.home, &j);
    let monitored = r["monitored_s"].as_f64().unwrap() + r["away_s"].as_f64().unwrap_or(0.0);
    assert!(
        monitored <= span + 0.5,
        "{monitored} s counted in {span} s of time"
    );
}

#[test]
fn moving_an_unreadable_journal_aside_never_overwrites_an_earlier_one() {
    let env = MonitorEnv::new("hostile-move-aside");
    let j = env.journal();
    std::fs::create_dir_all(j.parent().unwrap()).unwrap();
    // Every name the next moves could take for the coming seconds is already taken.
    let now = jiff::Timestamp::now().as_second();
    for s in now..now + 10 {
        std::fs::write(
            format!("{}.unreadable-{s}", j.display()),
            format!("earlier {s}"),
        )
        .unwrap();
    }
    for round in 0..2 {
        std::fs::write(&j, format!("damaged {round}")).unwrap();
        let o = replay(&env, &j);
        assert!(o.status.success(), "{}", text(&o));
    }
    for s in now..now + 10 {
        assert_eq!(
            std::fs::read_to_string(format!("{}.unreadable-{s}", j.display())).unwrap(),
            format!("earlier {s}")
        );
    }
    let kept: Vec<String> = listing(j.parent().unwrap())
        .into_iter()
        .filter(|n| n.contains("unreadable"))
        .collect();
    assert_eq!(kept.len(), 12, "{kept:?}");
    let contents: Vec<String> = kept
        .iter()
        .map(|n| std::fs::read_to_string(j.parent().unwrap().join(n)).unwrap())
        .collect();
    assert!(contents.contains(&"damaged 0".to_string()), "{contents:?}");
    assert!(contents.contains(&"damaged 1".to_string()), "{contents:?}");
}

#[test]
fn read_commands_never_create_move_or_convert_anything() {
    let home = tempdir("hostile-readers");
    let notes = home.join("notes.txt");
    std::fs::write(&notes, "my own notes, not a journal\n").unwrap();
    let before = listing(&home);
    for args in [
        &["headache", "list"][..],
        &["report"][..],
        &["export", "--from", "2026-01-01"][..],
    ] {
        let o = hunch_in(&home)
            .args(args)
            .arg("--journal")
            .arg(&notes)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(
            String::from_utf8_lossy(&o.stderr).contains("notes.txt is not a hunch journal"),
            "{}",
            text(&o)
        );
        assert_eq!(listing(&home), before, "{args:?} changed the directory");
    }
    assert_eq!(
        std::fs::read_to_string(&notes).unwrap(),
        "my own notes, not a journal\n"
    );
    // A journal that does not exist is not created by reading it.
    let none = home.join("none.sqlite");
    let o = hunch_in(&home)
        .args(["headache", "list", "--journal"])
        .arg(&none)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let o = hunch_in(&home)
        .args(["report", "--journal"])
        .arg(&none)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert_eq!(listing(&home), before);

    // A journal left by a monitor that stopped without checkpointing, whose `-shm` index
    // was then deleted: read with its log applied, and no index made.
    let live = home.join("live");
    std::fs::create_dir(&live).unwrap();
    let (mut j, _) = hunch::journal::Journal::open(&live.join("j.sqlite")).unwrap();
    let t0 = jiff::Timestamp::now().as_millisecond() - 600_000;
    for k in 0..300 {
        j.sample(
            t0 + k * 1000,
            1000,
            hunch::vocab::MonitorState::Hunched,
            Some(9.0),
            1.0,
        )
        .unwrap();
    }
    j.flush().unwrap();
    let copy = home.join("copy");
    std::fs::create_dir(&copy).unwrap();
    std::fs::copy(live.join("j.sqlite"), copy.join("j.sqlite")).unwrap();
    std::fs::copy(live.join("j.sqlite-wal"), copy.join("j.sqlite-wal")).unwrap();
    drop(j);
    let before = listing(&copy);
    let r = json_report(&home, &copy.join("j.sqlite"));
    assert_eq!(r["hunched_s"].as_f64(), Some(300.0), "{r}");
    assert_eq!(listing(&copy), before, "reading made a file");
}

/// Journal `name` in `dir` with `n` hunched samples ending now, its log left in place
/// (the connection is kept open by the returned journal).
fn journal_with_log(dir: &Path, name: &str, n: i64) -> hunch::journal::Journal {
    let (mut j, _) = hunch::journal::Journal::open(&dir.join(name)).unwrap();
    let t0 = jiff::Timestamp::now().as_millisecond() - n * 1000;
    for k in 0..n {
        j.sample(
            t0 + k * 1000,
            1000,
            hunch::vocab::MonitorState::Hunched,
            Some(9.0),
            1.0,
        )
        .unwrap();
    }
    j.flush().unwrap();
    j
}

#[test]
fn another_journals_log_is_never_applied() {
    let env = MonitorEnv::new("hostile-foreign-wal");
    let home = env.home.clone();
    let a = home.join("a.sqlite");
    journal_with_an_hour(&a); // closed: its rows are in the file itself, no log beside it
    let before = json_report(&home, &a);
    // Another journal's uncommitted-to-file log, copied beside `a`.
    let other = journal_with_log(&home, "b.sqlite", 120);
    std::fs::copy(home.join("b.sqlite-wal"), home.join("a.sqlite-wal")).unwrap();
    drop(other);

    // A report ignores it, says so, and shows a's own figures.
    let o = hunch_in(&home)
        .args(["report", "--json", "--journal"])
        .arg(&a)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let after: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(after["hunched_s"], before["hunched_s"]);
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("does not belong to this journal"),
        "{}",
        text(&o)
    );
    // The monitor moves it aside, tells the user, and a's samples are all still there.
    let rows = hunch::journal::Journal::open_read_only(&a)
        .unwrap()
        .samples(i64::MIN, i64::MAX)
        .unwrap()
        .len();
    let o = replay(&env, &a);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("did not belong to it"),
        "{}",
        text(&o)
    );
    assert!(listing(&home)
        .iter()
        .any(|n| n.starts_with("a.sqlite-wal.stray-")));
    let j = hunch::journal::Journal::open_read_only(&a).unwrap();
    assert_eq!(j.samples(i64::MIN, i64::MAX).unwrap().len(), rows + 240);

    // A log with no journal at all is moved aside, not emptied, when one is started.
    let orphan = home.join("orphan.sqlite");
    let third = journal_with_log(&home, "c.sqlite", 60);
    std::fs::copy(home.join("c.sqlite-wal"), home.join("orphan.sqlite-wal")).unwrap();
    drop(third);
    let log = std::fs::read(home.join("orphan.sqlite-wal")).unwrap();
    let o = hunch_in(&home)
        .args(["headache", "--journal"])
        .arg(&orphan)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let moved: Vec<String> = listing(&home)
        .into_iter()
        .filter(|n| n.starts_with("orphan.sqlite-wal.stray-"))
        .collect();
    assert_eq!(moved.len(), 1, "{:?}", listing(&home));
    assert_eq!(std::fs::read(home.join(&moved[0])).unwrap(), log);
}

#[test]
fn the_monitor_refuses_a_journal_it_cannot_write() {
    let env = MonitorEnv::new("hostile-read-only");
    let dir = env.home.join("ro");
    std::fs::create_dir(&dir).unwrap();
    let j = dir.join("journal.sqlite");
    journal_with_an_hour(&j);
    // Root writes through file modes; it is stopped by a read-only file system instead.
    let _mount = if as_root("a read-only mount") {
        assert!(Command::new("mount")
            .args(["--bind"])
            .arg(&dir)
            .arg(&dir)
            .status()
            .unwrap()
            .success());
        assert!(Command::new("mount")
            .args(["-o", "remount,bind,ro"])
            .arg(&dir)
            .status()
            .unwrap()
            .success());
        Some(Unmount(dir.clone()))
    } else {
        std::fs::set_permissions(&j, std::os::unix::fs::PermissionsExt::from_mode(0o400)).unwrap();
        None
    };
    let t = std::time::Instant::now();
    let o = replay(&env, &j);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("cannot be written"),
        "{}",
        text(&o)
    );
    // Refused at once, before any frame: no model was loaded, nothing was monitored.
    assert!(t.elapsed() < Duration::from_secs(5), "{:?}", t.elapsed());
    assert!(!String::from_utf8_lossy(&o.stderr).contains("monitoring"));
}

struct Unmount(std::path::PathBuf);

impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn a_broken_journal_gets_one_sentence_with_the_fix() {
    let home = tempdir("hostile-broken-journal");
    let good = home.join("good.sqlite");
    journal_with_an_hour(&good);
    let bytes = std::fs::read(&good).unwrap();
    type Make = Box<dyn Fn(&Path)>;
    let cases: [(&str, Make, &str); 3] = [
        (
            "empty.sqlite",
            Box::new(|p| std::fs::write(p, b"").unwrap()),
            "it is empty",
        ),
        (
            "cut.sqlite",
            Box::new(move |p| std::fs::write(p, &bytes[..bytes.len() / 2]).unwrap()),
            "is damaged",
        ),
        (
            "dir.sqlite",
            Box::new(|p| std::fs::create_dir(p).unwrap()),
            "it is a directory",
        ),
    ];
    for (name, make, says) in cases {
        let p = home.join(name);
        make(&p);
        let o = hunch_in(&home)
            .args(["report", "--journal"])
            .arg(&p)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{name}: {}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(says), "{name}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{name}: {err}");
    }
}

// ---------------------------------------------------------------------------------------
// What the user typed, shown and exported safely, and kept as typed.

#[test]
fn diary_text_cannot_run_in_a_spreadsheet_or_rewrite_the_terminal() {
    let home = tempdir("hostile-diary-text");
    let j = home.join("journal.sqlite");
    let forged = "\u{1b}]0;pwned\u{7}\u{1b}[2J\n#99   2026-01-01 09:00 intensity 10/10, migraine";
    for (note, medication) in [
        ("=HYPERLINK(\"http://x\",\"ok\")", "+cmd|' /C calc'!A0"),
        (forged, "@SUM(1)"),
    ] {
        let o = hunch_in(&home)
            .args([
                "headache",
                "--at",
                "yesterday 10:00",
                "--note",
                note,
                "--medication",
                medication,
                "--journal",
            ])
            .arg(&j)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o));
        assert!(!o.stdout.contains(&0x1b), "{}", text(&o));
    }
    // The CSV: formula characters neutralised with a leading quote.
    let o = hunch_in(&home)
        .args([
            "export",
            "--headaches",
            "--from",
            "2000-01-01",
            "--to",
            "2100-01-01",
            "--journal",
        ])
        .arg(&j)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let mut rows = csv::Reader::from_reader(&o.stdout[..]);
    let cells: Vec<Vec<String>> = rows
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(cells.len(), 2);
    for row in &cells {
        for cell in &row[6..8] {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "a formula reaches the spreadsheet: {cell:?}"
            );
        }
    }
    assert_eq!(cells[0][7], "'=HYPERLINK(\"http://x\",\"ok\")");
    // The terminal: no escape byte, one line per entry.
    let o = hunch_in(&home)
        .args(["headache", "list", "--journal"])
        .arg(&j)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        !o.stdout.contains(&0x1b) && !o.stdout.contains(&0x07),
        "{}",
        text(&o)
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout).lines().count(),
        2,
        "{}",
        text(&o)
    );
    // Stored as typed.
    let o = hunch_in(&home)
        .args(["headache", "list", "--jsonl", "--journal"])
        .arg(&j)
        .output()
        .unwrap();
    let notes: Vec<String> = String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["note"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(notes.contains(&forged.to_string()), "{notes:?}");
}

#[test]
fn back_dated_headaches_are_in_the_comparison_or_said_to_be_left_out() {
    let home = tempdir("hostile-back-dated");
    let j = home.join("journal.sqlite");
    let today = jiff::Zoned::now().date();
    let back = today.checked_sub(jiff::Span::new().days(20)).unwrap();
    // The diary is begun today with an entry for today, then one is added for 20 days ago.
    for at in ["now".to_string(), format!("{back} 09:00")] {
        let o = hunch_in(&home)
            .args(["headache", "--at", &at, "--journal"])
            .arg(&j)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o));
    }
    let comparison = |extra: &[&str]| {
        let o = hunch_in(&home)
            .args(["report", "--headaches", "--json"])
            .args(extra)
            .arg("--journal")
            .arg(&j)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", text(&o));
        serde_json::from_slice::<serde_json::Value>(&o.stdout).unwrap()
    };
    // The window reaches back to the earliest entry; only today's is outside it.
    let c = comparison(&[]);
    assert_eq!(c["from"], back.to_string(), "{c}");
    assert_eq!(c["entries_outside_window"], 1, "{c}");
    // Starting it later on purpose leaves the old entry out, and the text says so.
    let since = today
        .checked_sub(jiff::Span::new().days(5))
        .unwrap()
        .to_string();
    let c = comparison(&["--from", &since]);
    assert_eq!(c["entries_outside_window"], 2, "{c}");
    let o = hunch_in(&home)
        .args(["report", "--headaches", "--from", &since, "--journal"])
        .arg(&j)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("2 diary entries outside"),
        "{}",
        text(&o)
    );
}

// ---------------------------------------------------------------------------------------
// Smaller things that said something untrue.

#[test]
fn a_status_right_after_quit_says_the_monitor_is_stopping_or_gone() {
    let env = MonitorEnv::new("hostile-quit-status");
    let mut monitor = env.start();
    let sock = env.home.join("run/hunch/control.sock");
    // Status requests sent together with the quit, on raw connections (no process start
    // between them): some arrive while the monitor is stopping.
    let ask = |line: &[u8]| {
        let mut s = UnixStream::connect(&sock).ok()?;
        std::io::Write::write_all(&mut s, line).ok()?;
        Some(s)
    };
    let quit = ask(b"{\"command\":\"quit\"}\n").unwrap();
    let asked: Vec<UnixStream> = (0..10)
        .filter_map(|_| ask(b"{\"command\":\"status\"}\n"))
        .collect();
    drop(quit);
    let mut replies = Vec::new();
    for mut s in asked {
        let mut r = String::new();
        let _ = s.read_to_string(&mut r);
        replies.push(r);
    }
    for r in &replies {
        assert!(!r.contains("in time"), "{r}");
        assert!(
            r.contains("\"status\"") || r.contains("stopping") || r.is_empty(),
            "{r}"
        );
    }
    // And from the command line, once it is gone: "not running", never "did not answer".
    monitor.wait().unwrap();
    let o = env.cmd(&["status"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("not running"),
        "{}",
        text(&o)
    );
}

#[test]
fn a_cut_off_picture_and_absurd_dates_are_refused_with_a_reason() {
    let home = tempdir("hostile-small");
    let whole = std::fs::read(common::fixture("demo/upright-0.jpg")).unwrap();
    let cut = home.join("cut.jpg");
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();
    let o = hunch_in(&home).arg("analyze").arg(&cut).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("cut off"),
        "{}",
        text(&o)
    );

    let j = home.join("journal.sqlite");
    for (at, says) in [("0000-01-01", "years ago"), ("9999-12-31", "in the future")] {
        let o = hunch_in(&home)
            .args(["headache", "--at", at, "--journal"])
            .arg(&j)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(says) && !err.contains("overflow"), "{err}");
    }
    assert!(!j.exists(), "a refused entry created the journal");
    // A comparison reaching back to year 0 is refused at once, not computed for seconds.
    journal_with_an_hour(&j);
    let o = hunch_in(&home)
        .args(["headache", "--journal"])
        .arg(&j)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    let t = std::time::Instant::now();
    let o = hunch_in(&home)
        .args(["report", "--headaches", "--from", "0000-01-01", "--journal"])
        .arg(&j)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("at most"),
        "{}",
        text(&o)
    );
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
}

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
    // Forty idle connections, kept up: each one closed is opened again at once.
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
                while idle.len() < 40 {
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

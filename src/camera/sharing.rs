//! Sharing the camera with other applications.
//!
//! A V4L2 camera streams to one process at a time: while hunch holds it, a video call that
//! starts finds it busy. So hunch watches the device node with inotify, which reports every
//! process's opens and closes, and after each one looks in `/proc/*/fd` for who else has
//! it open (its own pid skipped) — unless the opens and closes add up to hunch's own, which
//! at the steady rate (one open and one close per sample) they usually do. When another application opens the camera, hunch lets go
//! of it and waits; when the others have closed it, hunch takes it up again.
//!
//! * [`DeviceWatch`] is the watcher: inotify and the `/proc` scan on a thread of their own,
//!   handing the set of other holders over a channel whenever it changes.
//! * [`SharingState`] decides, from those sets and from the camera being found busy, when
//!   the camera is in another application's hands and when it is free again: pure, so the
//!   rules are tested without a camera.

use std::collections::{BTreeSet, VecDeque};
use std::fmt;
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use inotify::{EventMask, Inotify, WatchMask};
use thiserror::Error;

/// A change in who has the camera, as the daemon hears it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sharing {
    /// Another application has the camera; `by` names it ("zoom (pid 4242)").
    InUse { by: String },
    /// The other applications have let go of it.
    Free,
}

/// Another process with the device open.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Holder {
    pub pid: u32,
    /// Its command name (`/proc/PID/comm`).
    pub name: String,
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (pid {})", self.name, self.pid)
    }
}

/// Names a set of holders for the journal: "zoom (pid 4242), obs (pid 77)".
pub fn describe(holders: &[Holder]) -> String {
    if holders.is_empty() {
        return "another app".into();
    }
    holders
        .iter()
        .map(Holder::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// The other processes that have `device` open, by their `/proc/PID/fd` links. Processes
/// whose descriptors cannot be read (another user's) are not seen.
pub fn holders(device: &Path) -> Vec<Holder> {
    scan(device).0
}

/// Matches the links in `/proc/*/fd` against `device` (as given or canonical).
struct DeviceLinks {
    device: PathBuf,
    canonical: Option<PathBuf>,
}

impl DeviceLinks {
    fn new(device: &Path) -> Self {
        Self {
            device: device.to_path_buf(),
            canonical: std::fs::canonicalize(device).ok(),
        }
    }

    /// How many of the descriptors in `fd_dir` (a `/proc/PID/fd`) are the device; `None`
    /// when the directory cannot be read.
    fn count_in(&self, fd_dir: &Path) -> Option<usize> {
        let fds = std::fs::read_dir(fd_dir).ok()?;
        Some(
            fds.flatten()
                .filter(|fd| {
                    std::fs::read_link(fd.path()).is_ok_and(|t| {
                        t == self.device || self.canonical.as_deref() == Some(t.as_path())
                    })
                })
                .count(),
        )
    }
}

/// The other processes that have `device` open, and how many descriptors of the device
/// every process seen has open (hunch's own included).
fn scan(device: &Path) -> (Vec<Holder>, usize) {
    let me = std::process::id();
    let links = DeviceLinks::new(device);
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return (Vec::new(), 0);
    };
    let mut found = Vec::new();
    let mut total = 0;
    for entry in procs.flatten() {
        let Some(pid) = entry
            .file_name()
            .to_str()
            .and_then(|s| s.parse::<u32>().ok())
        else {
            continue;
        };
        let n = links.count_in(&entry.path().join("fd")).unwrap_or(0);
        total += n;
        if n > 0 && pid != me {
            let name = std::fs::read_to_string(entry.path().join("comm"))
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|_| "?".into());
            found.push(Holder { pid, name });
        }
    }
    found.sort();
    (found, total)
}

/// How many descriptors of `device` hunch itself has open (`/proc/self/fd` only: cheap).
fn own_open(device: &Path) -> usize {
    DeviceLinks::new(device)
        .count_in(Path::new("/proc/self/fd"))
        .unwrap_or(0)
}

/// Whether the opens and closes since the last look are all hunch's own, so that the
/// `/proc` scan can be skipped: nobody else held the device at the last look, and the
/// device's open count (the count at that look, plus inotify's opens, minus its closes)
/// equals hunch's own open descriptors now. Anything else (another process opened or
/// closed it, a count that does not add up) means looking.
fn only_our_own(others_at_last_look: bool, open_count: Option<i64>, own_now: usize) -> bool {
    !others_at_last_look && open_count == Some(own_now as i64)
}

#[derive(Debug, Error)]
pub enum WatchError {
    #[error("cannot watch the camera for other applications: {0}")]
    Io(#[from] std::io::Error),
}

/// After an open or close, how long to wait for more before looking in `/proc`: a program
/// that only peeks at the camera (lists its formats) and closes it again within this long
/// is not "using" it.
const SETTLE: Duration = Duration::from_millis(200);

/// While the device node is missing (unplugged), how often to try to watch it again.
const REWATCH_EVERY: Duration = Duration::from_secs(2);

/// Watches a device node on its own thread; see the module docs.
pub struct DeviceWatch {
    rx: Receiver<Vec<Holder>>,
    wake: UnixStream,
    thread: Option<JoinHandle<()>>,
}

impl DeviceWatch {
    /// Starts watching `device`. The first set of holders is sent at once (possibly
    /// empty), then one each time it changes.
    pub fn start(device: PathBuf) -> Result<DeviceWatch, WatchError> {
        let inotify = Inotify::init()?;
        let (wake, wake_thread) = UnixStream::pair()?;
        let (tx, rx) = channel();
        let thread = std::thread::Builder::new()
            .name("hunch-camera-watch".into())
            .spawn(move || watch_loop(&device, inotify, &wake_thread, &tx))?;
        Ok(DeviceWatch {
            rx,
            wake,
            thread: Some(thread),
        })
    }

    /// The latest set of other holders, if it changed since the last call.
    pub fn changed(&self) -> Option<Vec<Holder>> {
        self.rx.try_iter().last()
    }
}

impl Drop for DeviceWatch {
    fn drop(&mut self) {
        let _ = self.wake.write_all(&[1]);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// What waiting on the inotify descriptor and the wake-up socket gave.
enum Woken {
    Events,
    Stop,
    Timeout,
}

/// Waits until `inotify` has events, `wake` is written to, or `timeout` passes (`None`:
/// no limit).
fn wait(inotify: &Inotify, wake: &UnixStream, timeout: Option<Duration>) -> Woken {
    let mut fds = [
        libc::pollfd {
            fd: inotify.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        },
        libc::pollfd {
            fd: wake.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        },
    ];
    let ms = timeout.map_or(-1, |d| d.as_millis().min(i32::MAX as u128) as i32);
    // SAFETY: `fds` is a valid, initialised array of two pollfd structs that lives for the
    // whole call, and its length is passed with it.
    let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, ms) };
    if n < 0 {
        // EINTR: look again soon.
        return Woken::Timeout;
    }
    if fds[1].revents != 0 {
        Woken::Stop
    } else if fds[0].revents != 0 {
        Woken::Events
    } else {
        Woken::Timeout
    }
}

fn watch_loop(device: &Path, mut inotify: Inotify, wake: &UnixStream, tx: &Sender<Vec<Holder>>) {
    let mask = WatchMask::OPEN | WatchMask::CLOSE_WRITE | WatchMask::CLOSE_NOWRITE;
    let mut buf = [0u8; 4096];
    let mut watching = false;
    let mut last: Option<Vec<Holder>> = None;
    let mut look = true;
    // The device's open descriptors: counted at each look, then followed by inotify
    // (`None`: not known, look). hunch's own opens and closes at the steady rate (one of
    // each per sample) then need no scan of every process's descriptors.
    let mut open_count: Option<i64> = None;
    loop {
        if !watching {
            watching = inotify.watches().add(device, mask).is_ok();
            look |= watching;
        }
        if look {
            look = false;
            let others_before = last.as_ref().is_none_or(|l| !l.is_empty());
            if !only_our_own(others_before, open_count, own_open(device)) {
                let (now, total) = scan(device);
                open_count = Some(total as i64);
                if last.as_ref() != Some(&now) {
                    if tx.send(now.clone()).is_err() {
                        return;
                    }
                    last = Some(now);
                }
            }
        }
        match wait(&inotify, wake, (!watching).then_some(REWATCH_EVERY)) {
            Woken::Stop => {
                let mut b = [0u8; 1];
                let _ = (&*wake).read(&mut b);
                return;
            }
            Woken::Timeout => continue,
            Woken::Events => {}
        }
        // Let a burst of opens and closes settle, then look once.
        let settle_until = Instant::now() + SETTLE;
        loop {
            match inotify.read_events(&mut buf) {
                Ok(events) => {
                    for e in events {
                        if e.mask.contains(EventMask::IGNORED) {
                            watching = false; // the node went away (unplugged)
                            open_count = None; // unknown: look
                        } else if e.mask.contains(EventMask::Q_OVERFLOW) {
                            open_count = None; // events lost: look
                        } else if e.mask.contains(EventMask::OPEN) {
                            open_count = open_count.map(|n| n + 1);
                        } else {
                            open_count = open_count.map(|n| n - 1);
                        }
                        look = true;
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(_) => watching = false,
            }
            let now = Instant::now();
            if now >= settle_until {
                break;
            }
            if let Woken::Stop = wait(&inotify, wake, Some(settle_until - now)) {
                return;
            }
        }
    }
}

/// When the holders cannot be seen (another user's process), how long to wait before
/// trying the camera again, at first; doubled after each busy try, up to
/// [`RETRY_UNSEEN_MAX`].
pub const RETRY_UNSEEN: Duration = Duration::from_secs(30);
pub const RETRY_UNSEEN_MAX: Duration = Duration::from_secs(600);

/// Whether the camera is in another application's hands, from what the watcher sees and
/// what opening the camera gave. Reports each change once.
#[derive(Debug, Default)]
pub struct SharingState {
    /// Holders present when watching began, and still there: applications that keep the
    /// device open without streaming (a media server) must not hold monitoring all day.
    baseline: Option<BTreeSet<u32>>,
    /// The other holders last seen.
    holders: Vec<Holder>,
    in_use: bool,
    /// With no holder in sight: when to try the camera again, and the wait after that.
    retry: Option<(Instant, Duration)>,
    changes: VecDeque<Sharing>,
}

impl SharingState {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether another application has the camera now.
    pub fn in_use(&self) -> bool {
        self.in_use
    }

    /// The other holders last seen.
    pub fn holders(&self) -> &[Holder] {
        &self.holders
    }

    /// The watcher saw a new set of other holders. A holder that was not there before
    /// (and not there when watching began) means another application opened the camera.
    /// When a holder went away and no newcomer remains, the camera is free again.
    pub fn holders_changed(&mut self, now: Vec<Holder>) {
        let pids: BTreeSet<u32> = now.iter().map(|h| h.pid).collect();
        let Some(baseline) = &mut self.baseline else {
            self.baseline = Some(pids);
            self.holders = now;
            return;
        };
        baseline.retain(|p| pids.contains(p));
        let before: BTreeSet<u32> = self.holders.iter().map(|h| h.pid).collect();
        let newcomers: Vec<Holder> = now
            .iter()
            .filter(|h| !before.contains(&h.pid) && !baseline.contains(&h.pid))
            .cloned()
            .collect();
        let someone_left = before.iter().any(|p| !pids.contains(p));
        let others_left = now.iter().any(|h| !baseline.contains(&h.pid));
        self.holders = now;
        if !self.in_use && !newcomers.is_empty() {
            self.set_in_use(describe(&newcomers));
        } else if self.in_use && someone_left && !others_left {
            self.set_free();
        }
    }

    /// Opening or starting the camera failed because it is busy: another application has
    /// it, whether or not the watcher has seen it open.
    pub fn busy(&mut self, at: Instant) {
        if self.in_use {
            return;
        }
        let seen: Vec<Holder> = self.holders.clone();
        // Whoever is seen will be seen leaving. With nobody in sight (another user's
        // process), try again now and then.
        if seen.is_empty() {
            // Each busy try after a retry waits longer than the one before.
            let wait = self.retry.map_or(RETRY_UNSEEN, |(_, w)| w);
            self.retry = Some((at + wait, wait));
        }
        self.set_in_use(describe(&seen));
    }

    /// Time passes: with nobody in sight, the camera is tried again now and then (it is
    /// reported free; if it is still busy, [`SharingState::busy`] follows).
    pub fn tick(&mut self, now: Instant) {
        if let Some((at, wait)) = self.retry {
            if self.in_use && now >= at {
                let next = (wait * 2).min(RETRY_UNSEEN_MAX);
                self.set_free();
                self.retry = Some((now + next, next));
            }
        }
    }

    /// The next change to report, oldest first.
    pub fn next_change(&mut self) -> Option<Sharing> {
        self.changes.pop_front()
    }

    fn set_in_use(&mut self, by: String) {
        self.in_use = true;
        self.changes.push_back(Sharing::InUse { by });
    }

    fn set_free(&mut self) {
        self.in_use = false;
        self.changes.push_back(Sharing::Free);
    }

    /// A frame came: the camera is ours; the retry wait starts afresh next time.
    pub fn got_frame(&mut self) {
        self.retry = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pid: u32, name: &str) -> Holder {
        Holder {
            pid,
            name: name.into(),
        }
    }

    fn changes(s: &mut SharingState) -> Vec<Sharing> {
        std::iter::from_fn(|| s.next_change()).collect()
    }

    #[test]
    fn another_app_opening_is_in_use_until_it_closes() {
        let mut s = SharingState::new();
        s.holders_changed(vec![]);
        assert!(changes(&mut s).is_empty());
        s.holders_changed(vec![h(4242, "zoom")]);
        assert_eq!(
            changes(&mut s),
            [Sharing::InUse {
                by: "zoom (pid 4242)".into()
            }]
        );
        assert!(s.in_use());
        // A second app joining changes nothing; the first leaving neither, while the
        // second still has it.
        s.holders_changed(vec![h(4242, "zoom"), h(77, "obs")]);
        s.holders_changed(vec![h(77, "obs")]);
        assert!(changes(&mut s).is_empty());
        s.holders_changed(vec![]);
        assert_eq!(changes(&mut s), [Sharing::Free]);
        assert!(!s.in_use());
    }

    #[test]
    fn an_idle_holder_from_before_does_not_hold_monitoring() {
        let mut s = SharingState::new();
        // A media server had the device open before hunch started, and keeps it.
        s.holders_changed(vec![h(900, "pipewire")]);
        s.holders_changed(vec![h(900, "pipewire")]);
        assert!(changes(&mut s).is_empty());
        // A call opens it: in use; the call ends: free, although the server stays.
        s.holders_changed(vec![h(900, "pipewire"), h(4242, "zoom")]);
        s.holders_changed(vec![h(900, "pipewire")]);
        assert_eq!(
            changes(&mut s),
            [
                Sharing::InUse {
                    by: "zoom (pid 4242)".into()
                },
                Sharing::Free
            ]
        );
        // Once it has closed, the server opening again is a newcomer like any other.
        s.holders_changed(vec![]);
        s.holders_changed(vec![h(900, "pipewire")]);
        assert!(s.in_use());
    }

    #[test]
    fn busy_names_who_has_it_and_ends_when_they_close() {
        let mut s = SharingState::new();
        let t0 = Instant::now();
        // The call was running before hunch started.
        s.holders_changed(vec![h(4242, "zoom")]);
        s.busy(t0);
        s.busy(t0); // once only
        assert_eq!(
            changes(&mut s),
            [Sharing::InUse {
                by: "zoom (pid 4242)".into()
            }]
        );
        s.tick(t0 + RETRY_UNSEEN_MAX * 2);
        assert!(
            changes(&mut s).is_empty(),
            "no retries while it is in sight"
        );
        s.holders_changed(vec![]);
        assert_eq!(changes(&mut s), [Sharing::Free]);
    }

    #[test]
    fn busy_with_nobody_in_sight_retries_quietly_with_backoff() {
        let mut s = SharingState::new();
        let t0 = Instant::now();
        s.holders_changed(vec![]);
        s.busy(t0);
        assert_eq!(
            changes(&mut s),
            [Sharing::InUse {
                by: "another app".into()
            }]
        );
        s.tick(t0 + RETRY_UNSEEN - Duration::from_secs(1));
        assert!(changes(&mut s).is_empty());
        let t1 = t0 + RETRY_UNSEEN;
        s.tick(t1);
        assert_eq!(changes(&mut s), [Sharing::Free]);
        // Still busy: the next try waits twice as long.
        s.busy(t1);
        changes(&mut s);
        s.tick(t1 + RETRY_UNSEEN * 2 - Duration::from_secs(1));
        assert!(changes(&mut s).is_empty());
        s.tick(t1 + RETRY_UNSEEN * 2);
        assert_eq!(changes(&mut s), [Sharing::Free]);
    }

    #[test]
    fn only_hunchs_own_opens_and_closes_skip_the_scan() {
        // Nobody else at the last look, and the count adds up to our own descriptors.
        assert!(only_our_own(false, Some(1), 1));
        assert!(only_our_own(false, Some(0), 0));
        // Someone else held it then, or the count says someone else has it now (or let go
        // of one we did not count), or the count is not known: look.
        assert!(!only_our_own(true, Some(1), 1));
        assert!(!only_our_own(false, Some(2), 1));
        assert!(!only_our_own(false, Some(0), 1));
        assert!(!only_our_own(false, None, 0));
    }

    #[test]
    fn the_scan_counts_every_descriptor_of_the_device_ours_included() {
        let dir = std::env::temp_dir().join(format!("hunch-count-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let node = dir.join("node");
        std::fs::write(&node, b"").unwrap();
        assert_eq!((own_open(&node), scan(&node).1), (0, 0));
        let a = std::fs::File::open(&node).unwrap();
        let b = std::fs::File::open(&node).unwrap();
        assert_eq!(own_open(&node), 2);
        let (others, total) = scan(&node);
        assert!(others.is_empty());
        assert_eq!(total, 2);
        drop((a, b));
        assert_eq!(own_open(&node), 0);
    }

    #[test]
    fn holders_are_found_through_proc_and_our_own_pid_is_skipped() {
        let dir = std::env::temp_dir().join(format!("hunch-holders-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let node = dir.join("node");
        std::fs::write(&node, b"").unwrap();
        // We hold it ourselves: not counted.
        let _mine = std::fs::File::open(&node).unwrap();
        assert!(holders(&node).is_empty());
        // Another process holds it.
        let mut child = std::process::Command::new("sh")
            .arg("-c")
            .arg("exec 3<\"$0\"; echo ready; exec sleep 5")
            .arg(&node)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut line = [0u8; 6];
        child.stdout.take().unwrap().read_exact(&mut line).unwrap();
        // "ready" comes before `exec sleep`: under load the holder may still be `sh` for a
        // moment, so wait (at most 5 s) for the exec to be seen.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        let mut found = holders(&node);
        while found.first().is_some_and(|h| h.name != "sleep")
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(std::time::Duration::from_millis(10));
            found = holders(&node);
        }
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].pid, child.id());
        assert_eq!(found[0].name, "sleep");
    }
}

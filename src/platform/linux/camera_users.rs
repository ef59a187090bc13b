//! Who else has the camera open, on Linux: inotify on the device node reports every
//! process's opens and closes, and after each one a look in `/proc/*/fd` finds who has it
//! open (hunch's own pid skipped) — unless the opens and closes add up to hunch's own,
//! which at the steady rate (one open and one close per sample) they usually do.
//! [`DeviceWatch`] runs on a thread of its own and hands the set of other holders over a
//! channel whenever it changes.

use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use inotify::{EventMask, Inotify, WatchMask};
use thiserror::Error;

use crate::camera::sharing::Holder;

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
    /// Starts watching camera `index`'s device node. The first set of holders is sent at
    /// once (possibly empty), then one each time it changes.
    pub fn start(index: u32) -> Result<DeviceWatch, WatchError> {
        Self::start_at(super::camera::device_node(index))
    }

    /// As [`DeviceWatch::start`], on the device node at `device`.
    pub fn start_at(device: PathBuf) -> Result<DeviceWatch, WatchError> {
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

#[cfg(test)]
mod tests {
    use super::*;

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

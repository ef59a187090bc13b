//! Sharing the camera with other applications.
//!
//! A camera streams to one process at a time: while hunch holds it, a video call that
//! starts finds it busy. So hunch watches who else has the camera open, lets go of it when
//! another application opens it, and takes it up again when the others have closed it.
//!
//! * The watcher ([`crate::platform::camera_users::DeviceWatch`]) is the operating
//!   system's part: it hands over the set of other holders whenever it changes (on Linux:
//!   inotify on the device node and a look in `/proc/*/fd`).
//! * [`SharingState`] decides, from those sets and from the camera being found busy, when
//!   the camera is in another application's hands and when it is free again: pure, so the
//!   rules are tested without a camera.

use std::collections::{BTreeSet, VecDeque};
use std::fmt;
use std::time::{Duration, Instant};

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
    /// Its command name (`/proc/PID/comm`; on Windows, the program's file name).
    pub name: String,
}

impl fmt::Display for Holder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // pid 0: the system said who, not which process (Windows' consent store).
        match self.pid {
            0 => write!(f, "{}", self.name),
            pid => write!(f, "{} (pid {pid})", self.name),
        }
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

/// When the holders cannot be seen (another user's process), how long to wait before
/// trying the camera again, at first; doubled after each busy try, up to
/// [`RETRY_UNSEEN_MAX`].
const RETRY_UNSEEN: Duration = Duration::from_secs(30);
const RETRY_UNSEEN_MAX: Duration = Duration::from_secs(600);

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
}

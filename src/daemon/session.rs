//! Is the screen locked? The daemon asks a [`SessionWatch`] for changes. [`Loginctl`]
//! asks systemd-logind through `loginctl` (the session's `LockedHint`, which desktop
//! lockers set). Where that cannot be asked (no logind, no session id), the answer is "not
//! locked": hunch then simply keeps monitoring.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How often to ask: a lock is noticed within this long.
pub const CHECK_EVERY: Duration = Duration::from_secs(5);

/// A change in the user's session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionEvent {
    Locked,
    Unlocked,
    /// The machine is about to sleep (logind's `PrepareForSleep(true)`).
    Sleeping,
    /// The machine woke up (`PrepareForSleep(false)`).
    Woke,
}

pub trait SessionWatch: Send {
    /// The next change since the last call, if any. Called on every turn of the daemon's
    /// loop: must not block.
    fn poll(&mut self) -> Option<SessionEvent>;
}

/// No session to watch (a replay, a test).
#[derive(Debug, Default)]
pub struct NoSession;

impl SessionWatch for NoSession {
    fn poll(&mut self) -> Option<SessionEvent> {
        None
    }
}

/// `LockedHint` from `loginctl`, asked every [`CHECK_EVERY`].
#[derive(Debug, Default)]
pub struct Loginctl {
    last_check: Option<Instant>,
    locked: bool,
    /// Set once asking has failed, so a machine without logind is not asked every time.
    unavailable: bool,
}

impl SessionWatch for Loginctl {
    fn poll(&mut self) -> Option<SessionEvent> {
        let was = self.locked;
        match (was, self.locked()) {
            (false, true) => Some(SessionEvent::Locked),
            (true, false) => Some(SessionEvent::Unlocked),
            _ => None,
        }
    }
}

impl Loginctl {
    pub fn new() -> Self {
        Self::default()
    }

    /// The latest answer, refreshed every [`CHECK_EVERY`].
    pub fn locked(&mut self) -> bool {
        if self.unavailable || self.last_check.is_some_and(|t| t.elapsed() < CHECK_EVERY) {
            return self.locked;
        }
        self.last_check = Some(Instant::now());
        match query() {
            Some(l) => self.locked = l,
            None => {
                self.unavailable = true;
                self.locked = false;
            }
        }
        self.locked
    }
}

fn loginctl(args: &[&str]) -> Option<String> {
    let out = Command::new("loginctl")
        .args(args)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The session to ask about: ours, or (as a systemd user service, which runs outside any
/// session) the user's graphical one.
fn session() -> Option<String> {
    if let Some(s) = std::env::var("XDG_SESSION_ID")
        .ok()
        .filter(|s| !s.is_empty())
    {
        return Some(s);
    }
    use std::os::unix::fs::MetadataExt;
    let uid = std::fs::metadata("/proc/self").ok()?.uid().to_string();
    loginctl(&["show-user", &uid, "--property=Display", "--value"]).filter(|s| !s.is_empty())
}

fn query() -> Option<bool> {
    let session = session()?;
    match loginctl(&["show-session", &session, "--property=LockedHint", "--value"])?.as_str() {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

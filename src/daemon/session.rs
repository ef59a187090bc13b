//! Is the screen locked, is the machine going to sleep? The daemon asks a [`SessionWatch`]
//! for changes; the system's own watch is [`crate::platform::session::session_watch`] (on Linux,
//! logind over the system bus: the session's `LockedHint`, which desktop lockers set, and
//! `PrepareForSleep`). Where that cannot be asked (no bus, no logind, no session), the
//! answer is "not locked, not asleep": hunch then simply keeps monitoring.

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
    /// loop: must not block. By the time it is called again, the event it returned has been
    /// handled (after [`SessionEvent::Sleeping`]: the camera is closed).
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

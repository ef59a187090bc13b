//! Screen lock and sleep from systemd-logind, over the system bus (`zbus`).
//!
//! One thread of its own holds the bus connection and runs zbus's runtime in
//! [`zbus::block_on`]; it hands [`SessionEvent`]s to the daemon over a channel, so
//! [`Logind::poll`] is a `try_recv` and the daemon's loop never waits on the bus.
//!
//! What it follows, all by signal (nothing is polled):
//! - `org.freedesktop.login1.Manager.PrepareForSleep(b)`: `true` is [`SessionEvent::Sleeping`],
//!   `false` [`SessionEvent::Woke`].
//! - the session's `LockedHint` (`org.freedesktop.login1.Session`, which desktop lockers set),
//!   read once at start and then from `org.freedesktop.DBus.Properties.PropertiesChanged`.
//!   The session is ours (`XDG_SESSION_ID`, else the one our process belongs to), or, for a
//!   systemd user service, which runs outside any session, the user's `Display` session,
//!   whose changes (a new graphical login) are followed by signal too.
//!
//! The session's `Lock` and `Unlock` signals are not used: they ask a screen locker to lock
//! or unlock, they do not say that it did (without a locker nothing locks, and unlocking by
//! password sends no `Unlock`); a missed unlock would hold monitoring for good.
//!
//! Sleep is delayed until the camera is closed: the watch holds a logind "delay" inhibitor
//! lock for sleep and hands it to the daemon with `Sleeping`; [`Logind::poll`] closes it when
//! the daemon asks for the next event, that is once it has handled `Sleeping` (closed the
//! camera and flushed the journal). logind waits for that at most `InhibitDelayMaxSec`
//! (5 s by default) and then sleeps anyway, so a stuck daemon cannot keep the machine up.
//! After waking a new lock is taken for the next sleep.
//!
//! Without a system bus or logind (a container, a non-systemd system) the watch logs once
//! and reports nothing: never locked, never asleep, and hunch keeps monitoring. If the bus
//! goes away later, a lock it reported is lifted for the same reason.
//!
//! The bus is the system bus at `DBUS_SYSTEM_BUS_ADDRESS` when that is set (the standard
//! override), else the well-known socket.

use std::future::{poll_fn, Future};
use std::os::fd::OwnedFd;
use std::pin::{pin, Pin};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

use futures_core::Stream;
use thiserror::Error;
use zbus::fdo::{PropertiesChanged, PropertiesProxy};
use zbus::proxy::CacheProperties;
use zbus::{Connection, OwnedObjectPath};

use crate::daemon::session::{SessionEvent, SessionWatch};

const LOGIN1: &str = "org.freedesktop.login1";
const SESSION_INTERFACE: &str = "org.freedesktop.login1.Session";
const USER_INTERFACE: &str = "org.freedesktop.login1.User";

/// What the sleep delay lock says in `systemd-inhibit --list`.
const INHIBIT: (&str, &str, &str, &str) = ("sleep", "hunch", "close the camera", "delay");

#[zbus::proxy(
    interface = "org.freedesktop.login1.Manager",
    default_service = "org.freedesktop.login1",
    default_path = "/org/freedesktop/login1"
)]
trait Manager {
    fn get_session(&self, session_id: &str) -> zbus::Result<OwnedObjectPath>;

    /// With `pid` 0: the caller's own session.
    #[zbus(name = "GetSessionByPID")]
    fn get_session_by_pid(&self, pid: u32) -> zbus::Result<OwnedObjectPath>;

    fn get_user(&self, uid: u32) -> zbus::Result<OwnedObjectPath>;

    fn inhibit(&self, what: &str, who: &str, why: &str, mode: &str) -> zbus::Result<zbus::OwnedFd>;

    #[zbus(signal)]
    fn prepare_for_sleep(&self, start: bool) -> zbus::Result<()>;
}

#[zbus::proxy(
    interface = "org.freedesktop.login1.Session",
    default_service = "org.freedesktop.login1"
)]
trait Session {
    #[zbus(property)]
    fn locked_hint(&self) -> zbus::Result<bool>;
}

#[zbus::proxy(
    interface = "org.freedesktop.login1.User",
    default_service = "org.freedesktop.login1"
)]
trait User {
    /// The user's display session: its id and object path (`("", "/")` for none).
    #[zbus(property)]
    fn display(&self) -> zbus::Result<(String, OwnedObjectPath)>;
}

#[derive(Debug, Error)]
enum LogindError {
    #[error("no system bus")]
    Bus(#[source] zbus::Error),
    #[error("logind does not answer on the system bus")]
    Logind(#[source] zbus::Error),
    #[error("the system bus went away")]
    Lost,
}

/// One error and its sources on one line: "a: b: c" (a source that an error's own message
/// already quotes, as zbus's do, is not repeated).
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut source = e.source();
    while let Some(e) = source {
        let text = e.to_string();
        if !s.contains(&text) {
            s.push_str(": ");
            s.push_str(&text);
        }
        source = e.source();
    }
    s
}

/// A session change and, with `Sleeping`, the sleep delay lock to close once it is handled.
struct Report {
    event: SessionEvent,
    inhibitor: Option<OwnedFd>,
}

/// Lock and sleep from logind (see the module's documentation).
pub struct Logind {
    events: Receiver<Report>,
    /// The delay lock that came with `Sleeping`, closed at the next [`Logind::poll`].
    inhibitor: Option<OwnedFd>,
    stop: Arc<Stop>,
}

impl Logind {
    /// Starts the watch on its own thread. Never fails: without logind it reports nothing.
    pub fn start() -> Logind {
        let (tx, events) = mpsc::channel();
        let stop = Arc::new(Stop::default());
        let thread_stop = Arc::clone(&stop);
        let spawned = std::thread::Builder::new()
            .name("logind".into())
            .spawn(move || watch_thread(tx, &thread_stop));
        if let Err(e) = spawned {
            tracing::warn!("cannot start the logind watch ({e}): hunch will not see screen locks or sleep, and keeps monitoring");
        }
        Logind {
            events,
            inhibitor: None,
            stop,
        }
    }
}

impl SessionWatch for Logind {
    fn poll(&mut self) -> Option<SessionEvent> {
        // Asked again, so the previous event has been handled: after `Sleeping` the camera
        // is closed and the machine may sleep.
        self.inhibitor = None;
        let report = self.events.try_recv().ok()?;
        self.inhibitor = report.inhibitor;
        Some(report.event)
    }
}

impl Drop for Logind {
    fn drop(&mut self) {
        self.stop.set();
    }
}

/// Tells the watch's thread to end (the daemon is gone), waking it.
#[derive(Default)]
struct Stop(Mutex<(bool, Option<Waker>)>);

impl Stop {
    fn set(&self) {
        let mut s = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        s.0 = true;
        if let Some(w) = s.1.take() {
            w.wake();
        }
    }

    fn poll(&self, cx: &mut Context<'_>) -> bool {
        let mut s = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if !s.0 {
            s.1 = Some(cx.waker().clone());
        }
        s.0
    }
}

/// The daemon's end of the channel, and what it was last told about the lock.
struct Out {
    tx: Sender<Report>,
    locked: bool,
}

/// The daemon stopped listening (it was dropped): the watch ends.
struct Gone;

impl Out {
    fn send(&self, event: SessionEvent, inhibitor: Option<OwnedFd>) -> Result<(), Gone> {
        self.tx.send(Report { event, inhibitor }).map_err(|_| Gone)
    }

    /// Reports the lock state if it changed.
    fn locked(&mut self, locked: bool) -> Result<(), Gone> {
        if locked == self.locked {
            return Ok(());
        }
        self.locked = locked;
        self.send(
            if locked {
                SessionEvent::Locked
            } else {
                SessionEvent::Unlocked
            },
            None,
        )
    }
}

fn watch_thread(tx: Sender<Report>, stop: &Stop) {
    let mut out = Out { tx, locked: false };
    match zbus::block_on(watch(&mut out, stop)) {
        Ok(()) => {}
        Err(e @ LogindError::Lost) => {
            tracing::warn!("{e}: hunch no longer sees screen locks or sleep, and keeps monitoring")
        }
        Err(e) => tracing::info!(
            "{}: hunch cannot see screen locks or sleep, and keeps monitoring",
            chain(&e)
        ),
    }
    // From here on: never locked.
    let _ = out.locked(false);
}

/// What woke the watch.
enum Next {
    Stop,
    Lost,
    Sleep(zbus::Result<bool>),
    User(PropertiesChanged),
    Session(PropertiesChanged),
}

/// Polls an optional stream; a stream that ends means the connection is gone.
fn poll_changes(
    stream: &mut Option<impl Stream<Item = PropertiesChanged> + Unpin>,
    cx: &mut Context<'_>,
) -> Poll<Option<PropertiesChanged>> {
    match stream {
        Some(s) => Pin::new(s).poll_next(cx),
        None => Poll::Pending,
    }
}

async fn watch(out: &mut Out, stop: &Stop) -> Result<(), LogindError> {
    let conn = Connection::system().await.map_err(LogindError::Bus)?;
    let manager = ManagerProxy::new(&conn)
        .await
        .map_err(LogindError::Logind)?;
    let mut sleeps = manager
        .receive_prepare_for_sleep()
        .await
        .map_err(LogindError::Logind)?;
    // Subscribed before the first question, so that nothing between them is missed.
    let mut inhibitor = Inhibitor::default();
    inhibitor.take(&manager).await;
    let mut lock = LockWatch::find(&conn, &manager).await;
    let mut closed = pin!(conn.closed());
    if lock.report(out).await.is_err() {
        return Ok(());
    }

    loop {
        let next = poll_fn(|cx| {
            if stop.poll(cx) {
                return Poll::Ready(Next::Stop);
            }
            if closed.as_mut().poll(cx).is_ready() {
                return Poll::Ready(Next::Lost);
            }
            if let Poll::Ready(s) = Pin::new(&mut sleeps).poll_next(cx) {
                return Poll::Ready(match s {
                    Some(s) => Next::Sleep(s.args().map(|a| a.start)),
                    None => Next::Lost,
                });
            }
            if let Poll::Ready(c) = poll_changes(&mut lock.user_changes, cx) {
                return Poll::Ready(c.map_or(Next::Lost, Next::User));
            }
            if let Poll::Ready(c) = poll_changes(&mut lock.session_changes, cx) {
                return Poll::Ready(c.map_or(Next::Lost, Next::Session));
            }
            Poll::Pending
        })
        .await;
        let sent = match next {
            Next::Stop => return Ok(()),
            Next::Lost => return Err(LogindError::Lost),
            Next::Sleep(Ok(true)) => out.send(SessionEvent::Sleeping, inhibitor.fd.take()),
            Next::Sleep(Ok(false)) => {
                let sent = out.send(SessionEvent::Woke, None);
                inhibitor.take(&manager).await;
                sent
            }
            Next::Sleep(Err(e)) => {
                tracing::debug!("PrepareForSleep with unexpected arguments: {e}");
                Ok(())
            }
            Next::User(changed) => {
                if mentions(&changed, USER_INTERFACE, "Display") {
                    lock.follow_display(&conn).await;
                    lock.report(out).await
                } else {
                    Ok(())
                }
            }
            Next::Session(changed) => match locked_hint_in(&changed) {
                Some(locked) => out.locked(locked),
                None if mentions(&changed, SESSION_INTERFACE, "LockedHint") => {
                    lock.report(out).await
                }
                None => Ok(()),
            },
        };
        if sent.is_err() {
            return Ok(());
        }
    }
}

/// Whether a `PropertiesChanged` from `interface` changes or invalidates `property`.
fn mentions(changed: &PropertiesChanged, interface: &str, property: &str) -> bool {
    changed.args().is_ok_and(|a| {
        a.interface_name.as_str() == interface
            && (a.changed_properties.contains_key(property)
                || a.invalidated_properties.contains(&property))
    })
}

/// The new `LockedHint` a `PropertiesChanged` carries, if it carries one of the right type.
fn locked_hint_in(changed: &PropertiesChanged) -> Option<bool> {
    let args = changed.args().ok()?;
    if args.interface_name.as_str() != SESSION_INTERFACE {
        return None;
    }
    args.changed_properties
        .get("LockedHint")?
        .downcast_ref::<bool>()
        .ok()
}

/// The sleep delay lock, while held.
#[derive(Default)]
struct Inhibitor {
    fd: Option<OwnedFd>,
    /// A refusal was logged (once is enough).
    refused: bool,
}

impl Inhibitor {
    async fn take(&mut self, manager: &ManagerProxy<'_>) {
        let (what, who, why, mode) = INHIBIT;
        match manager.inhibit(what, who, why, mode).await {
            Ok(fd) => self.fd = Some(fd.into()),
            Err(e) => {
                if !self.refused {
                    tracing::info!("logind refused a sleep delay lock ({e}): the camera may still be open when the machine sleeps");
                }
                self.refused = true;
            }
        }
    }
}

/// The session whose `LockedHint` is followed, and how it was found.
#[derive(Default)]
struct LockWatch {
    /// The user's object, when the session is the user's display session.
    user: Option<UserProxy<'static>>,
    user_changes: Option<zbus::fdo::PropertiesChangedStream>,
    session: Option<SessionProxy<'static>>,
    session_changes: Option<zbus::fdo::PropertiesChangedStream>,
}

impl LockWatch {
    /// Ours (`XDG_SESSION_ID`, or the session our process is in), else the user's display
    /// session. Logs once when there is none: sleep is still watched.
    async fn find(conn: &Connection, manager: &ManagerProxy<'_>) -> LockWatch {
        let mut w = LockWatch::default();
        if let Some(id) = std::env::var("XDG_SESSION_ID")
            .ok()
            .filter(|s| !s.is_empty())
        {
            match manager.get_session(&id).await {
                Ok(path) => {
                    w.follow_session(conn, Some(path)).await;
                    return w;
                }
                Err(e) => tracing::debug!("logind does not know session {id}: {e}"),
            }
        }
        match manager.get_session_by_pid(0).await {
            Ok(path) => {
                w.follow_session(conn, Some(path)).await;
                return w;
            }
            Err(e) => tracing::debug!("not in a login session: {e}"),
        }
        let user = match our_uid() {
            Some(uid) => manager.get_user(uid).await.map_err(|e| e.to_string()),
            None => Err("cannot read our user id from /proc/self".to_string()),
        };
        match user {
            Ok(path) => {
                w.follow_user(conn, path).await;
                if w.session.is_none() {
                    tracing::info!("no graphical session yet: hunch will follow screen locks once there is one");
                }
            }
            Err(e) => tracing::info!(
                "no login session to watch for screen locks ({e}); sleep is still watched"
            ),
        }
        w
    }

    /// Follows the user's `Display` property, and the session it names.
    async fn follow_user(&mut self, conn: &Connection, path: OwnedObjectPath) {
        let proxy = match UserProxy::builder(conn)
            .path(path.clone())
            .cache_properties(CacheProperties::No)
            .build()
            .await
        {
            Ok(p) => p,
            Err(e) => {
                tracing::info!("cannot follow the user's sessions ({e}); sleep is still watched");
                return;
            }
        };
        self.user_changes = properties_changed(conn, path, USER_INTERFACE).await;
        self.user = Some(proxy);
        self.follow_display(conn).await;
    }

    /// (Re)reads the user's display session and follows it, if it is another one.
    async fn follow_display(&mut self, conn: &Connection) {
        let Some(user) = &self.user else { return };
        let session = match user.display().await {
            Ok((_, path)) if path.as_str() != "/" => Some(path),
            Ok(_) => None,
            Err(e) => {
                tracing::debug!("cannot read the user's display session: {e}");
                return;
            }
        };
        if session.as_ref().map(|p| p.as_str())
            != self.session.as_ref().map(|s| s.inner().path().as_str())
        {
            self.follow_session(conn, session).await;
        }
    }

    async fn follow_session(&mut self, conn: &Connection, path: Option<OwnedObjectPath>) {
        self.session = None;
        self.session_changes = None;
        let Some(path) = path else { return };
        tracing::debug!("following LockedHint of {}", path.as_str());
        // Subscribed first, then read, so that no change falls in between.
        self.session_changes = properties_changed(conn, path.clone(), SESSION_INTERFACE).await;
        match SessionProxy::builder(conn)
            .path(path)
            .cache_properties(CacheProperties::No)
            .build()
            .await
        {
            Ok(p) => self.session = Some(p),
            Err(e) => tracing::info!("cannot follow the session's screen lock: {e}"),
        }
    }

    /// Reads `LockedHint` (not locked without a session) and reports it if it changed.
    async fn report(&self, out: &mut Out) -> Result<(), Gone> {
        let locked = match &self.session {
            None => false,
            Some(s) => match s.locked_hint().await {
                Ok(l) => l,
                Err(e) => {
                    tracing::debug!("cannot read LockedHint: {e}");
                    return Ok(());
                }
            },
        };
        out.locked(locked)
    }
}

/// `PropertiesChanged` of `interface` on `path` (filtered by the bus), if it can subscribe.
async fn properties_changed(
    conn: &Connection,
    path: OwnedObjectPath,
    interface: &str,
) -> Option<zbus::fdo::PropertiesChangedStream> {
    let proxy = PropertiesProxy::builder(conn)
        .destination(LOGIN1)
        .path(path)
        .build()
        .await;
    let subscribed = match proxy {
        Ok(p) => {
            p.receive_properties_changed_with_args(&[(0, interface)])
                .await
        }
        Err(e) => Err(e),
    };
    subscribed
        .map_err(|e| tracing::info!("cannot follow logind's {interface} changes: {e}"))
        .ok()
}

/// Our user id: the owner of our /proc entry.
fn our_uid() -> Option<u32> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").ok().map(|m| m.uid())
}

/// The session watch on Linux: logind over the system bus.
pub fn session_watch() -> Box<dyn SessionWatch> {
    Box::new(Logind::start())
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use zbus::Variant;

    use super::*;

    /// A `PropertiesChanged` as it might come off the bus.
    fn changed(
        interface: &str,
        key: &str,
        value: Variant<'_>,
        invalidated: &[&str],
    ) -> PropertiesChanged {
        let mut props = HashMap::new();
        props.insert(key, value);
        let msg = zbus::Message::signal(
            "/org/freedesktop/login1/session/c2",
            "org.freedesktop.DBus.Properties",
            "PropertiesChanged",
        )
        .build(&(interface, props, invalidated))
        .unwrap();
        PropertiesChanged::from_message(msg).unwrap()
    }

    #[test]
    fn locked_hint_is_believed_only_as_a_bool_of_the_session() {
        let c = changed(SESSION_INTERFACE, "LockedHint", Variant::from(true), &[]);
        assert_eq!(locked_hint_in(&c), Some(true));
        // The wrong type, the wrong interface, another property: not a lock.
        let c = changed(SESSION_INTERFACE, "LockedHint", Variant::from("yes"), &[]);
        assert_eq!(locked_hint_in(&c), None);
        assert!(mentions(&c, SESSION_INTERFACE, "LockedHint"));
        let c = changed(USER_INTERFACE, "LockedHint", Variant::from(true), &[]);
        assert_eq!(locked_hint_in(&c), None);
        assert!(!mentions(&c, SESSION_INTERFACE, "LockedHint"));
        let c = changed(
            SESSION_INTERFACE,
            "IdleHint",
            Variant::from(true),
            &["LockedHint"],
        );
        assert_eq!(locked_hint_in(&c), None);
        assert!(mentions(&c, SESSION_INTERFACE, "LockedHint"));
    }

    #[test]
    fn a_signal_with_a_body_of_the_wrong_shape_is_ignored() {
        let msg = zbus::Message::signal(
            "/org/freedesktop/login1/session/c2",
            "org.freedesktop.DBus.Properties",
            "PropertiesChanged",
        )
        .build(&(42u32, "LockedHint"))
        .unwrap();
        if let Some(c) = PropertiesChanged::from_message(msg) {
            assert_eq!(locked_hint_in(&c), None);
            assert!(!mentions(&c, SESSION_INTERFACE, "LockedHint"));
        }
    }

    #[test]
    fn an_error_chain_does_not_repeat_what_zbus_already_says() {
        let io = std::io::Error::new(std::io::ErrorKind::NotFound, "No such file");
        let e = LogindError::Bus(zbus::Error::from(io));
        let text = chain(&e);
        assert_eq!(text.matches("No such file").count(), 1, "{text}");
        assert!(text.starts_with("no system bus: "), "{text}");
    }
}

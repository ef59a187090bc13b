//! A private D-Bus bus with a stand-in systemd-logind on it, for the tests of hunch's logind
//! watch. logind itself cannot run here (it needs systemd as PID 1, its cgroups and root),
//! so a small service built on zbus's object server takes the name `org.freedesktop.login1`
//! on a private `dbus-daemon` and answers the part of logind's API hunch uses, with logind's
//! names, types and errors: `Manager.GetSession`, `GetSessionByPID`, `GetUser`, `Inhibit`
//! (a real file descriptor, whose closing the stand-in sees) and the `PrepareForSleep`
//! signal; `Session.LockedHint` and `User.Display`, with `PropertiesChanged` emitted when
//! they change, as logind emits it. Tests drive it (lock, sleep, a new display session) and
//! watch what hunch does.
//!
//! Include with `#[path = "harness/logind.rs"] mod logind;`.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use zbus::message::Header;
use zbus::object_server::SignalEmitter;
use zbus::{Connection, OwnedObjectPath, Variant};

pub const SESSION_INTERFACE: &str = "org.freedesktop.login1.Session";

/// A `dbus-daemon` of our own, listening on a Unix socket; killed when dropped.
pub struct PrivateBus {
    child: Option<Child>,
    socket: PathBuf,
    pub address: String,
}

impl PrivateBus {
    /// Starts a bus listening at `socket` (its directory must exist) and waits until it
    /// accepts connections.
    pub fn start(socket: &Path) -> PrivateBus {
        let _ = std::fs::remove_file(socket);
        let config = socket.with_extension("conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <listen>unix:path={}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                socket.display()
            ),
        )
        .unwrap();
        let mut child = Command::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--nopidfile", "--print-address"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("dbus-daemon (package dbus-daemon, installed by scripts/setup)");
        // It prints its address once it listens.
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert!(line.starts_with("unix:"), "dbus-daemon said {line:?}");
        PrivateBus {
            child: Some(child),
            socket: socket.to_path_buf(),
            address: line.trim().to_string(),
        }
    }

    /// The bus goes away, as if the system bus died.
    pub fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for PrivateBus {
    fn drop(&mut self) {
        self.kill();
        let _ = std::fs::remove_file(&self.socket);
        let _ = std::fs::remove_file(self.socket.with_extension("conf"));
    }
}

/// In-process watches find the bus through `DBUS_SYSTEM_BUS_ADDRESS`, which is one per
/// process. Tests that start one hold this guard, so they run one at a time, each on a fresh
/// bus at the same path (this process's [`system_bus_socket`]). The first call also sets the
/// variable, and removes `XDG_SESSION_ID` (the watch is then a user service, outside any
/// session), while every other test that uses it waits here.
pub fn exclusive() -> MutexGuard<'static, ()> {
    static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());
    static ENV: OnceLock<()> = OnceLock::new();
    let guard = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    ENV.get_or_init(|| {
        let socket = system_bus_socket();
        std::fs::create_dir_all(socket.parent().unwrap()).unwrap();
        std::env::set_var(
            "DBUS_SYSTEM_BUS_ADDRESS",
            format!("unix:path={}", socket.display()),
        );
        std::env::remove_var("XDG_SESSION_ID");
    });
    guard
}

/// Where this test process's private system bus listens.
pub fn system_bus_socket() -> PathBuf {
    std::env::temp_dir()
        .join(format!("hunch-logind-{}", std::process::id()))
        .join("system_bus_socket")
}

/// The sessions and user the stand-in knows.
#[derive(Debug, Clone)]
pub struct Setup {
    /// Session ids and their `LockedHint` at start.
    pub sessions: Vec<(&'static str, bool)>,
    /// The session `GetSessionByPID(0)` finds the caller in (None: "not in a session", as
    /// for a systemd user service).
    pub caller_session: Option<&'static str>,
    /// The user's display session ("" for none).
    pub display: &'static str,
}

impl Default for Setup {
    /// One graphical session, `c2`, unlocked; the caller outside it (a user service).
    fn default() -> Self {
        Setup {
            sessions: vec![("c2", false)],
            caller_session: None,
            display: "c2",
        }
    }
}

/// A sleep delay lock handed out by `Inhibit`.
#[derive(Debug, Clone)]
pub struct InhibitLock {
    pub what: String,
    pub who: String,
    pub why: String,
    pub mode: String,
    /// Set when every copy of the descriptor is closed.
    released: Arc<Mutex<Option<Instant>>>,
}

impl InhibitLock {
    pub fn released(&self) -> bool {
        self.released
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some()
    }

    /// Waits up to `timeout` for the lock to be released.
    pub fn wait_released(&self, timeout: Duration) -> bool {
        let t = Instant::now();
        while t.elapsed() < timeout {
            if self.released() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        self.released()
    }
}

#[derive(Debug, Default)]
struct Shared {
    caller_session: Option<String>,
    session_ids: Vec<String>,
    inhibitors: Vec<InhibitLock>,
    /// `Get`/`GetAll` of `LockedHint` and `Display` by clients (not counting the reads for
    /// our own change signals).
    locked_hint_reads: usize,
    display_reads: usize,
}

type State = Arc<Mutex<Shared>>;

fn lock(s: &State) -> MutexGuard<'_, Shared> {
    s.lock().unwrap_or_else(PoisonError::into_inner)
}

fn session_path(id: &str) -> OwnedObjectPath {
    OwnedObjectPath::try_from(format!("/org/freedesktop/login1/session/{id}")).unwrap()
}

fn user_path(uid: u32) -> OwnedObjectPath {
    OwnedObjectPath::try_from(format!("/org/freedesktop/login1/user/_{uid}")).unwrap()
}

/// logind's errors, by their D-Bus names.
#[derive(Debug, zbus::DBusError)]
#[zbus(prefix = "org.freedesktop.login1")]
enum LoginError {
    #[zbus(error)]
    ZBus(zbus::Error),
    NoSuchSession(String),
    NoSessionForPID(String),
    NoSuchUser(String),
}

struct Manager {
    state: State,
    uid: u32,
}

#[zbus::interface(name = "org.freedesktop.login1.Manager")]
impl Manager {
    fn get_session(&self, session_id: &str) -> Result<OwnedObjectPath, LoginError> {
        if lock(&self.state)
            .session_ids
            .iter()
            .any(|s| s == session_id)
        {
            Ok(session_path(session_id))
        } else {
            Err(LoginError::NoSuchSession(format!(
                "No session '{session_id}' known"
            )))
        }
    }

    #[zbus(name = "GetSessionByPID")]
    fn get_session_by_pid(&self, _pid: u32) -> Result<OwnedObjectPath, LoginError> {
        match &lock(&self.state).caller_session {
            Some(id) => Ok(session_path(id)),
            None => Err(LoginError::NoSessionForPID(
                "Caller does not belong to any known session.".into(),
            )),
        }
    }

    fn get_user(&self, uid: u32) -> Result<OwnedObjectPath, LoginError> {
        if uid == self.uid {
            Ok(user_path(uid))
        } else {
            Err(LoginError::NoSuchUser(format!(
                "User ID {uid} is not logged in"
            )))
        }
    }

    /// A pipe's write end; the read end tells when every copy is closed.
    fn inhibit(
        &self,
        what: &str,
        who: &str,
        why: &str,
        mode: &str,
    ) -> Result<zbus::OwnedFd, LoginError> {
        let (mut reader, writer) = std::io::pipe().map_err(|e| LoginError::ZBus(e.into()))?;
        let released = Arc::new(Mutex::new(None));
        let r = Arc::clone(&released);
        std::thread::spawn(move || {
            let mut buf = [0u8; 1];
            let _ = reader.read(&mut buf);
            *r.lock().unwrap_or_else(PoisonError::into_inner) = Some(Instant::now());
        });
        lock(&self.state).inhibitors.push(InhibitLock {
            what: what.into(),
            who: who.into(),
            why: why.into(),
            mode: mode.into(),
            released,
        });
        Ok(std::os::fd::OwnedFd::from(writer).into())
    }

    #[zbus(signal)]
    async fn prepare_for_sleep(emitter: &SignalEmitter<'_>, start: bool) -> zbus::Result<()>;
}

struct Session {
    locked: bool,
    state: State,
}

#[zbus::interface(name = "org.freedesktop.login1.Session")]
impl Session {
    #[zbus(property)]
    fn locked_hint(&self, #[zbus(header)] header: Option<Header<'_>>) -> bool {
        if header.is_some() {
            lock(&self.state).locked_hint_reads += 1;
        }
        self.locked
    }
}

struct User {
    display: String,
    state: State,
}

#[zbus::interface(name = "org.freedesktop.login1.User")]
impl User {
    #[zbus(property)]
    fn display(&self, #[zbus(header)] header: Option<Header<'_>>) -> (String, OwnedObjectPath) {
        if header.is_some() {
            lock(&self.state).display_reads += 1;
        }
        if self.display.is_empty() {
            (String::new(), OwnedObjectPath::try_from("/").unwrap())
        } else {
            (self.display.clone(), session_path(&self.display))
        }
    }
}

/// The stand-in logind, serving on its own connection to the private bus. Each method runs
/// on the calling thread with `zbus::block_on`; in between, zbus serves the connection on a
/// helper thread of its own.
pub struct StandIn {
    conn: Connection,
    state: State,
    uid: u32,
}

/// Our user id (the stand-in's one user).
pub fn uid() -> u32 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata("/proc/self").unwrap().uid()
}

impl StandIn {
    pub fn start(address: &str, setup: Setup) -> StandIn {
        let state: State = Arc::new(Mutex::new(Shared {
            caller_session: setup.caller_session.map(String::from),
            session_ids: setup
                .sessions
                .iter()
                .map(|(id, _)| id.to_string())
                .collect(),
            ..Shared::default()
        }));
        let uid = uid();
        let conn = zbus::block_on(async {
            let mut b = zbus::connection::Builder::address(address)
                .name("org.freedesktop.login1")
                .serve_at(
                    "/org/freedesktop/login1",
                    Manager {
                        state: Arc::clone(&state),
                        uid,
                    },
                )
                .serve_at(
                    user_path(uid),
                    User {
                        display: setup.display.to_string(),
                        state: Arc::clone(&state),
                    },
                );
            for (id, locked) in &setup.sessions {
                b = b.serve_at(
                    session_path(id),
                    Session {
                        locked: *locked,
                        state: Arc::clone(&state),
                    },
                );
            }
            b.build().await
        })
        .expect("the stand-in logind on the private bus");
        StandIn { conn, state, uid }
    }

    /// A screen locker sets (or clears) the session's `LockedHint`; logind says so.
    pub fn set_locked(&self, session: &str, locked: bool) {
        zbus::block_on(async {
            let iface = self
                .conn
                .object_server()
                .interface::<_, Session>(session_path(session))
                .await
                .unwrap();
            iface.get_mut().await.locked = locked;
            iface
                .get()
                .await
                .locked_hint_changed(iface.signal_emitter())
                .await
                .unwrap();
        })
    }

    /// The user's display session changes (`""`: none), as after a new graphical login.
    pub fn set_display(&self, session: &str) {
        zbus::block_on(async {
            let iface = self
                .conn
                .object_server()
                .interface::<_, User>(user_path(self.uid))
                .await
                .unwrap();
            iface.get_mut().await.display = session.to_string();
            iface
                .get()
                .await
                .display_changed(iface.signal_emitter())
                .await
                .unwrap();
        })
    }

    /// `PrepareForSleep(start)`, as logind sends it before sleep (true) and after waking.
    pub fn prepare_for_sleep(&self, start: bool) {
        zbus::block_on(async {
            let emitter = SignalEmitter::new(&self.conn, "/org/freedesktop/login1").unwrap();
            Manager::prepare_for_sleep(&emitter, start).await.unwrap();
        })
    }

    /// A `PropertiesChanged` for the session's `LockedHint` with a value of the wrong type,
    /// as a broken or hostile peer might send.
    pub fn send_bad_locked_hint(&self, session: &str) {
        zbus::block_on(async {
            let mut changed = HashMap::new();
            changed.insert("LockedHint", Variant::from("yes"));
            self.conn
                .emit_signal(
                    None::<&str>,
                    session_path(session).as_str(),
                    "org.freedesktop.DBus.Properties",
                    "PropertiesChanged",
                    &(SESSION_INTERFACE, changed, Vec::<&str>::new()),
                )
                .await
                .unwrap();
        })
    }

    /// The delay locks handed out so far, oldest first.
    pub fn inhibitors(&self) -> Vec<InhibitLock> {
        lock(&self.state).inhibitors.clone()
    }

    /// How often a client read `LockedHint`.
    pub fn locked_hint_reads(&self) -> usize {
        lock(&self.state).locked_hint_reads
    }

    /// How often a client read the user's `Display`.
    pub fn display_reads(&self) -> usize {
        lock(&self.state).display_reads
    }

    /// Waits up to 10 s for `ready` (a client's first questions, say), and says whether it
    /// came.
    pub fn wait_for(&self, ready: impl Fn(&StandIn) -> bool) -> bool {
        let t = Instant::now();
        while !ready(self) && t.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(5));
        }
        ready(self)
    }
}

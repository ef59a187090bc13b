//! The tray icon on a private session bus (`dbus-daemon --session`, started here), with a
//! stand-in `org.kde.StatusNotifierWatcher` — this test's own few lines, not a real
//! panel — that records the items registering with it. The monitor is a library-level
//! daemon on the demo recording (real pose engine, real SQLite journal) with a virtual
//! clock; the test reads the item's properties as a tray host would, and clicks its menu
//! through `com.canonical.dbusmenu` (`Event` with "clicked"), as a panel does.

mod common;

use std::collections::HashMap;
use std::io::BufRead;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Child, Command as Process, Stdio};
use std::sync::mpsc::{channel, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{demo_frames, demo_neutral, engine, fixture, hunch_in, signal, tempdir};
use hunch::control::command::{Command, Incoming, Origin, PauseFor};
use hunch::daemon::session::NoSession;
use hunch::daemon::{Daemon, Parts, Settings, StopReason};
use hunch::journal::Journal;
use hunch::monitor::Monitor;
use hunch::policy::PolicyParams;
use hunch::pose::models::ModelVariant;
use hunch::posture::{FilterParams, ModelParams};
use hunch::recording::{Recording, Role};
use hunch::support::clock::VirtualClock;
use hunch::tray::{icons, Face, Tray, TrayOptions};
use hunch::vocab::{EventKind, MonitorState};
use zbus::wire::OwnedVariant;

const ITEM: &str = "org.kde.StatusNotifierItem";
const MENU: &str = "com.canonical.dbusmenu";

/// A private session bus, stopped when dropped.
struct Bus {
    child: Child,
    address: String,
}

impl Bus {
    /// A session bus of its own in `dir`, with no service files: nothing is started on
    /// demand (not the desktop's notification server either).
    fn start(dir: &Path) -> Bus {
        let config = dir.join("bus.conf");
        std::fs::write(
            &config,
            format!(
                r#"<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:dir={}</listen>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"#,
                dir.display()
            ),
        )
        .unwrap();
        let mut child = Process::new("dbus-daemon")
            .arg(format!("--config-file={}", config.display()))
            .args(["--nofork", "--print-address=1"])
            .stdout(Stdio::piped())
            .spawn()
            .expect("dbus-daemon (package dbus-daemon, installed by scripts/setup)");
        let mut address = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut address)
            .unwrap();
        Bus {
            child,
            address: address.trim().to_string(),
        }
    }
}

impl Drop for Bus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The stand-in watcher: takes the well-known name and records registrations.
struct Watcher {
    items: Arc<Mutex<Vec<String>>>,
}

#[zbus::interface(name = "org.kde.StatusNotifierWatcher")]
impl Watcher {
    fn register_status_notifier_item(&self, service: &str) {
        self.items.lock().unwrap().push(service.to_string());
    }

    fn register_status_notifier_host(&self, _service: &str) {}

    #[zbus(property)]
    fn is_status_notifier_host_registered(&self) -> bool {
        true
    }

    #[zbus(property)]
    fn protocol_version(&self) -> i32 {
        0
    }

    #[zbus(property)]
    fn registered_status_notifier_items(&self) -> Vec<String> {
        self.items.lock().unwrap().clone()
    }
}

/// Serves the stand-in watcher on a thread of its own (its connection runs there).
fn start_watcher(address: &str) -> Arc<Mutex<Vec<String>>> {
    let items = Arc::new(Mutex::new(Vec::new()));
    let watcher = Watcher {
        items: Arc::clone(&items),
    };
    let address = address.to_string();
    let (ready, is_ready) = channel();
    std::thread::spawn(move || {
        zbus::block_on(async move {
            let conn = zbus::connection::Builder::address(address.as_str())
                .name("org.kde.StatusNotifierWatcher")
                .serve_at("/StatusNotifierWatcher", watcher)
                .build()
                .await
                .unwrap();
            ready.send(()).unwrap();
            std::future::pending::<()>().await;
            drop(conn);
        })
    });
    is_ready.recv_timeout(Duration::from_secs(10)).unwrap();
    items
}

/// A tray host's view of the item.
struct Host {
    conn: zbus::Connection,
    item: String,
}

type Pixmaps = Vec<(i32, i32, Vec<u8>)>;
type Layout = (i32, HashMap<String, OwnedVariant>, Vec<OwnedVariant>);

impl Host {
    fn proxy(&self, path: &'static str, iface: &'static str) -> zbus::Proxy<'static> {
        zbus::block_on(
            zbus::proxy::Builder::<zbus::Proxy>::new(&self.conn)
                .destination(self.item.clone())
                .path(path)
                .interface(iface)
                // SNI announces changes with its own signals, not PropertiesChanged.
                .cache_properties(zbus::proxy::CacheProperties::No)
                .build(),
        )
        .unwrap()
    }

    fn prop<T: serde::de::DeserializeOwned + zbus::wire::Type>(&self, name: &str) -> T {
        let p = self.proxy("/StatusNotifierItem", ITEM);
        zbus::block_on(p.get_property::<T>(name)).unwrap()
    }

    fn status(&self) -> String {
        self.prop("Status")
    }

    fn pixmaps(&self) -> Pixmaps {
        self.prop("IconPixmap")
    }

    fn tooltip(&self) -> (String, String) {
        let (_, _, title, text): (String, Pixmaps, String, String) = self.prop("ToolTip");
        (title, text)
    }

    /// Every menu item: (id, label), depth first.
    fn menu(&self) -> Vec<(i32, String)> {
        let p = self.proxy("/MenuBar", MENU);
        let (_, root): (u32, Layout) =
            zbus::block_on(p.call("GetLayout", &(0i32, -1i32, Vec::<String>::new()))).unwrap();
        let mut out = Vec::new();
        fn walk(node: Layout, out: &mut Vec<(i32, String)>) {
            let (id, props, children) = node;
            if let Some(label) = props.get("label") {
                out.push((id, String::try_from(label.clone()).unwrap()));
            }
            for c in children {
                walk(Layout::try_from(c).unwrap(), out);
            }
        }
        walk(root, &mut out);
        out
    }

    /// Clicks the item labelled `label`, as a panel does.
    fn click(&self, label: &str) {
        let menu = self.menu();
        let id = menu
            .iter()
            .find(|(_, l)| l == label)
            .unwrap_or_else(|| panic!("no {label:?} in {menu:?}"))
            .0;
        let p = self.proxy("/MenuBar", MENU);
        let data = zbus::wire::Variant::from(0i32);
        zbus::block_on(p.call::<_, _, ()>("Event", &(id, "clicked", data, 0u32))).unwrap();
    }
}

/// The demo's monitored frames (30 s upright, then slouched) on a virtual clock that
/// starts now, so "today" is today for the status and the report.
fn daemon(dir: &Path, commands: std::sync::mpsc::Receiver<Incoming>) -> Daemon {
    let (journal, _) = Journal::open(&dir.join("journal.sqlite")).unwrap();
    let now = jiff::Timestamp::now().as_millisecond();
    Daemon::new(Parts {
        source: Box::new(hunch::camera::replay::Replay::new(
            Recording::from_labelled("replay:demo".into(), &demo_frames(Role::Score), 1.0),
        )),
        clock: Box::new(VirtualClock::starting_at(now)),
        monitor: Monitor::new(
            engine(ModelVariant::Lite),
            demo_neutral(ModelVariant::Lite),
            ModelParams::default(),
            FilterParams::default(),
            PolicyParams::default(),
        ),
        notifier: Box::new(hunch::notify::PrintNotifier::default()),
        journal,
        session: Box::new(NoSession),
        commands,
        settings: Settings {
            sample_interval: 1.0,
            max_sample_seconds: 5.0,
            retention_days: 365,
            tz: jiff::tz::TimeZone::system(),
            calibration: None,
            prompt_kinds: hunch::notify::stretches::DEFAULT_KINDS.to_vec(),
        },
    })
    .unwrap()
}

/// Ticks the daemon (it answers the tray's status requests as it goes) until `ok`, which
/// is asked before every tick.
fn tick_until(d: &mut Daemon, what: &str, mut ok: impl FnMut(&mut Daemon) -> bool) {
    let t = Instant::now();
    while !ok(d) {
        let l = d.live_status();
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "never: {what} (now {} at {:?}°, {:?})",
            l.state,
            l.forward_deg,
            l.live
        );
        // A tick is a frame or 50 ms of the virtual clock: about a second of the
        // recording takes 20 ticks and one inference.
        let _ = d.tick().unwrap();
        std::thread::sleep(Duration::from_millis(1));
    }
}

fn icon(f: Face) -> Pixmaps {
    icons::SIZES
        .iter()
        .map(|&n| (n as i32, n as i32, icons::pixmap(f, n)))
        .collect()
}

fn events(d: &mut Daemon, kind: EventKind) -> Vec<String> {
    d.journal().flush().unwrap();
    d.journal()
        .events(i64::MIN, i64::MAX)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.detail)
        .collect()
}

/// A script that records its arguments in `out`, one per line.
fn recorder(path: &Path, out: &Path) {
    std::fs::write(
        path,
        format!("#!/bin/sh\nprintf '%s\\n' \"$@\" > {}\n", out.display()),
    )
    .unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

fn wait_for_file(p: &Path) -> String {
    let t = Instant::now();
    while t.elapsed() < Duration::from_secs(10) {
        if let Ok(s) = std::fs::read_to_string(p) {
            if !s.is_empty() {
                return s;
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{} never written", p.display());
}

#[test]
fn the_tray_shows_the_state_and_its_menu_sends_commands_to_the_monitor() {
    let dir = tempdir("tray");
    // This is the test binary's only test: the process environment is its own to set.
    let bin = dir.join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    recorder(&bin.join("xdg-open"), &dir.join("opened.txt"));
    recorder(&bin.join("fake-terminal"), &dir.join("terminal.txt"));
    // hunch itself, as the tray starts it: records `window` for "Open hunch…".
    let exe = bin.join("hunch-under-test");
    recorder(&exe, &dir.join("hunch-args.txt"));
    let path = std::env::var("PATH").unwrap_or_default();
    std::env::set_var("PATH", format!("{}:{path}", bin.display()));
    std::env::set_var("TERMINAL", bin.join("fake-terminal"));
    let options = TrayOptions {
        journal: dir.join("journal.sqlite"),
        page: hunch::report::render::html::Context {
            tz: jiff::tz::TimeZone::system(),
            enter_deg: 6.0,
            exit_deg: 4.0,
        },
        goal: 0.2,
        report_path: dir.join("run/today.html"),
        exe: exe.clone(),
    };

    // No session bus: no tray, and no error.
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/bus");
    let (tx, _rx) = channel();
    assert!(Tray::spawn(tx, options.clone()).is_none());

    let bus = Bus::start(&dir);
    std::env::set_var("DBUS_SESSION_BUS_ADDRESS", &bus.address);

    // The tray sends to a channel of ours, which passes everything on to the daemon and
    // keeps what came, and from where.
    let (daemon_tx, daemon_rx) = channel::<Incoming>();
    let (tray_tx, tray_rx) = channel::<Incoming>();
    let seen: Arc<Mutex<Vec<(Origin, Command)>>> = Arc::default();
    let s = Arc::clone(&seen);
    std::thread::spawn(move || {
        for incoming in tray_rx {
            s.lock()
                .unwrap()
                .push((incoming.origin, incoming.command.clone()));
            let _: Result<(), _> = Sender::send(&daemon_tx, incoming);
        }
    });
    let mut d = daemon(&dir, daemon_rx);

    // A bus without a tray host: the item waits, and registers once a watcher appears.
    let tray = Tray::spawn(tray_tx, options.clone()).expect("a tray on the session bus");
    d.observe(tray.observer());
    std::thread::sleep(Duration::from_millis(300));
    let items = start_watcher(&bus.address);
    let t = Instant::now();
    while items.lock().unwrap().is_empty() {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "the item never registered"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let item = items.lock().unwrap()[0].clone();
    assert!(item.starts_with("org.kde.StatusNotifierItem-"), "{item}");
    let host = Host {
        conn: zbus::block_on(zbus::connection::Builder::address(bus.address.as_str()).build())
            .unwrap(),
        item,
    };
    assert_eq!(host.prop::<String>("Id"), "hunch");

    // Upright at the start of the recording.
    tick_until(&mut d, "upright in the tray", |d| {
        d.live_status().state == MonitorState::Upright && host.tooltip().0 == "hunch: upright"
    });
    assert_eq!(host.status(), "Active");
    assert_eq!(host.pixmaps(), icon(Face::Upright));

    // Then the head comes forward and stays: hunching, then hunched (needs attention).
    tick_until(&mut d, "hunched in the tray", |d| {
        d.live_status().state == MonitorState::Hunched
            && host.tooltip().0.starts_with("hunch: hunched for")
    });
    assert_eq!(host.status(), "NeedsAttention");
    assert_eq!(host.pixmaps(), icon(Face::Hunched));
    // The tooltip's timer follows the hunch sample by sample (not only when the state
    // changes, or once a minute).
    let first = host.tooltip().0;
    tick_until(&mut d, "the hunch timer moving in the tooltip", |_| {
        let now = host.tooltip().0;
        now.starts_with("hunch: hunched for") && now != first
    });
    let (_, today) = host.tooltip();
    assert!(
        today.starts_with("Today ") && today.contains("hunched ("),
        "{today}"
    );

    // Pause for 30 min from the menu: a pause command from the tray, journaled.
    host.click("Pause for 30 min");
    tick_until(&mut d, "a journaled pause", |d| {
        events(d, EventKind::Pause) == ["1800 s"]
    });
    tick_until(&mut d, "paused in the tray", |_| {
        host.tooltip().0.starts_with("hunch: paused until ")
    });
    assert_eq!(host.pixmaps(), icon(Face::Paused));
    assert_eq!(host.status(), "Active");

    // A moderate headache, logged now in the diary.
    host.click("Moderate (5/10)");
    tick_until(&mut d, "a headache in the diary", |d| {
        !d.journal()
            .headaches(i64::MIN, i64::MAX)
            .unwrap()
            .is_empty()
    });
    let h = d.journal().headaches(i64::MIN, i64::MAX).unwrap();
    assert_eq!((h.len(), h[0].intensity), (1, 5));

    host.click("Resume");
    tick_until(&mut d, "a journaled resume", |d| {
        events(d, EventKind::Resume).len() == 1 && !d.live_status().paused
    });

    // Today's report: written 0600 to the runtime directory and handed to xdg-open.
    host.click("Today's report");
    let opened = wait_for_file(&dir.join("opened.txt"));
    assert_eq!(opened.trim(), options.report_path.to_str().unwrap());
    let html = std::fs::read_to_string(&options.report_path).unwrap();
    assert!(
        html.contains("<svg") && html.contains("hunch"),
        "{html:.200}"
    );
    let mode = std::fs::metadata(&options.report_path)
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);

    // Recalibrate: `hunch calibrate` in a terminal ($TERMINAL first).
    host.click("Recalibrate…");
    let args = wait_for_file(&dir.join("terminal.txt"));
    let args: Vec<&str> = args.lines().collect();
    assert_eq!(args[..3], ["-e", "sh", "-c"]);
    assert!(args[3].contains("\"$0\" calibrate"), "{args:?}");
    assert_eq!(args[4], exe.to_str().unwrap());

    // "Open hunch…", and a left and a middle click on the icon, start `hunch window`.
    host.click("Open hunch…");
    assert_eq!(wait_for_file(&dir.join("hunch-args.txt")), "window\n");
    for method in ["Activate", "SecondaryActivate"] {
        std::fs::remove_file(dir.join("hunch-args.txt")).unwrap();
        let p = host.proxy("/StatusNotifierItem", ITEM);
        zbus::block_on(p.call::<_, _, ()>(method, &(10i32, 10i32))).unwrap();
        assert_eq!(
            wait_for_file(&dir.join("hunch-args.txt")),
            "window\n",
            "{method}"
        );
    }

    // Quit stops the monitor as SIGTERM does: flushed, and the stop recorded.
    host.click("Quit hunch");
    let t = Instant::now();
    let reason = loop {
        assert!(
            t.elapsed() < Duration::from_secs(10),
            "the monitor did not stop"
        );
        if let Some(r) = d.tick().unwrap() {
            break r;
        }
    };
    assert_eq!(reason, StopReason::Quit);
    let f = d.finish(reason).unwrap();
    let stops: Vec<_> = f
        .journal
        .events(i64::MIN, i64::MAX)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EventKind::Stop)
        .map(|e| e.detail)
        .collect();
    assert_eq!(stops, ["asked to quit"]);
    tray.stop();

    // Everything the menu sent came as commands from the tray, one each, with the
    // meaning the socket and notification buttons give them; the rest were the tray's
    // own status requests (and, while the hunch timer ran, live-view requests).
    let seen = seen.lock().unwrap();
    assert!(seen.iter().all(|(o, _)| *o == Origin::Tray));
    let sent: Vec<&Command> = seen
        .iter()
        .map(|(_, c)| c)
        .filter(|c| !matches!(c, Command::Status | Command::Live))
        .collect();
    assert_eq!(
        sent,
        [
            &Command::Pause {
                length: PauseFor::Seconds(1800.0)
            },
            &Command::Headache { intensity: 5 },
            &Command::Resume,
            &Command::Quit,
        ]
    );
}

/// A home with a recording of a person sitting upright and still for a minute (the
/// demo's first upright frame, 4 a second) in `rec/`, and a calibration with the lite model on its first
/// seconds (the recording the monitor then runs on: no calibration-mismatch warning; no
/// hunch, so no alert to find no notification server for).
fn upright_home(name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let home = tempdir(name);
    let rec = home.join("rec");
    std::fs::create_dir_all(&rec).unwrap();
    let mut m = String::from("path,label,time_ms\n");
    for i in 0..240 {
        m += &format!(
            "{},upright,{}\n",
            fixture("demo/upright-0.jpg").display(),
            i * 250
        );
    }
    std::fs::write(rec.join("manifest.csv"), m).unwrap();
    let o = hunch_in(&home)
        .args(["calibrate", "--model", "lite", "--seconds", "5", "--source"])
        .arg(&rec)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (home, rec)
}

/// What `hunch run` logged, checked for anything alarming: no warning, no error, and
/// the tray mentioned at most once.
fn calm(stderr: &str) {
    assert!(
        !stderr.contains("WARN") && !stderr.contains("ERROR") && !stderr.contains("panick"),
        "{stderr}"
    );
    let tray_lines = stderr
        .lines()
        .filter(|l| {
            l.contains("system tray") || l.contains("tray icon") || l.contains("StatusNotifier")
        })
        .count();
    assert!(tray_lines <= 1, "{stderr}");
}

/// The names on the bus at `address`.
fn bus_names(address: &str) -> Vec<String> {
    zbus::block_on(async {
        let conn = zbus::connection::Builder::address(address)
            .build()
            .await
            .unwrap();
        let dbus = zbus::fdo::DBusProxy::new(&conn).await.unwrap();
        dbus.list_names()
            .await
            .unwrap()
            .into_iter()
            .map(|n| n.to_string())
            .collect()
    })
}

#[test]
fn without_a_tray_host_the_monitor_runs_and_logs_nothing_alarming() {
    // A session bus with no StatusNotifierWatcher on it (a desktop without a tray): the
    // item waits on the bus, quietly, and the monitor monitors.
    let (home, rec) = upright_home("sni-no-host");
    let bus_dir = home.join("bus");
    std::fs::create_dir_all(&bus_dir).unwrap();
    let bus = Bus::start(&bus_dir);
    let run = hunch_in(&home)
        .args(["run", "--model", "lite", "--speed", "5", "--source"])
        .arg(&rec)
        .arg("--journal")
        .arg(home.join("data/hunch/journal.sqlite"))
        .env("DBUS_SESSION_BUS_ADDRESS", &bus.address)
        .env("HUNCH_LOG", "info")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let t = Instant::now();
    while !bus_names(&bus.address)
        .iter()
        .any(|n| n.starts_with("org.kde.StatusNotifierItem-"))
    {
        assert!(
            t.elapsed() < Duration::from_secs(20),
            "the item never took its name on the bus"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Monitoring goes on: the monitor answers, and has taken samples when stopped.
    let t = Instant::now();
    while !hunch_in(&home)
        .arg("status")
        .output()
        .unwrap()
        .status
        .success()
    {
        assert!(t.elapsed() < Duration::from_secs(20), "no status");
        std::thread::sleep(Duration::from_millis(200));
    }
    std::thread::sleep(Duration::from_secs(1));
    signal(&run, "TERM");
    let o = run.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(samples(&stderr) > 0, "{stderr}");
    assert!(stderr.contains("hunch: stopped (signal)"), "{stderr}");
    assert!(
        stderr.contains("no system tray on this desktop"),
        "said once, as info: {stderr}"
    );
    calm(&stderr);

    // No session bus at all (a console, a service without one): the same, to the end.
    let o = hunch_in(&home)
        .args(["run", "--model", "lite", "--fast", "--source"])
        .arg(&rec)
        .arg("--journal")
        .arg(home.join("data/hunch/journal.sqlite"))
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", home.join("no-bus").display()),
        )
        .env("HUNCH_LOG", "info")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{stderr}");
    assert!(
        stderr.contains("hunch: stopped (end of recording)"),
        "{stderr}"
    );
    assert!(samples(&stderr) > 30, "{stderr}");
    calm(&stderr);
}

/// The samples `hunch run` says it took ("hunch: stopped (…); N samples, …").
fn samples(stderr: &str) -> u64 {
    let line = stderr
        .lines()
        .find(|l| l.contains("hunch: stopped"))
        .unwrap_or_else(|| panic!("{stderr}"));
    let before = line.split(" samples").next().unwrap();
    before.rsplit(' ').next().unwrap().parse().unwrap()
}

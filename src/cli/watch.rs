//! `hunch watch`: what hunch sees, live, on a terminal — the forward angle as a gauge
//! against the thresholds, the state, how long the hunch has lasted and when an alert
//! would come, and why a frame is not measured.
//!
//! Data: against a running monitor it asks for [`Command::Live`] over the control socket
//! four times a second (the state and the latest frame, without today's figures, so no
//! journal read; polling keeps the socket's one-request-one-reply protocol, and a
//! stopped monitor shows at once). Without one, or with `--source`, it runs its own
//! [`Daemon`] — the same chain and policy as `hunch run` — with a throwaway journal and
//! no notifications, and draws its [`Daemon::live_status`] after every frame.
//!
//! Terminal: plain ANSI on the alternate screen, input read without echo or line
//! buffering (termios), everything restored on `q`, Ctrl-C, SIGTERM/SIGHUP, an error
//! or a panic. When stdout is not a terminal: one plain line per frame. `NO_COLOR` is
//! respected.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::Args;
use hunch::command::{Command, LiveStatus, Reply};
use hunch::control::{request, socket_path, ControlError};
use hunch::daemon::session::NoSession;
use hunch::daemon::{Daemon, Parts, Settings, StopReason};
use hunch::human::{duration, short_duration};
use hunch::models::ModelVariant;
use hunch::monitor::Monitor;
use hunch::notify::{Notifier, NotifyError, Stretch};
use hunch::policy::Alert;
use hunch::posture::Calibration;
use hunch::vocab::MonitorState;

use super::EngineArgs;

/// How often the screen is redrawn (and a running monitor asked).
const REFRESH: Duration = Duration::from_millis(250);

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Watch a recording (directory of frames or one image) instead of the camera or the
    /// running monitor.
    #[arg(long, value_name = "PATH")]
    pub source: Option<PathBuf>,
    /// With --source: replay N times faster than recorded.
    #[arg(long, requires = "source", value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub speed: Option<u16>,
    #[arg(long, value_parser = super::word::<ModelVariant>(), default_value_t = ModelVariant::Full)]
    pub model: ModelVariant,
}

/// Alerts go nowhere: `hunch watch` shows, it does not prompt.
struct Quiet;

impl Notifier for Quiet {
    fn notify(&mut self, _: &Alert, _: &Stretch) -> Result<(), NotifyError> {
        Ok(())
    }
}

/// Where the view's numbers come from.
enum Feed {
    /// The running monitor, over its control socket.
    Monitor(PathBuf),
    /// A daemon of our own; its journal lives in `tmp`, removed at the end.
    Own {
        daemon: Box<Daemon>,
        fresh: Arc<AtomicBool>,
        ended: Option<StopReason>,
        tmp: PathBuf,
    },
}

pub fn run(engine_args: &EngineArgs, args: WatchArgs) -> anyhow::Result<ExitCode> {
    let stop = super::run::stop_on_signals()?;
    let sock = socket_path()?;
    let monitor_answers = args.source.is_none()
        && !matches!(
            request(&sock, &Command::Live),
            Err(ControlError::NotRunning(_))
        );
    let (mut feed, label) = if monitor_answers {
        (Feed::Monitor(sock), "the running monitor".to_string())
    } else {
        let (daemon, tmp) = own_daemon(engine_args, &args)?;
        let label = format!("{} (hunch watch's own)", daemon.source_id());
        let mut daemon = Box::new(daemon);
        let fresh = Arc::new(AtomicBool::new(true));
        let f = Arc::clone(&fresh);
        daemon.observe(move |u| {
            if let hunch::daemon::Update::Sample { .. } = u {
                f.store(true, Ordering::Relaxed);
            }
        });
        (
            Feed::Own {
                daemon,
                fresh,
                ended: None,
                tmp,
            },
            label,
        )
    };
    let result = if std::io::stdout().is_terminal() {
        let colour = std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
        screen(&mut feed, &label, colour, &stop)
    } else {
        lines(&mut feed, &stop)
    };
    let reason = feed.ended().unwrap_or(StopReason::Signal);
    if let Feed::Own { daemon, tmp, .. } = feed {
        drop(daemon.finish(reason));
        let _ = std::fs::remove_dir_all(&tmp);
    }
    result
}

/// A daemon like `hunch run`'s on the camera or `--source`, journaling to a temporary file
/// and notifying no one.
fn own_daemon(engine_args: &EngineArgs, args: &WatchArgs) -> anyhow::Result<(Daemon, PathBuf)> {
    let config = super::load_config()?;
    let calibration = Calibration::load(&Calibration::default_path()?)?;
    let (source, clock) =
        super::run::source_and_clock(&config, args.source.as_deref(), false, args.speed)?;
    let monitor = Monitor::new(
        engine_args.engine(args.model)?,
        calibration.neutral,
        config.posture,
        config.filter,
        config.policy,
    );
    let tmp = super::run::private_tempdir("hunch-watch")?;
    let (journal, _) = hunch::journal::Journal::open(&tmp.join("journal.sqlite"))?;
    let (_tx, commands) = std::sync::mpsc::channel();
    let daemon = Daemon::new(Parts {
        source,
        clock,
        monitor,
        notifier: Box::new(Quiet),
        journal,
        session: Box::new(NoSession),
        commands,
        settings: Settings {
            sample_interval: config.camera.interval_seconds,
            max_sample_seconds: config.camera.max_sample_seconds(),
            retention_days: config.journal.retention_days,
            tz: jiff::tz::TimeZone::system(),
            calibration: Some((calibration, args.model.as_str().to_string())),
            prompt_kinds: config.prompts.kinds.clone(),
        },
    })?;
    Ok((daemon, tmp))
}

/// What to draw now: the latest view, or why there is none.
enum Next {
    View(Box<LiveStatus>, bool),
    Gone(String),
}

impl Feed {
    /// Advances the feed (a daemon of our own runs for up to `budget`) and says what to
    /// draw. The bool is whether a new frame arrived since last asked.
    fn next(&mut self, budget: Duration) -> anyhow::Result<Next> {
        match self {
            Feed::Monitor(sock) => {
                let t = Instant::now();
                let next = match request(sock, &Command::Live) {
                    Ok(Reply::Live(s)) => Next::View(s, true),
                    Ok(Reply::Error { message }) => Next::Gone(message),
                    Ok(_) => Next::Gone("the monitor answered something else".into()),
                    Err(ControlError::NotRunning(_)) => Next::Gone("the monitor stopped".into()),
                    Err(e) => Next::Gone(e.to_string()),
                };
                std::thread::sleep(budget.saturating_sub(t.elapsed()));
                Ok(next)
            }
            Feed::Own {
                daemon,
                fresh,
                ended,
                ..
            } => {
                let t = Instant::now();
                while ended.is_none() && t.elapsed() < budget {
                    *ended = daemon.tick()?;
                    if fresh.load(Ordering::Relaxed) {
                        break;
                    }
                }
                if ended.is_some() {
                    std::thread::sleep(budget.saturating_sub(t.elapsed()));
                }
                let new = fresh.swap(false, Ordering::Relaxed);
                Ok(Next::View(Box::new(daemon.live_status()), new))
            }
        }
    }

    fn ended(&self) -> Option<StopReason> {
        match self {
            Feed::Own { ended, .. } => *ended,
            Feed::Monitor(_) => None,
        }
    }
}

/// Without a terminal: one line per frame, until the source ends or the monitor stops.
fn lines(feed: &mut Feed, stop: &AtomicBool) -> anyhow::Result<ExitCode> {
    let mut last_frame = None;
    while !stop.load(Ordering::Relaxed) {
        match feed.next(REFRESH)? {
            Next::View(v, _) => {
                let key = (v.live.frame_wall_ms, v.state);
                if last_frame != Some(key) {
                    last_frame = Some(key);
                    outln!("{}", plain_line(&v));
                }
            }
            Next::Gone(why) => {
                eprintln!("hunch watch: {why}");
                return Ok(ExitCode::from(1));
            }
        }
        if feed.ended().is_some() {
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The full-screen view until `q`, Ctrl-C or a signal.
fn screen(
    feed: &mut Feed,
    label: &str,
    colour: bool,
    stop: &AtomicBool,
) -> anyhow::Result<ExitCode> {
    let term = Terminal::enter().context("cannot set up the terminal")?;
    let mut gone = None;
    let mut view: Option<Box<LiveStatus>> = None;
    let mut last_draw = Instant::now();
    loop {
        if stop.load(Ordering::Relaxed) || term.quit_pressed() {
            break;
        }
        match feed.next(REFRESH)? {
            Next::View(v, new) => {
                if new || last_draw.elapsed() >= REFRESH || view.is_none() {
                    view = Some(v);
                } else {
                    continue;
                }
            }
            Next::Gone(why) => gone = Some(why),
        }
        let (width, height) = term.size();
        let mut text = render(view.as_deref(), label, width, colour);
        if let Some(reason) = feed.ended() {
            text.push(String::new());
            text.push(format!("  ({}; q quits)", reason.as_str()));
        }
        if let Some(why) = &gone {
            text.push(String::new());
            text.push(format!("  {why}; q quits"));
        }
        term.draw(&text, height);
        last_draw = Instant::now();
    }
    drop(term);
    Ok(ExitCode::SUCCESS)
}

/// The gauge's range: -5° to at least +25°, wider when the angle goes past it.
fn range(v: Option<f32>, enter: f32) -> (f32, f32) {
    let hi = v.unwrap_or(0.0).max(enter * 4.0).max(25.0);
    (-5.0, (hi / 5.0).ceil() * 5.0)
}

/// A horizontal gauge: a bar filled up to `value` on `lo..hi`, and under it a scale in
/// `unit` with `marks` (column characters at values). Returns the two lines.
pub fn gauge(
    value: Option<f32>,
    (lo, hi): (f32, f32),
    marks: &[(f32, char)],
    width: usize,
    unit: &str,
) -> (String, String) {
    let width = width.max(10);
    let col =
        |v: f32| (((v - lo) / (hi - lo)) * width as f32).clamp(0.0, width as f32 - 1.0) as usize;
    let mut bar = String::new();
    for c in 0..width {
        let upto = lo + (c as f32 + 1.0) / width as f32 * (hi - lo);
        let from = lo + c as f32 / width as f32 * (hi - lo);
        bar.push(match value {
            Some(v) if v >= upto => '█',
            Some(v) if v > from => '▌',
            _ => '·',
        });
    }
    let mut scale: Vec<char> = vec![' '; width];
    let mut put = |at: usize, s: &str| {
        for (i, ch) in s.chars().enumerate() {
            if let Some(slot) = scale.get_mut(at + i) {
                *slot = ch;
            }
        }
    };
    let sign = |v: f32| {
        if lo < 0.0 {
            format!("{v:+.0}{unit}")
        } else {
            format!("{v:.0}{unit}")
        }
    };
    put(0, &sign(lo));
    let hi_label = sign(hi);
    put(width.saturating_sub(hi_label.chars().count()), &hi_label);
    if lo < 0.0 && hi > 0.0 {
        put(col(0.0), "0");
    }
    for &(v, ch) in marks {
        put(col(v), &ch.to_string());
    }
    (bar, scale.into_iter().collect())
}

const RESET: &str = "\x1b[0m";

fn state_colour(s: MonitorState) -> &'static str {
    match s {
        MonitorState::Upright => "\x1b[1;32m",
        MonitorState::Hunching => "\x1b[1;33m",
        MonitorState::Hunched => "\x1b[1;31m",
        _ => "\x1b[1m",
    }
}

/// The screen's lines for `v` (pure: the tests read it as the terminal shows it).
pub fn render(v: Option<&LiveStatus>, label: &str, width: usize, colour: bool) -> Vec<String> {
    let paint = |code: &str, s: String| {
        if colour {
            format!("{code}{s}{RESET}")
        } else {
            s
        }
    };
    let mut out = vec![
        format!("hunch watch · {label}"),
        paint("\x1b[2m", "q quits".to_string()),
        String::new(),
    ];
    let Some(v) = v else {
        out.push("  waiting for the first frame…".into());
        return out;
    };
    let live = &v.live;
    out.push(format!(
        "  state         {}",
        paint(
            state_colour(v.state),
            hunch::human::state(v.state).to_string()
        )
    ));
    let angle = |a: Option<f32>| a.map_or("—".to_string(), |a| format!("{a:+.1}°"));
    out.push(format!(
        "  head forward  {}   (this frame {})",
        angle(v.forward_deg),
        angle(live.frame_deg)
    ));
    out.push(String::new());
    let (bar, scale) = gauge(
        v.forward_deg,
        range(v.forward_deg, live.enter_deg),
        &[(live.exit_deg, '┊'), (live.enter_deg, '┃')],
        width.saturating_sub(4).min(100),
        "°",
    );
    let bar_colour = match v.forward_deg {
        Some(a) if a >= live.enter_deg => "\x1b[31m",
        Some(a) if a >= live.exit_deg => "\x1b[33m",
        _ => "\x1b[32m",
    };
    out.push(format!("  {}", paint(bar_colour, bar)));
    out.push(format!("  {scale}"));
    out.push(format!(
        "  ┃ enter {:.1}°: hunching starts here   ┊ exit {:.1}°: and ends below here",
        live.enter_deg, live.exit_deg
    ));
    out.push(String::new());
    out.push(match (live.hunching_for_s, live.alert_in_s) {
        (Some(h), Some(a)) => format!(
            "  hunching for {}   alert in {}",
            duration(h),
            duration(a.max(0.0))
        ),
        (Some(h), None) => format!("  hunching for {}", duration(h)),
        _ => "  no hunch in progress".to_string(),
    });
    out.push(match &live.not_measured {
        Some(why) => format!("  not measured: {why}"),
        None => String::new(),
    });
    let mut held = Vec::new();
    if v.paused {
        held.push(match v.paused_until_ms {
            Some(ms) => format!("paused until {}", hunch::human::clock_time(ms)),
            None => "paused until `hunch resume`".into(),
        });
    }
    if let Some(ms) = v.snoozed_until_ms {
        held.push(format!(
            "alerts snoozed until {}",
            hunch::human::clock_time(ms)
        ));
    }
    if let Some(why) = &v.source_trouble {
        held.push(format!("camera: {why}"));
    }
    out.push(format!("  {}", held.join("   ")));
    if let Some(ms) = live.frame_wall_ms {
        let age = (jiff::Timestamp::now().as_millisecond() - ms).max(0) as f64 / 1000.0;
        out.push(paint(
            "\x1b[2m",
            format!(
                "  latest frame {} ago · {}",
                short_duration(age.round()),
                v.source
            ),
        ));
    }
    out
}

/// One line per frame, for pipes and logs.
pub fn plain_line(v: &LiveStatus) -> String {
    let live = &v.live;
    let angle = |a: Option<f32>| a.map_or("—".to_string(), |a| format!("{a:+.1}°"));
    let at = live
        .frame_wall_ms
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map(|t| {
            t.to_zoned(jiff::tz::TimeZone::system())
                .strftime("%H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|| "--:--:--".into());
    let mut s = format!(
        "{at} {:<9} forward {} (frame {}) enter {:.1}° exit {:.1}°",
        v.state.as_str(),
        angle(v.forward_deg),
        angle(live.frame_deg),
        live.enter_deg,
        live.exit_deg
    );
    if let Some(h) = live.hunching_for_s {
        s += &format!(", hunching for {}", duration(h));
    }
    if let Some(a) = live.alert_in_s {
        s += &format!(", alert in {}", duration(a.max(0.0)));
    }
    if let Some(why) = &live.not_measured {
        s += &format!(", not measured: {why}");
    }
    s
}

/// The terminal in the view's mode: alternate screen, no cursor, keys read one by one
/// without echo (signals still work: Ctrl-C is SIGINT). Restored when dropped, and by a
/// panic hook if the program panics meanwhile.
pub struct Terminal {
    raw: bool,
}

/// The settings to restore (stdin's termios before the view), for the panic hook.
static SAVED: OnceLock<Option<libc::termios>> = OnceLock::new();
/// Set once the terminal was restored, so it is restored exactly once.
static RESTORED: AtomicBool = AtomicBool::new(false);

fn restore_terminal() {
    if RESTORED.swap(true, Ordering::SeqCst) {
        return;
    }
    if let Some(Some(t)) = SAVED.get() {
        // SAFETY: tcsetattr on fd 0 with a termios that tcgetattr filled.
        unsafe {
            libc::tcsetattr(0, libc::TCSANOW, t);
        }
    }
    let mut out = std::io::stdout();
    let _ = out.write_all(b"\x1b[0m\x1b[?25h\x1b[?1049l");
    let _ = out.flush();
}

impl Terminal {
    pub fn enter() -> std::io::Result<Terminal> {
        let raw = std::io::stdin().is_terminal();
        let saved = if raw {
            // SAFETY: termios is plain data; tcgetattr fills it or fails.
            let mut t: libc::termios = unsafe { std::mem::zeroed() };
            if unsafe { libc::tcgetattr(0, &mut t) } != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Some(t)
        } else {
            None
        };
        if SAVED.set(saved).is_err() {
            return Err(std::io::Error::other("the terminal is already in use"));
        }
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore_terminal();
            previous(info);
        }));
        if let Some(mut t) = saved {
            t.c_lflag &= !(libc::ICANON | libc::ECHO);
            t.c_cc[libc::VMIN] = 0;
            t.c_cc[libc::VTIME] = 0;
            // SAFETY: as above, with the copy changed.
            if unsafe { libc::tcsetattr(0, libc::TCSANOW, &t) } != 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
        let mut out = std::io::stdout();
        out.write_all(b"\x1b[?1049h\x1b[?25l\x1b[2J")?;
        out.flush()?;
        Ok(Terminal { raw })
    }

    /// Whether `q` was typed since last asked (never waits).
    pub fn quit_pressed(&self) -> bool {
        if !self.raw {
            return false;
        }
        let mut buf = [0u8; 64];
        // SAFETY: reads at most buf.len() bytes into buf; VMIN=0 so it does not block.
        let n = unsafe { libc::read(0, buf.as_mut_ptr().cast(), buf.len()) };
        n > 0 && buf[..n as usize].iter().any(|b| matches!(b, b'q' | b'Q'))
    }

    /// Columns and rows (80×24 when unknown).
    pub fn size(&self) -> (usize, usize) {
        // SAFETY: TIOCGWINSZ fills a winsize or fails.
        let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
        let ok = unsafe { libc::ioctl(1, libc::TIOCGWINSZ, &mut ws) } == 0;
        if ok && ws.ws_col > 0 && ws.ws_row > 0 {
            (ws.ws_col as usize, ws.ws_row as usize)
        } else {
            (80, 24)
        }
    }

    /// Redraws the screen with `lines` (cut to `height`), without flicker: each line
    /// overwrites the last, and the rest is cleared.
    pub fn draw(&self, lines: &[String], height: usize) {
        let mut s = String::from("\x1b[H");
        for l in lines.iter().take(height.max(1)) {
            s += l;
            s += "\x1b[K\r\n";
        }
        s += "\x1b[J";
        let mut out = std::io::stdout();
        let _ = out.write_all(s.as_bytes()).and_then(|()| out.flush());
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        restore_terminal();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hunch::command::Live;

    fn view(state: MonitorState, deg: Option<f32>) -> LiveStatus {
        LiveStatus {
            state,
            forward_deg: deg,
            paused: false,
            paused_until_ms: None,
            snoozed_until_ms: None,
            source: "replay:x".into(),
            source_trouble: None,
            live: Live {
                enter_deg: 6.0,
                exit_deg: 4.0,
                frame_deg: deg,
                not_measured: None,
                hunching_for_s: Some(42.0),
                alert_in_s: Some(138.0),
                frame_wall_ms: None,
            },
        }
    }

    #[test]
    fn the_gauge_fills_to_the_angle_and_marks_the_thresholds() {
        let (bar, scale) = gauge(Some(10.0), (-5.0, 25.0), &[(4.0, '┊'), (6.0, '┃')], 60, "°");
        assert_eq!(bar.chars().count(), 60);
        // 15 of 30 degrees: half the bar.
        assert_eq!(bar.chars().filter(|c| *c == '█').count(), 30);
        let cols: Vec<char> = scale.chars().collect();
        assert_eq!(cols[18], '┊');
        assert_eq!(cols[22], '┃');
        assert!(
            scale.starts_with("-5°") && scale.ends_with("+25°"),
            "{scale}"
        );
        let (empty, _) = gauge(None, (-5.0, 25.0), &[], 60, "°");
        assert!(empty.chars().all(|c| c == '·'));
    }

    #[test]
    fn the_screen_says_state_angle_timer_and_why() {
        let mut v = view(MonitorState::Hunching, Some(8.25));
        let text = render(Some(&v), "test", 80, false).join("\n");
        assert!(text.contains("state         hunching"), "{text}");
        assert!(text.contains("+8.2°") || text.contains("+8.3°"), "{text}");
        assert!(
            text.contains("enter 6.0°") && text.contains("exit 4.0°"),
            "{text}"
        );
        assert!(
            text.contains("hunching for 42 s   alert in 2 min 18 s"),
            "{text}"
        );
        assert!(!text.contains('\x1b'), "NO_COLOR leaves no escapes");
        v.live.not_measured = Some("turn your head".into());
        v.live.hunching_for_s = None;
        let text = render(Some(&v), "test", 80, true).join("\n");
        assert!(text.contains("not measured: turn your head"));
        assert!(text.contains("no hunch in progress"));
        assert!(text.contains("\x1b[1;33m"), "colour on a terminal");
        let line = plain_line(&view(MonitorState::Upright, Some(1.0)));
        assert!(
            line.contains("upright") && line.contains("enter 6.0° exit 4.0°"),
            "{line}"
        );
    }
}

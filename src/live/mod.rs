//! What hunch sees, live, for a terminal (`hunch watch`, and the view while calibrating):
//! the forward angle as a gauge against the enter and exit thresholds (so the boundaries
//! are visible), the state, how long the hunch has lasted and when an alert would come,
//! why a frame is not measured, and the day's hunched share.
//!
//! Data ([`Feed`]): against a running monitor, [`Command::Live`] over the control socket
//! four times a second (the state and the latest frame, without today's figures, so no
//! journal read; polling keeps the socket's one-request-one-reply protocol, and a stopped
//! monitor shows at once), and [`Command::Status`] every few seconds for today's figures.
//! Without one, a [`Daemon`] of the caller's — the same chain and policy as `hunch run` —
//! whose [`Daemon::live_status`] is drawn after every frame.
//!
//! Terminal ([`terminal::Terminal`]): plain ANSI on the alternate screen, restored on `q`,
//! a signal, an error or a panic.

pub mod terminal;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use thiserror::Error;

use crate::control::command::{Command, LiveStatus, Reply, Status};
use crate::control::{request, ControlError};
use crate::daemon::{Daemon, DaemonError, StopReason, Update};
use crate::notify::{Notifier, NotifyError, Stretch};
use crate::policy::Alert;
use crate::posture::calibration::FrameVerdict;
use crate::posture::Calibrator;
use crate::support::human::{duration, percent, short_duration};
use crate::vocab::MonitorState;
use terminal::Terminal;

/// How often the screen is redrawn (and a running monitor asked).
pub const REFRESH: Duration = Duration::from_millis(250);
/// How often today's figures are asked for (they are summed from the journal).
const TODAY_EVERY: Duration = Duration::from_secs(5);

#[derive(Debug, Error)]
pub enum LiveError {
    #[error(transparent)]
    Daemon(#[from] DaemonError),
    #[error("cannot set up the terminal: {0}")]
    Terminal(#[from] std::io::Error),
}

/// Alerts go nowhere: a live view shows, it does not prompt.
pub struct Quiet;

impl Notifier for Quiet {
    fn notify(&mut self, _: &Alert, _: &Stretch) -> Result<(), NotifyError> {
        Ok(())
    }

    fn notice(&mut self, _: &str, _: &str) {}
}

/// The day's figures, as the monitor's status gives them.
#[derive(Debug, Clone, PartialEq)]
pub struct Today {
    /// "today" for a running monitor, "since this view began" for a view's own daemon
    /// (its journal is a throwaway one).
    pub scope: &'static str,
    pub hunched_share: Option<f64>,
    pub hunched_s: f64,
    pub monitored_s: f64,
}

impl Today {
    fn of(s: &Status, scope: &'static str) -> Today {
        Today {
            scope,
            hunched_share: s.today_hunched_share,
            hunched_s: s.today_hunched_s,
            monitored_s: s.today_monitored_s,
        }
    }

    /// "today 12% hunched (3 min 00 s of 24 min 00 s monitored)".
    pub fn line(&self) -> String {
        if self.monitored_s > 0.0 {
            format!(
                "{} {} hunched ({} of {} monitored)",
                self.scope,
                percent(self.hunched_share),
                duration(self.hunched_s),
                duration(self.monitored_s)
            )
        } else {
            format!("{}: nothing monitored yet", self.scope)
        }
    }
}

/// What to draw now: the latest view (and whether a new frame came since last asked),
/// or why there is none.
pub enum Next {
    View(Box<LiveStatus>, bool),
    Gone(String),
}

enum Kind {
    /// The running monitor, over its control socket.
    Monitor(PathBuf),
    /// A daemon of the caller's.
    Own {
        daemon: Box<Daemon>,
        fresh: Arc<AtomicBool>,
        ended: Option<StopReason>,
    },
}

/// Where the view's numbers come from.
pub struct Feed {
    kind: Kind,
    today: Option<Today>,
    today_asked: Option<Instant>,
}

impl Feed {
    /// The monitor answering on the control socket `sock`.
    pub fn monitor(sock: PathBuf) -> Feed {
        Feed {
            kind: Kind::Monitor(sock),
            today: None,
            today_asked: None,
        }
    }

    /// A daemon of the caller's, run by [`Feed::next`].
    pub fn own(mut daemon: Daemon) -> Feed {
        let fresh = Arc::new(AtomicBool::new(true));
        let f = Arc::clone(&fresh);
        daemon.observe(move |u| {
            if let Update::Sample { .. } = u {
                f.store(true, Ordering::Relaxed);
            }
        });
        Feed {
            kind: Kind::Own {
                daemon: Box::new(daemon),
                fresh,
                ended: None,
            },
            today: None,
            today_asked: None,
        }
    }

    /// Advances the feed (a daemon of the caller's runs for up to `budget`; otherwise it
    /// waits out `budget`) and says what to draw.
    pub fn next(&mut self, budget: Duration) -> Result<Next, DaemonError> {
        let t = Instant::now();
        let due = self.today_asked.is_none_or(|a| a.elapsed() >= TODAY_EVERY);
        if due {
            self.today_asked = Some(t);
        }
        let next = match &mut self.kind {
            Kind::Monitor(sock) => {
                if due {
                    if let Ok(Reply::Status(s)) = request(sock, &Command::Status) {
                        self.today = Some(Today::of(&s, "today"));
                    }
                }
                let next = match request(sock, &Command::Live) {
                    Ok(Reply::Live(s)) => Next::View(s, true),
                    Ok(Reply::Error { message }) => Next::Gone(message),
                    Ok(_) => Next::Gone("the monitor answered something else".into()),
                    Err(ControlError::NotRunning(_)) => Next::Gone("the monitor stopped".into()),
                    Err(e) => Next::Gone(e.to_string()),
                };
                std::thread::sleep(budget.saturating_sub(t.elapsed()));
                next
            }
            Kind::Own {
                daemon,
                fresh,
                ended,
            } => {
                while ended.is_none() && t.elapsed() < budget {
                    *ended = daemon.tick()?;
                    if fresh.load(Ordering::Relaxed) {
                        break;
                    }
                }
                if due || ended.is_some() {
                    match daemon.status() {
                        Ok(s) => self.today = Some(Today::of(&s, "since this view began")),
                        Err(e) => tracing::debug!("no figures for the view: {e}"),
                    }
                }
                if ended.is_some() {
                    std::thread::sleep(budget.saturating_sub(t.elapsed()));
                }
                let new = fresh.swap(false, Ordering::Relaxed);
                Next::View(Box::new(daemon.live_status()), new)
            }
        };
        Ok(next)
    }

    /// Why a daemon of the caller's stopped (its recording ran out), once it has.
    pub fn ended(&self) -> Option<StopReason> {
        match &self.kind {
            Kind::Own { ended, .. } => *ended,
            Kind::Monitor(_) => None,
        }
    }

    /// The day's figures, once known.
    pub fn today(&self) -> Option<&Today> {
        self.today.as_ref()
    }

    /// The caller's daemon back, to finish it.
    pub fn into_daemon(self) -> Option<Daemon> {
        match self.kind {
            Kind::Own { daemon, .. } => Some(*daemon),
            Kind::Monitor(_) => None,
        }
    }
}

/// The full-screen view on this terminal until `q`, Ctrl-C or `stop`.
pub fn screen(
    feed: &mut Feed,
    label: &str,
    colour: bool,
    stop: &AtomicBool,
) -> Result<(), LiveError> {
    let term = Terminal::enter()?;
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
        let mut text = render(view.as_deref(), feed.today(), label, width, colour);
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
    Ok(())
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
pub fn render(
    v: Option<&LiveStatus>,
    today: Option<&Today>,
    label: &str,
    width: usize,
    colour: bool,
) -> Vec<String> {
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
            crate::support::human::state(v.state).to_string()
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
            Some(ms) => format!("paused until {}", crate::support::human::clock_time(ms)),
            None => "paused until `hunch resume`".into(),
        });
    }
    if let Some(ms) = v.snoozed_until_ms {
        held.push(format!(
            "alerts snoozed until {}",
            crate::support::human::clock_time(ms)
        ));
    }
    if let Some(why) = &v.source_trouble {
        held.push(format!("camera: {why}"));
    }
    out.push(format!("  {}", held.join("   ")));
    out.push(match today {
        Some(t) => format!("  {}", t.line()),
        None => String::new(),
    });
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

/// One line per frame, for pipes and logs (with the day's share when known).
pub fn plain_line(v: &LiveStatus, today: Option<&Today>) -> String {
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
    if let Some(t) = today {
        s += &format!("; {}", t.line());
    }
    s
}

/// The live view while calibrating: this frame's verdict, how much the head moved
/// against the limit (a gauge, as `hunch watch` draws the angle), and the neutral the
/// frames so far would give.
pub fn calibration_view(
    frame: u64,
    verdict: FrameVerdict,
    calibrator: &Calibrator,
    colour: bool,
) -> Vec<String> {
    use crate::posture::calibration::{MAX_HEAD_SD, MAX_HEIGHT_SD};
    let limit = 100.0 * MAX_HEAD_SD.max(MAX_HEIGHT_SD);
    let status = match verdict {
        FrameVerdict::Usable => "ok".to_string(),
        FrameVerdict::Blank => "dark or blank frame".to_string(),
        FrameVerdict::Rejected(r) => r.advice().to_string(),
    };
    let spread = calibrator.head_spread().map(|s| 100.0 * s);
    let (bar, scale) = gauge(spread, (0.0, 2.0 * limit), &[(limit, '┃')], 50, "%");
    let bar = match spread {
        Some(s) if colour && s > limit => format!("\x1b[31m{bar}\x1b[0m"),
        Some(_) if colour => format!("\x1b[32m{bar}\x1b[0m"),
        _ => bar,
    };
    let movement = spread.map_or("—".to_string(), |s| format!("{s:.1}%"));
    let neutral = match calibrator.finish_ignoring_movement() {
        Ok((n, _)) => format!(
            "neutral so far: eyes {:.3} shoulder widths above the shoulders, head scale {:.3}, neck elevation {:.1}°",
            n.head_height.mean, n.head_scale.mean, n.world_elevation_deg.mean
        ),
        Err(_) => "neutral so far: not enough usable frames yet".to_string(),
    };
    vec![
        format!("  frame {frame:>3}: {status}"),
        format!("  movement {movement} of your shoulder width (must stay under {limit:.0}% ┃)"),
        format!("  {bar}"),
        format!("  {scale}"),
        format!("  {neutral}"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::control::command::Live;

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
        let text = render(Some(&v), None, "test", 80, false).join("\n");
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
        let text = render(Some(&v), None, "test", 80, true).join("\n");
        assert!(text.contains("not measured: turn your head"));
        assert!(text.contains("no hunch in progress"));
        assert!(text.contains("\x1b[1;33m"), "colour on a terminal");
        let line = plain_line(&view(MonitorState::Upright, Some(1.0)), None);
        assert!(
            line.contains("upright") && line.contains("enter 6.0° exit 4.0°"),
            "{line}"
        );
        assert!(!line.contains("today"), "{line}");
        let today = Today {
            scope: "today",
            hunched_share: Some(0.125),
            hunched_s: 180.0,
            monitored_s: 1440.0,
        };
        let want = "today 12% hunched (3 min 00 s of 24 min 00 s monitored)";
        assert_eq!(today.line(), want);
        let line = plain_line(&view(MonitorState::Upright, Some(1.0)), Some(&today));
        assert!(line.ends_with(want), "{line}");
        let text = render(Some(&v), Some(&today), "test", 80, false).join("\n");
        assert!(text.contains(want), "{text}");
        let nothing = Today {
            monitored_s: 0.0,
            hunched_share: None,
            ..today
        };
        assert_eq!(nothing.line(), "today: nothing monitored yet");
    }
}

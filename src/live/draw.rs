//! Drawing a live view: the gauge against the thresholds, the screen, one plain line per
//! frame for a pipe, the calibration view. Pure: text in, text out.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use crate::control::command::LiveStatus;
use crate::posture::calibration::FrameVerdict;
use crate::posture::Calibrator;
use crate::support::human::{duration, short_duration};
use crate::vocab::MonitorState;

use super::*;

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
pub fn gauge_range(v: Option<f32>, enter: f32) -> (f32, f32) {
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
        gauge_range(v.forward_deg, live.enter_deg),
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
    out.push(format!("  {}", hunch_line(live)));
    out.push(match &live.not_measured {
        Some(why) => format!("  not measured: {why}"),
        None => String::new(),
    });
    out.push(format!("  {}", holds(v).join("   ")));
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

/// The hunch in progress and when its alert would come, in words.
pub fn hunch_line(live: &crate::control::command::Live) -> String {
    match (live.hunching_for_s, live.alert_in_s) {
        (Some(h), Some(a)) => format!(
            "hunching for {}   alert in {}",
            duration(h),
            duration(a.max(0.0))
        ),
        (Some(h), None) => format!("hunching for {}", duration(h)),
        _ => "no hunch in progress".to_string(),
    }
}

/// What holds monitoring or alerts back now (a pause, a snooze, camera trouble), in words.
pub fn holds(v: &LiveStatus) -> Vec<String> {
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
    held
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

//! Every numeric setting, at both ends of the range `hunch` accepts, gives a monitor that
//! works on the bundled demo recording (a real person who sits upright, then hunches for
//! four minutes): a value the config accepts must never quietly switch detection off.
//!
//! The poses are computed once with the real engine; each setting then runs the rest of
//! the monitor's own chain (`Monitor::judge`: posture, filter, policy) on them at the
//! camera's full rate. What "works" means follows from what the setting says, not from
//! what the demo happened to give: hunched time appears whenever the demo's angle passes
//! `enter_deg`, and an alert whenever the demo's hunch outlasts what the sustain and alert
//! settings ask for. Settings this chain does not read (the camera's format and
//! warm-up, retention, the report's goal) are tried too, for being accepted at both ends
//! and harmless to the rest.

mod common;

use hunch::config::Config;
use hunch::monitor::Monitor;
use hunch::pose::models::ModelVariant;
use hunch::pose::{PoseEngine, PoseEstimate};
use hunch::recording::Role;
use hunch::vocab::MonitorState;

struct Demo {
    neutral: hunch::posture::Neutral,
    /// (seconds from the first scored frame, the pose; `None` for a blank frame).
    poses: Vec<(f64, Option<PoseEstimate>)>,
}

fn demo(engine: &mut PoseEngine) -> Demo {
    let neutral = common::demo_neutral(ModelVariant::Full);
    let frames = common::demo_frames(Role::Score);
    let t0 = frames[0].time_s.unwrap_or(0.0);
    let poses = frames
        .iter()
        .map(|f| {
            let img = hunch::support::image_io::load_rgb(&f.path).expect("a demo frame");
            let blank = hunch::camera::Exposure::of(&img).is_blank();
            let est = (!blank).then(|| engine.track(&img).expect("inference"));
            (f.time_s.unwrap_or(0.0) - t0, est)
        })
        .collect();
    Demo { neutral, poses }
}

#[derive(Debug)]
struct Outcome {
    hunched_s: f64,
    alerts: usize,
    /// The highest smoothed angle the filter reported.
    peak_deg: f32,
}

/// The monitor's chain on the demo's poses, sampled every `interval_seconds` (the frame
/// on screen at that moment, as a camera would give it).
fn run(engine: PoseEngine, demo: &Demo, c: &Config) -> (Outcome, PoseEngine) {
    let mut m = Monitor::new(engine, demo.neutral, c.posture, c.filter, c.policy);
    let dt = c.camera.interval_seconds;
    let end = demo.poses.last().unwrap().0 + 1.0;
    let mut out = Outcome {
        hunched_s: 0.0,
        alerts: 0,
        peak_deg: f32::MIN,
    };
    let mut k = 0u64;
    loop {
        let t = k as f64 * dt;
        if t >= end {
            break;
        }
        let i = demo.poses.partition_point(|(ft, _)| *ft <= t).max(1) - 1;
        let step = m.judge(demo.poses[i].1.as_ref(), t);
        if matches!(step.state, MonitorState::Hunching | MonitorState::Hunched) {
            out.hunched_s += dt;
        }
        out.alerts += step.alert.is_some() as usize;
        if let Some(a) = step.forward_deg {
            out.peak_deg = out.peak_deg.max(a);
        }
        k += 1;
    }
    (out, m.into_engine())
}

/// `c` with `section.key` set to `value` (as an integer where the setting is one).
fn with(c: &Config, section: &str, key: &str, value: f64) -> Config {
    let mut v = toml::Value::try_from(c).unwrap();
    let slot = v
        .get_mut(section)
        .and_then(|s| s.get_mut(key))
        .unwrap_or_else(|| panic!("no setting [{section}] {key}"));
    *slot = match slot {
        toml::Value::Integer(_) => toml::Value::Integer(value.round() as i64),
        _ => toml::Value::Float(value),
    };
    v.try_into().unwrap()
}

/// `c` made valid by moving each setting that now conflicts (a slower camera needs longer
/// windows) to the nearest value accepted, leaving `fixed` as it is.
fn settle(mut c: Config, fixed: (&str, &str)) -> Config {
    for _ in 0..10 {
        if c.validate().is_ok() {
            return c;
        }
        for l in c.limits() {
            if (l.section, l.key) != fixed && !(l.min..=l.max).contains(&l.value) {
                c = with(&c, l.section, l.key, l.value.clamp(l.min, l.max));
            }
        }
    }
    panic!("no valid config around {fixed:?}: {:?}", c.validate());
}

#[test]
fn every_numeric_setting_at_either_end_of_its_range_gives_a_working_monitor() {
    let mut engine = common::engine(ModelVariant::Full);
    let demo = demo(&mut engine);
    let base = Config::default();
    let (reference, e) = run(engine, &demo, &base);
    engine = e;
    assert!(
        reference.hunched_s > 60.0 && reference.alerts >= 1,
        "{reference:?}"
    );
    let demo_seconds = demo.poses.last().unwrap().0;

    let mut tried = Vec::new();
    for limit in base.limits() {
        for value in [limit.min, limit.max] {
            let c = settle(
                with(&base, limit.section, limit.key, value),
                (limit.section, limit.key),
            );
            assert!(
                c.validate().is_ok(),
                "[{}] {} = {value} is in its range but refused: {:?}",
                limit.section,
                limit.key,
                c.validate()
            );
            let (got, e) = run(engine, &demo, &c);
            engine = e;
            let f = &c.filter;
            let p = &c.policy;
            let what = format!("[{}] {} = {value}: {got:?}", limit.section, limit.key);
            // Detection: hunched time whenever the demo's angle clearly passes the
            // threshold (the reference run's peak, a degree of margin either way).
            if f.enter_deg + 1.0 <= reference.peak_deg {
                assert!(got.hunched_s > 0.0, "no hunched time: {what}");
            } else if f.enter_deg >= reference.peak_deg + 1.0 {
                assert_eq!(got.hunched_s, 0.0, "{what}");
            }
            // Alerts: the demo hunches for about four minutes. An alert needs at least half
            // the sustain window measured, then `alert_after_seconds` of sustained
            // hunching; and at most that plus half the median's window to follow the step.
            let at_least = 0.5 * f.sustain_seconds + p.alert_after_seconds;
            let at_most = at_least + 0.5 * f.smooth_seconds;
            if f.enter_deg + 1.0 <= reference.peak_deg && at_most <= 150.0 {
                assert!(got.alerts >= 1, "no alert: {what}");
            } else if at_least > demo_seconds {
                assert_eq!(got.alerts, 0, "{what}");
            }
            tried.push(what);
        }
    }
    // Every section with numbers took part.
    for section in ["posture", "filter", "policy", "camera", "journal", "report"] {
        assert!(
            tried.iter().any(|t| t.starts_with(&format!("[{section}]"))),
            "{section} was not tried: {tried:#?}"
        );
    }
    eprintln!("{}", tried.join("\n"));
}

//! How late a sustained hunch is alerted when the camera is closed between samples, on a
//! recording of a real person (the demo's: upright for 30 s, then slouched for 4 minutes),
//! through the whole chain (the real pose engine, the filter, the policy, the daemon, the
//! journal) on a virtual clock:
//!
//! * **before**: one frame a second all the time (the device always open, as `hunch run`
//!   sampled before camera sharing; `steady_interval_seconds = interval_seconds`);
//! * **after**: the defaults (one frame every `steady_interval_seconds` while upright, the
//!   full rate from the first forward reading on), at the phases of the slow cadence
//!   against the hunch's onset that give the earliest and the latest alert (every phase
//!   with `HUNCH_ALL_PHASES=1`).
//!
//! Latency is measured from the first slouched frame of the recording to the alert.
//! `scripts/measure-camera-sharing` prints these figures next to the camera's open share.

mod common;

use std::sync::atomic::AtomicBool;
use std::sync::mpsc::channel;

use common::{demo_frames, demo_neutral, engine, tempdir};
use hunch::camera::replay::Replay;
use hunch::camera::{CameraParams, FrameSource};
use hunch::daemon::session::NoSession;
use hunch::daemon::{Daemon, Parts, Settings};
use hunch::journal::Journal;
use hunch::monitor::Monitor;
use hunch::notify::PrintNotifier;
use hunch::policy::PolicyParams;
use hunch::pose::models::ModelVariant;
use hunch::posture::{FilterParams, ModelParams, Neutral};
use hunch::recording::{Label, Recording, Role};
use hunch::support::clock::{Clock, VirtualClock};
use hunch::vocab::{EventKind, MonitorState};

const WALL0: i64 = 1_795_514_400_000;

/// What one replay gave: seconds from the hunch's onset to the first alert, and the
/// frames measured.
struct Outcome {
    latency_s: f64,
    measured: usize,
}

/// Replays `frames` (the first `skip` dropped, which moves the slow cadence's phase
/// against the onset) sampled as `camera` says, or every frame when `camera` is `None`.
fn replay(name: &str, neutral: Neutral, skip: usize, camera: Option<CameraParams>) -> Outcome {
    let frames = &demo_frames(Role::Score)[skip..];
    let onset = frames
        .iter()
        .position(|f| f.label == Label::Hunched)
        .expect("the recording slouches") as f64; // one frame a second from 0
    let recording = Recording::from_labelled(format!("replay:{name}"), frames, 1.0);
    let source: Box<dyn FrameSource> = match camera {
        Some(p) => Box::new(Replay::new(recording).paced(p)),
        None => Box::new(Replay::new(recording)),
    };
    let p = camera.unwrap_or_default();
    let (journal, _) = Journal::open(&tempdir(name).join("journal.sqlite")).unwrap();
    let (_tx, commands) = channel();
    let clock = VirtualClock::starting_at(WALL0);
    let mut daemon = Daemon::new(Parts {
        source,
        clock: Box::new(clock.clone()),
        monitor: Monitor::new(
            engine(ModelVariant::Full),
            neutral,
            ModelParams::default(),
            FilterParams::default(),
            PolicyParams::default(),
        ),
        notifier: Box::new(PrintNotifier::default()),
        journal,
        session: Box::new(NoSession),
        commands,
        settings: Settings {
            sample_interval: p.interval_seconds,
            max_sample_seconds: p.max_sample_seconds(),
            retention_days: 365,
            tz: jiff::tz::TimeZone::UTC,
            prompt_kinds: hunch::notify::stretches::DEFAULT_KINDS.to_vec(),
            calibration: None,
        },
    })
    .unwrap();
    assert_eq!(clock.now(), 0.0);
    let reason = daemon.run(&AtomicBool::new(false)).unwrap();
    let done = daemon.finish(reason).unwrap();
    let alert = done
        .journal
        .events(i64::MIN, i64::MAX)
        .unwrap()
        .into_iter()
        .find(|e| e.kind == EventKind::Alert)
        .unwrap_or_else(|| panic!("{name}: no alert"));
    let measured = done
        .journal
        .samples(i64::MIN, i64::MAX)
        .unwrap()
        .iter()
        .filter(|s| s.state != MonitorState::CameraInUse)
        .count();
    Outcome {
        latency_s: (alert.t_ms - WALL0) as f64 / 1000.0 - onset,
        measured,
    }
}

#[test]
fn closing_the_camera_between_samples_never_alerts_later_than_the_full_rate() {
    let neutral = demo_neutral(ModelVariant::Full);
    let defaults = CameraParams::default();
    assert!(defaults.steady_interval_seconds > defaults.release_after_seconds);
    let before = replay("latency-full", neutral, 0, None);
    // The old scheme, spelled as a configuration: one rate, the device never closed.
    let one_rate = CameraParams {
        steady_interval_seconds: defaults.interval_seconds,
        ..defaults
    };
    let before_configured = replay("latency-one-rate", neutral, 0, Some(one_rate));
    assert_eq!(before.latency_s, before_configured.latency_s);
    assert_eq!(before.measured, before_configured.measured);

    // The onset's phase against the slow cadence: the first and last whole second of the
    // steady interval (the earliest and the latest alert), or every one with
    // HUNCH_ALL_PHASES=1 (as scripts/measure-camera-sharing runs it).
    let last = defaults.steady_interval_seconds.ceil() as usize - 1;
    let phases: Vec<usize> = if std::env::var_os("HUNCH_ALL_PHASES").is_some() {
        (0..=last).collect()
    } else {
        vec![0, last]
    };
    let after: Vec<Outcome> = phases
        .iter()
        .map(|&skip| {
            replay(
                &format!("latency-steady-{skip}"),
                neutral,
                skip,
                Some(defaults),
            )
        })
        .collect();
    let lat: Vec<f64> = after.iter().map(|o| o.latency_s).collect();
    let (min, max) = (
        lat.iter().cloned().fold(f64::MAX, f64::min),
        lat.iter().cloned().fold(f64::MIN, f64::max),
    );
    let mean = lat.iter().sum::<f64>() / lat.len() as f64;
    println!(
        "latency: before (1 frame/s, always open): {:.1} s after the onset, {} frames",
        before.latency_s, before.measured
    );
    println!(
        "latency: after (defaults, steady every {} s): {min:.1}-{max:.1} s (mean {mean:.1}) over {} phases {lat:?}, {}-{} frames",
        defaults.steady_interval_seconds,
        lat.len(),
        after.iter().map(|o| o.measured).min().unwrap_or(0),
        after.iter().map(|o| o.measured).max().unwrap_or(0),
    );
    // Caught at every phase, never later than at the full rate, and not absurdly early
    // (at most one steady interval is credited back).
    assert!(max <= before.latency_s, "{lat:?} vs {}", before.latency_s);
    assert!(
        min >= before.latency_s - defaults.steady_interval_seconds - 3.0,
        "{lat:?} vs {}",
        before.latency_s
    );
    // Fewer frames: the upright minute was sampled slowly.
    assert!(after.iter().all(|o| o.measured < before.measured));
}

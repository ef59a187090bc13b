//! Replaying a recording ([`crate::recording`]) as a frame source. Paced by the clock it
//! is polled with: on the real clock frames arrive at their recorded times, on a
//! [`crate::support::clock::VirtualClock`] as fast as they decode, with the same timeline. A
//! consumer slower than the recording gets what a camera would give it: the latest frame,
//! the ones it had no time for dropped. A [`Replay::paced`] replay also samples the
//! recording the way the webcam samples the camera, at the full or the steady rate
//! ([`FrameSource::set_attentive`]), so that sampling schemes can be compared on one
//! recording.

use std::time::Duration;

use super::{CameraParams, Frame, FrameSource, Poll, SourceError};
use crate::recording::Recording;
use crate::support::clock::Clock;

pub struct Replay {
    recording: Recording,
    pos: usize,
    /// The clock time the first frame was (or is) due, fixed at the first poll.
    start: Option<f64>,
    /// Sampled like a camera: the intervals, the rate asked for, and when the last frame
    /// delivered was due.
    cadence: Option<CameraParams>,
    attentive: bool,
    last_due: Option<f64>,
}

impl Replay {
    pub fn new(recording: Recording) -> Replay {
        Replay {
            recording,
            pos: 0,
            start: None,
            cadence: None,
            attentive: true,
            last_due: None,
        }
    }

    /// Delivers a frame only once the interval `params` gives for the rate asked for has
    /// passed since the last one (the frames between are skipped, as a camera sampled at
    /// that rate would never have taken them).
    pub fn paced(mut self, params: CameraParams) -> Replay {
        self.cadence = Some(params);
        self
    }

    /// Opens a recording directory or a single image; see [`Recording::open`].
    pub fn open(path: &std::path::Path, fps: f64) -> Result<Replay, SourceError> {
        Ok(Replay::new(Recording::open(path, fps)?))
    }

    pub fn len(&self) -> usize {
        self.recording.frames.len()
    }

    pub fn is_empty(&self) -> bool {
        self.recording.frames.is_empty()
    }

    /// When frame `i` is due on the clock.
    fn due(&mut self, i: usize, clock: &dyn Clock) -> Option<f64> {
        let first = self.recording.frames.first()?.t;
        let start = *self.start.get_or_insert_with(|| clock.now());
        Some(start + (self.recording.frames.get(i)?.t - first).max(0.0))
    }

    fn load(&mut self) -> Result<Frame, SourceError> {
        let f = &self.recording.frames[self.pos];
        let index = self.pos as u64;
        self.pos += 1;
        let image = crate::support::image_io::load_rgb(&f.path)?;
        Ok(Frame {
            image,
            t: f.t,
            index,
        })
    }
}

impl FrameSource for Replay {
    fn poll(&mut self, clock: &dyn Clock, wait: Duration) -> Result<Poll, SourceError> {
        if let (Some(p), Some(last)) = (self.cadence, self.last_due) {
            // (Within a millisecond counts as due, as for the daemon's held samples.)
            let next = last + p.interval(self.attentive) - 1e-3;
            while self.due(self.pos, clock).is_some_and(|d| d < next) {
                self.pos += 1;
            }
        }
        let Some(due) = self.due(self.pos, clock) else {
            return Ok(Poll::End);
        };
        let now = clock.now();
        if due > now {
            let ahead = due - now;
            if ahead > wait.as_secs_f64() {
                clock.sleep(wait);
                return Ok(Poll::Idle);
            }
            clock.sleep(Duration::from_secs_f64(ahead));
        } else {
            // Behind (the machine is slower than the recording): like a camera, deliver
            // the latest frame that is due and drop the ones before it.
            while self.due(self.pos + 1, clock).is_some_and(|d| d <= now) {
                self.pos += 1;
            }
        }
        self.last_due = self.due(self.pos, clock);
        match self.load() {
            Ok(f) => Ok(Poll::Frame(f)),
            // A damaged frame is skipped; the replay goes on.
            Err(e) => Ok(Poll::Trouble(e.to_string())),
        }
    }

    fn release(&mut self, clock: &dyn Clock) -> bool {
        let now = clock.now();
        while self.due(self.pos, clock).is_some_and(|d| d <= now) {
            self.pos += 1;
        }
        self.pos < self.recording.frames.len()
    }

    fn next_frame(&mut self) -> Result<Option<Frame>, SourceError> {
        if self.pos >= self.recording.frames.len() {
            return Ok(None);
        }
        self.load().map(Some)
    }

    fn id(&self) -> String {
        self.recording.id.clone()
    }

    fn set_attentive(&mut self, attentive: bool) {
        self.attentive = attentive;
    }

    fn cadence(&self) -> Option<f64> {
        self.cadence.map(|p| p.interval(self.attentive))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recording::RecordedFrame;
    use crate::support::clock::VirtualClock;

    fn replay(times: &[f64]) -> Replay {
        let img = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/demo/upright-0.jpg");
        Replay::new(Recording {
            id: "test".into(),
            frames: times
                .iter()
                .map(|&t| RecordedFrame {
                    path: img.clone(),
                    t,
                })
                .collect(),
        })
    }

    #[test]
    fn frames_arrive_at_their_recorded_times_on_the_clock() {
        let clock = VirtualClock::starting_at(0);
        clock.advance(100.0);
        let mut r = replay(&[10.0, 10.5, 13.0]);
        let wait = Duration::from_secs(1);
        let mut got = Vec::new();
        loop {
            match r.poll(&clock, wait).unwrap() {
                Poll::Frame(f) => got.push((f.t, clock.now())),
                Poll::Idle => {}
                Poll::End => break,
                Poll::Trouble(e) => panic!("{e}"),
            }
        }
        // Recorded times 10, 10.5, 13 → due at 100, 100.5, 103 on the clock.
        assert_eq!(got, [(10.0, 100.0), (10.5, 100.5), (13.0, 103.0)]);
    }

    #[test]
    fn a_slow_consumer_gets_the_latest_frame_like_from_a_camera() {
        let clock = VirtualClock::starting_at(0);
        let mut r = replay(&[0.0, 1.0, 2.0, 3.0, 4.0]);
        let wait = Duration::from_millis(50);
        assert!(matches!(r.poll(&clock, wait).unwrap(), Poll::Frame(f) if f.t == 0.0));
        clock.advance(2.5); // processing took 2.5 s
        assert!(matches!(r.poll(&clock, wait).unwrap(), Poll::Frame(f) if f.t == 2.0));
        assert!(
            matches!(r.poll(&clock, Duration::from_secs(1)).unwrap(), Poll::Frame(f) if f.t == 3.0)
        );
    }

    #[test]
    fn releasing_drops_what_falls_due_while_held() {
        let clock = VirtualClock::starting_at(0);
        let mut r = replay(&[0.0, 1.0, 2.0, 3.0, 4.0]);
        assert!(matches!(
            r.poll(&clock, Duration::ZERO).unwrap(),
            Poll::Frame(_)
        ));
        clock.advance(2.5);
        assert!(r.release(&clock));
        let Poll::Frame(f) = r.poll(&clock, Duration::from_secs(1)).unwrap() else {
            panic!("a frame")
        };
        assert_eq!(f.t, 3.0);
        clock.advance(10.0);
        assert!(!r.release(&clock), "nothing left");
        assert!(matches!(r.poll(&clock, Duration::ZERO).unwrap(), Poll::End));
    }

    #[test]
    fn a_damaged_frame_is_trouble_and_the_replay_goes_on() {
        let dir = std::env::temp_dir().join(format!("hunch-replay-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bad = dir.join("bad.jpg");
        std::fs::write(&bad, b"not a jpeg").unwrap();
        let mut r = replay(&[0.0, 1.0]);
        r.recording.frames[0].path = bad;
        let clock = VirtualClock::starting_at(0);
        let wait = Duration::from_secs(2);
        assert!(matches!(r.poll(&clock, wait).unwrap(), Poll::Trouble(_)));
        assert!(matches!(r.poll(&clock, wait).unwrap(), Poll::Frame(_)));
        assert!(matches!(r.poll(&clock, wait).unwrap(), Poll::End));
    }
}

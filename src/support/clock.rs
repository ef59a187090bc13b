//! The monitor's sense of time. Everything that waits or stamps a time asks a [`Clock`],
//! so one daemon runs on the real clock (the camera, a replay at its own pace), on a
//! scaled one (a replay at N× speed) or on a virtual one (a replay as fast as frames
//! decode, and tests that drive the daemon step by step). There is one way to pace a
//! replay: wait on the clock until each frame is due.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub trait Clock: Send {
    /// Seconds since the clock started; never goes backwards.
    fn now(&self) -> f64;
    /// Unix time now, ms.
    fn wall_ms(&self) -> i64;
    /// Waits `d` of this clock's time.
    fn sleep(&self, d: Duration);
}

fn system_wall_ms() -> i64 {
    jiff::Timestamp::now().as_millisecond()
}

/// Real time, optionally sped up. At speed 1 the wall clock is the system's; sped up, it
/// runs from the start time at the same speed, so a replay's journal has the recording's
/// own timeline.
#[derive(Debug, Clone)]
pub struct SystemClock {
    start: Instant,
    wall0: i64,
    speed: f64,
}

impl SystemClock {
    pub fn new() -> SystemClock {
        SystemClock::with_speed(1.0)
    }

    /// A clock running `speed` times faster than real time (clamped to 1–1000).
    pub fn with_speed(speed: f64) -> SystemClock {
        SystemClock {
            start: Instant::now(),
            wall0: system_wall_ms(),
            speed: if speed.is_finite() {
                speed.clamp(1.0, 1000.0)
            } else {
                1.0
            },
        }
    }
}

impl Default for SystemClock {
    fn default() -> Self {
        SystemClock::new()
    }
}

impl Clock for SystemClock {
    fn now(&self) -> f64 {
        self.start.elapsed().as_secs_f64() * self.speed
    }

    fn wall_ms(&self) -> i64 {
        if self.speed == 1.0 {
            system_wall_ms()
        } else {
            self.wall0 + (self.now() * 1000.0).round() as i64
        }
    }

    fn sleep(&self, d: Duration) {
        std::thread::sleep(d.div_f64(self.speed));
    }
}

/// Time that passes only when someone waits: `sleep` moves it forward at once. A replay on
/// it runs as fast as its frames decode, with the same timeline as at its own pace. Clones
/// share one time, so a test can hold a handle while the daemon owns another.
#[derive(Debug, Clone)]
pub struct VirtualClock {
    t: Arc<Mutex<f64>>,
    wall0: i64,
}

impl VirtualClock {
    /// Starts at 0 s, at `wall0_ms` Unix ms.
    pub fn starting_at(wall0_ms: i64) -> VirtualClock {
        VirtualClock {
            t: Arc::new(Mutex::new(0.0)),
            wall0: wall0_ms,
        }
    }

    /// Starts now.
    pub fn new() -> VirtualClock {
        VirtualClock::starting_at(system_wall_ms())
    }

    /// Moves time forward by `seconds` (never back).
    pub fn advance(&self, seconds: f64) {
        if let Ok(mut t) = self.t.lock() {
            if seconds.is_finite() && seconds > 0.0 {
                *t += seconds;
            }
        }
    }
}

impl Default for VirtualClock {
    fn default() -> Self {
        VirtualClock::new()
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> f64 {
        self.t.lock().map_or(0.0, |t| *t)
    }

    fn wall_ms(&self) -> i64 {
        self.wall0 + (self.now() * 1000.0).round() as i64
    }

    fn sleep(&self, d: Duration) {
        self.advance(d.as_secs_f64());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn virtual_time_moves_only_when_waited_on_and_clones_share_it() {
        let c = VirtualClock::starting_at(1_000_000);
        let handle = c.clone();
        assert_eq!(c.now(), 0.0);
        c.sleep(Duration::from_millis(1500));
        assert_eq!(handle.now(), 1.5);
        assert_eq!(handle.wall_ms(), 1_001_500);
        handle.advance(-5.0);
        assert_eq!(c.now(), 1.5);
    }

    #[test]
    fn a_sped_up_clock_runs_its_own_wall_time() {
        let c = SystemClock::with_speed(100.0);
        let w0 = c.wall_ms();
        let t = Instant::now();
        c.sleep(Duration::from_secs(1));
        let real = t.elapsed();
        assert!(real < Duration::from_millis(500), "{real:?}");
        assert!(c.now() >= 1.0);
        assert!(c.wall_ms() - w0 >= 1000);
    }
}

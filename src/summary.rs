//! Totals over journal samples: the figures the demo prints and `hunch report` builds on.

use crate::journal::SampleRow;
use crate::policy::MonitorState;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Totals {
    /// Present at the desk and being watched (upright, hunching, hunched, unmeasured).
    pub monitored_s: f64,
    pub upright_s: f64,
    /// Hunching or hunched.
    pub hunched_s: f64,
    pub longest_hunch_s: f64,
    pub episodes: u32,
    pub away_s: f64,
    pub paused_s: f64,
}

impl Totals {
    pub fn hunched_share(&self) -> Option<f64> {
        (self.monitored_s > 0.0).then(|| self.hunched_s / self.monitored_s)
    }

    /// Adds up samples in time order; each stands for its own `dt_ms`.
    pub fn of(samples: &[SampleRow]) -> Totals {
        let mut t = Totals::default();
        let mut run = 0.0;
        for s in samples {
            let dt = s.dt_ms as f64 / 1000.0;
            let hunched = matches!(s.state, MonitorState::Hunching | MonitorState::Hunched);
            match s.state {
                MonitorState::Upright => t.upright_s += dt,
                MonitorState::Hunching | MonitorState::Hunched => t.hunched_s += dt,
                MonitorState::Away => t.away_s += dt,
                MonitorState::Paused | MonitorState::Locked | MonitorState::Snoozed => {
                    t.paused_s += dt
                }
                MonitorState::Unmeasured => {}
            }
            if matches!(
                s.state,
                MonitorState::Upright
                    | MonitorState::Hunching
                    | MonitorState::Hunched
                    | MonitorState::Unmeasured
                    | MonitorState::Snoozed
            ) {
                t.monitored_s += dt;
            }
            if hunched {
                if run == 0.0 {
                    t.episodes += 1;
                }
                run += dt;
                t.longest_hunch_s = t.longest_hunch_s.max(run);
            } else if s.state != MonitorState::Unmeasured {
                run = 0.0;
            }
        }
        t
    }
}

/// "1 h 05 min", "4 min 10 s", "12 s".
pub fn duration(s: f64) -> String {
    let s = s.max(0.0).round() as u64;
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min {:02} s", s / 60, s % 60),
        _ => format!("{} h {:02} min", s / 3600, s % 3600 / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(t: i64, state: MonitorState) -> SampleRow {
        SampleRow {
            t_ms: t * 1000,
            dt_ms: 1000,
            state,
            forward_deg: None,
        }
    }

    #[test]
    fn totals_count_each_state_and_the_longest_episode() {
        use MonitorState::*;
        let states = [
            Upright, Upright, Hunching, Hunched, Unmeasured, Hunched, Upright, Away, Hunching,
            Upright,
        ];
        let rows: Vec<_> = states
            .iter()
            .enumerate()
            .map(|(i, s)| row(i as i64, *s))
            .collect();
        let t = Totals::of(&rows);
        assert_eq!(t.upright_s, 4.0);
        assert_eq!(t.hunched_s, 4.0);
        assert_eq!(t.away_s, 1.0);
        assert_eq!(t.monitored_s, 9.0);
        assert_eq!(t.episodes, 2);
        // Hunching, Hunched, (Unmeasured doesn't break it), Hunched.
        assert_eq!(t.longest_hunch_s, 3.0);
        assert_eq!(duration(3725.0), "1 h 02 min");
        assert_eq!(duration(250.0), "4 min 10 s");
    }
}

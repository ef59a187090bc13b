//! When to speak up. Pure logic over timestamps, so tests drive it with a fake clock.
//!
//! Rules, in order:
//! 1. Nothing while paused, snoozed, the screen is locked, or the user is away.
//! 2. An alert needs the posture filter's *sustained* `Hunched` state, and a hunch episode
//!    (hunching without returning upright or leaving) at least `alert_after_seconds` old.
//! 3. Alerts are at least `cooldown_seconds` apart, across episodes too.
//! 4. **Escalation**: the first alert of an episode is gentle. If the same episode goes on
//!    past the cooldown, the second is insistent (urgent, stays until dismissed). After that
//!    the spacing doubles with each further alert (15 → 30 → 60 min with the defaults), so
//!    hunch keeps reminding without nagging someone who has chosen to keep working.

use serde::{Deserialize, Serialize};

use crate::posture::PostureState;

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyParams {
    /// How long an episode must last before the first alert.
    pub alert_after_seconds: f64,
    /// Minimum time between alerts.
    pub cooldown_seconds: f64,
    /// Default snooze length.
    pub snooze_seconds: f64,
}

impl Default for PolicyParams {
    fn default() -> Self {
        Self {
            alert_after_seconds: 180.0,
            cooldown_seconds: 900.0,
            snooze_seconds: 1800.0,
        }
    }
}

impl PolicyParams {
    pub fn validate(&self) -> Result<(), String> {
        for (name, v) in [
            ("alert_after_seconds", self.alert_after_seconds),
            ("cooldown_seconds", self.cooldown_seconds),
            ("snooze_seconds", self.snooze_seconds),
        ] {
            if !v.is_finite() || v < 0.0 {
                return Err(format!("{name} must be 0 or more"));
            }
        }
        Ok(())
    }
}

/// What the monitor is doing, as `hunch status` shows it and the journal records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MonitorState {
    Away,
    Unmeasured,
    Upright,
    Hunching,
    Hunched,
    Snoozed,
    Paused,
    Locked,
}

impl MonitorState {
    pub fn as_str(self) -> &'static str {
        match self {
            MonitorState::Away => "away",
            MonitorState::Unmeasured => "unmeasured",
            MonitorState::Upright => "upright",
            MonitorState::Hunching => "hunching",
            MonitorState::Hunched => "hunched",
            MonitorState::Snoozed => "snoozed",
            MonitorState::Paused => "paused",
            MonitorState::Locked => "locked",
        }
    }

    pub fn parse(s: &str) -> Option<MonitorState> {
        [
            MonitorState::Away,
            MonitorState::Unmeasured,
            MonitorState::Upright,
            MonitorState::Hunching,
            MonitorState::Hunched,
            MonitorState::Snoozed,
            MonitorState::Paused,
            MonitorState::Locked,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertLevel {
    Gentle,
    Insistent,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// How long this hunch episode has lasted, seconds.
    pub hunched_for: f64,
    pub level: AlertLevel,
    /// 1 for the episode's first alert.
    pub number_in_episode: u32,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Hold {
    None,
    Snoozed { until: f64 },
    Paused { until: Option<f64> },
}

#[derive(Debug)]
pub struct Policy {
    p: PolicyParams,
    hold: Hold,
    episode_start: Option<f64>,
    alerts_in_episode: u32,
    last_alert: Option<f64>,
}

impl Policy {
    pub fn new(p: PolicyParams) -> Self {
        Self {
            p,
            hold: Hold::None,
            episode_start: None,
            alerts_in_episode: 0,
            last_alert: None,
        }
    }

    pub fn params(&self) -> &PolicyParams {
        &self.p
    }

    /// Snoozes alerts for `seconds` (monitoring and journaling go on).
    pub fn snooze(&mut self, t: f64, seconds: f64) {
        self.hold = Hold::Snoozed { until: t + seconds };
    }

    /// Pauses monitoring until `until` (or until resumed). The daemon releases the camera.
    pub fn pause(&mut self, until: Option<f64>) {
        self.hold = Hold::Paused { until };
        self.end_episode();
    }

    pub fn resume(&mut self) {
        self.hold = Hold::None;
    }

    /// Whether monitoring is paused at `t` (the camera should be closed).
    pub fn is_paused(&mut self, t: f64) -> bool {
        self.expire(t);
        matches!(self.hold, Hold::Paused { .. })
    }

    fn expire(&mut self, t: f64) {
        match self.hold {
            Hold::Snoozed { until } if t >= until => self.hold = Hold::None,
            Hold::Paused { until: Some(until) } if t >= until => self.hold = Hold::None,
            _ => {}
        }
    }

    fn end_episode(&mut self) {
        self.episode_start = None;
        self.alerts_in_episode = 0;
    }

    /// One sample: the posture filter's state at `t`, and whether the screen is locked.
    pub fn step(
        &mut self,
        t: f64,
        posture: PostureState,
        locked: bool,
    ) -> (MonitorState, Option<Alert>) {
        self.expire(t);
        if let Hold::Paused { .. } = self.hold {
            return (MonitorState::Paused, None);
        }
        match posture {
            PostureState::Upright | PostureState::Away => self.end_episode(),
            PostureState::Hunching | PostureState::Hunched => {
                self.episode_start.get_or_insert(t);
            }
            PostureState::Unmeasured => {}
        }
        let state = match posture {
            PostureState::Away => MonitorState::Away,
            PostureState::Unmeasured => MonitorState::Unmeasured,
            PostureState::Upright => MonitorState::Upright,
            PostureState::Hunching => MonitorState::Hunching,
            PostureState::Hunched => MonitorState::Hunched,
        };
        if locked {
            return (MonitorState::Locked, None);
        }
        if let Hold::Snoozed { .. } = self.hold {
            return (MonitorState::Snoozed, None);
        }
        if posture != PostureState::Hunched {
            return (state, None);
        }
        let start = self.episode_start.unwrap_or(t);
        let hunched_for = t - start;
        if hunched_for < self.p.alert_after_seconds {
            return (state, None);
        }
        let spacing = if self.alerts_in_episode == 0 {
            self.p.cooldown_seconds
        } else {
            self.p.cooldown_seconds * 2f64.powi(self.alerts_in_episode as i32 - 1)
        };
        if self.last_alert.is_some_and(|last| t - last < spacing) {
            return (state, None);
        }
        self.alerts_in_episode += 1;
        self.last_alert = Some(t);
        let alert = Alert {
            hunched_for,
            level: if self.alerts_in_episode == 1 {
                AlertLevel::Gentle
            } else {
                AlertLevel::Insistent
            },
            number_in_episode: self.alerts_in_episode,
        };
        (state, Some(alert))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use PostureState::*;

    /// Runs `state(t)` at 1 Hz and returns the alert times.
    fn run(
        p: &mut Policy,
        from: u32,
        to: u32,
        state: impl Fn(u32) -> PostureState,
    ) -> Vec<(u32, Alert)> {
        (from..to)
            .filter_map(|t| p.step(t as f64, state(t), false).1.map(|a| (t, a)))
            .collect()
    }

    #[test]
    fn first_alert_after_the_episode_matures_then_escalates_and_backs_off() {
        let mut p = Policy::new(PolicyParams::default());
        // Hunching from t=0, sustained from t=45 on, for 2 hours.
        let alerts = run(&mut p, 0, 7200, |t| if t < 45 { Hunching } else { Hunched });
        let times: Vec<u32> = alerts.iter().map(|(t, _)| *t).collect();
        // 180 s, then +900 (insistent), then +1800, then +3600 would be 6480.
        assert_eq!(times, [180, 1080, 2880, 6480]);
        assert_eq!(alerts[0].1.level, AlertLevel::Gentle);
        assert!(alerts[1..]
            .iter()
            .all(|(_, a)| a.level == AlertLevel::Insistent));
        assert_eq!(alerts[1].1.number_in_episode, 2);
        assert!((alerts[1].1.hunched_for - 1080.0).abs() < 1e-9);
    }

    #[test]
    fn upright_resets_the_episode_but_not_the_cooldown() {
        let mut p = Policy::new(PolicyParams::default());
        let a = run(&mut p, 0, 200, |_| Hunched);
        assert_eq!(a.len(), 1);
        run(&mut p, 200, 260, |_| Upright);
        // A new episode from 260: matures at 440, but the cooldown from 180 holds until 1080.
        let b = run(&mut p, 260, 1200, |_| Hunched);
        assert_eq!(b.iter().map(|(t, _)| *t).collect::<Vec<_>>(), [1080]);
        assert_eq!(b[0].1.level, AlertLevel::Gentle);
    }

    #[test]
    fn nothing_while_upright_away_unmeasured_or_hunching() {
        let mut p = Policy::new(PolicyParams::default());
        assert!(
            run(&mut p, 0, 3600, |t| [Upright, Away, Unmeasured, Hunching]
                [(t / 60 % 4) as usize])
            .is_empty()
        );
    }

    #[test]
    fn snooze_pause_and_lock_hold_alerts() {
        let mut p = Policy::new(PolicyParams::default());
        p.snooze(0.0, 1800.0);
        let a = run(&mut p, 0, 2000, |_| Hunched);
        // The episode matured long ago; the alert comes the moment the snooze ends.
        assert_eq!(a.iter().map(|(t, _)| *t).collect::<Vec<_>>(), [1800]);
        assert_eq!(p.step(100.0, Hunched, false).0, MonitorState::Hunched);

        let mut p = Policy::new(PolicyParams::default());
        p.pause(None);
        assert!(run(&mut p, 0, 5000, |_| Hunched).is_empty());
        assert_eq!(p.step(5000.0, Hunched, false).0, MonitorState::Paused);
        assert!(p.is_paused(5000.0));
        p.resume();
        // Pausing ended the episode: it starts again and needs 180 s.
        let a = run(&mut p, 5001, 5400, |_| Hunched);
        assert_eq!(a.iter().map(|(t, _)| *t).collect::<Vec<_>>(), [5181]);

        let mut p = Policy::new(PolicyParams::default());
        p.pause(Some(100.0));
        assert!(p.is_paused(99.0));
        assert!(!p.is_paused(100.0));

        let mut p = Policy::new(PolicyParams::default());
        for t in 0..600 {
            let (s, a) = p.step(t as f64, Hunched, true);
            assert_eq!(s, MonitorState::Locked);
            assert!(a.is_none());
        }
    }
}

//! When to speak up, and when to hold. Pure logic over timestamps (seconds on the
//! monitor's clock), so tests drive it with a fake clock.
//!
//! Holds, each with one meaning whoever asks for it (the control socket, a notification
//! button, the tray):
//! * **Pause** (for a while, for today, or until resumed): nothing is measured and the
//!   camera is closed. The episode in progress ends.
//! * **Lock**: the screen is locked; like a pause, for as long as it lasts.
//! * **Snooze**: monitoring goes on and every sample keeps its posture, but no alert is
//!   shown until the snooze ends. A snooze never ends a pause, nor a pause a snooze: they
//!   are separate timers. **Resume** ends both.
//!
//! Alerts, in order:
//! 1. Nothing while held, snoozed, or away.
//! 2. An alert needs the posture filter's *sustained* `Hunched` state, and a hunch episode
//!    ([`crate::vocab::Episodes`]) at least `alert_after_seconds` old.
//! 3. Alerts are at least `cooldown_seconds` apart, across episodes too.
//!    An episode is dated from the sample that began it; but when the hunch's first forward
//!    reading came after a longer gap than the readings that followed it (the camera was
//!    sampled at its slow, steady rate), the episode is dated back by the difference, at
//!    most [`MAX_GAP_CREDIT_SECONDS`]: sampling slowly while you sit upright never makes an
//!    alert later than sampling at the full rate would have. At one rate all the time the
//!    difference is zero.
//! 4. **Escalation**: the first alert of an episode is gentle. If the same episode goes on
//!    past the cooldown, the second is insistent (urgent, stays until dismissed). After that
//!    the spacing doubles with each further alert (15 → 30 → 60 min with the defaults), so
//!    hunch keeps reminding without nagging someone who has chosen to keep working.

use serde::{Deserialize, Serialize};

use crate::posture::PostureState;
use crate::vocab::{BadSetting, Episodes, MonitorState};

/// The most an episode is dated back for the gap before its first forward reading.
pub const MAX_GAP_CREDIT_SECONDS: f64 = 30.0;

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
    /// Each value's accepted range.
    pub fn limits(&self) -> Vec<crate::vocab::Limit> {
        use crate::vocab::Limit;
        vec![
            Limit::new(
                "alert_after_seconds",
                self.alert_after_seconds,
                0.0..=86_400.0,
            ),
            Limit::new("cooldown_seconds", self.cooldown_seconds, 0.0..=86_400.0),
            Limit::new("snooze_seconds", self.snooze_seconds, 1.0..=86_400.0),
        ]
    }

    pub fn validate(&self) -> Result<(), BadSetting> {
        crate::vocab::Limit::check_all(&self.limits())
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

/// Until when a pause lasts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Until {
    /// A time on the monitor's clock.
    Time(f64),
    /// Until the user resumes.
    Resumed,
}

#[derive(Debug)]
pub struct Policy {
    p: PolicyParams,
    paused: Option<Until>,
    snoozed_until: Option<f64>,
    locked: bool,
    camera_in_use: bool,
    episodes: Episodes,
    alerts_in_episode: u32,
    last_alert: Option<f64>,
    /// When the previous frame's reading was taken.
    last_reading: Option<f64>,
    /// The run of forward readings in progress, if the last measured reading was forward.
    forward_run: Option<ForwardRun>,
}

/// A run of forward readings: how long the gap before the first one was, and the shortest
/// gap between readings since.
#[derive(Debug, Clone, Copy)]
struct ForwardRun {
    gap_before: f64,
    shortest_since: f64,
}

impl ForwardRun {
    /// How much longer the gap before the run was than the sampling during it: what a
    /// slower sampling rate before the hunch cost.
    fn gap_credit(&self) -> f64 {
        if self.shortest_since.is_finite() {
            (self.gap_before - self.shortest_since).clamp(0.0, MAX_GAP_CREDIT_SECONDS)
        } else {
            0.0
        }
    }
}

impl Policy {
    pub fn new(p: PolicyParams) -> Self {
        Self {
            p,
            paused: None,
            snoozed_until: None,
            locked: false,
            camera_in_use: false,
            episodes: Episodes::default(),
            alerts_in_episode: 0,
            last_alert: None,
            last_reading: None,
            forward_run: None,
        }
    }

    pub fn params(&self) -> &PolicyParams {
        &self.p
    }

    /// Holds alerts until `t + seconds`; monitoring goes on. A pause in effect stays.
    pub fn snooze(&mut self, t: f64, seconds: f64) {
        self.snoozed_until = Some(t + seconds);
    }

    /// Pauses monitoring until `until`. The episode in progress ends.
    pub fn pause(&mut self, until: Until) {
        self.paused = Some(until);
        self.end_episode();
    }

    /// Ends a pause and a snooze.
    pub fn resume(&mut self) {
        self.paused = None;
        self.snoozed_until = None;
    }

    /// Follows the screen lock. Locking ends the episode in progress.
    pub fn set_locked(&mut self, locked: bool) {
        if locked && !self.locked {
            self.end_episode();
        }
        self.locked = locked;
    }

    /// Follows another application using the camera: while it does, monitoring is held
    /// (and the episode in progress ends).
    pub fn set_camera_in_use(&mut self, in_use: bool) {
        if in_use && !self.camera_in_use {
            self.end_episode();
        }
        self.camera_in_use = in_use;
    }

    fn expire(&mut self, t: f64) {
        if self.snoozed_until.is_some_and(|u| t >= u) {
            self.snoozed_until = None;
        }
        if let Some(Until::Time(u)) = self.paused {
            if t >= u {
                self.paused = None;
            }
        }
    }

    /// Whether monitoring is held at `t`, and as what: `Paused`, `Locked` or
    /// `CameraInUse` (the camera should be closed and nothing measured), in that order.
    pub fn hold(&mut self, t: f64) -> Option<MonitorState> {
        self.expire(t);
        if self.paused.is_some() {
            Some(MonitorState::Paused)
        } else if self.locked {
            Some(MonitorState::Locked)
        } else if self.camera_in_use {
            Some(MonitorState::CameraInUse)
        } else {
            None
        }
    }

    /// The pause in effect at `t`, if any.
    pub fn paused(&mut self, t: f64) -> Option<Until> {
        self.expire(t);
        self.paused
    }

    /// When the snooze in effect at `t` ends, if any.
    pub fn snoozed_until(&mut self, t: f64) -> Option<f64> {
        self.expire(t);
        self.snoozed_until
    }

    /// The hunch episode in progress at `t`: when it started, on the monitor's clock.
    pub fn episode_start(&self, t: f64) -> Option<f64> {
        self.episodes.current(t).map(|e| e.start)
    }

    /// When the next alert would come if the hunch goes on (and is sustained), given what
    /// is known at `t`: the episode's age, the cooldown and its escalation, a snooze.
    pub fn alert_due_at(&self, t: f64) -> Option<f64> {
        let start = self.episode_start(t)?;
        let mut due = start + self.p.alert_after_seconds;
        if let Some(last) = self.last_alert {
            due = due.max(last + self.spacing());
        }
        if let Some(until) = self.snoozed_until {
            due = due.max(until);
        }
        Some(due.max(t))
    }

    /// The least time between the last alert and the next: the cooldown, doubling with
    /// each further alert of the same episode.
    fn spacing(&self) -> f64 {
        if self.alerts_in_episode == 0 {
            self.p.cooldown_seconds
        } else {
            self.p.cooldown_seconds * 2f64.powi(self.alerts_in_episode as i32 - 1)
        }
    }

    fn end_episode(&mut self) {
        self.episodes.end();
        self.alerts_in_episode = 0;
        self.last_reading = None;
        self.forward_run = None;
    }

    /// One frame's own reading at `t`, before its [`Policy::step`]: `Some(true)` when it
    /// reads forward (at or above the posture filter's exit threshold), `Some(false)` when
    /// it reads upright or nobody is there, `None` when it could not be measured (head
    /// turned, looking down). The filter smooths; this sees each frame, so that a forming
    /// hunch is noticed at its first reading.
    pub fn reading(&mut self, t: f64, forward: Option<bool>) {
        if self.hold(t).is_some() {
            self.last_reading = None;
            self.forward_run = None;
            return;
        }
        let gap = self.last_reading.map(|last| (t - last).max(0.0));
        self.last_reading = Some(t);
        match (forward, &mut self.forward_run) {
            (Some(true), None) => {
                self.forward_run = Some(ForwardRun {
                    gap_before: gap.unwrap_or(0.0),
                    shortest_since: f64::INFINITY,
                });
            }
            (Some(true), Some(run)) => {
                run.shortest_since = run.shortest_since.min(gap.unwrap_or(f64::INFINITY));
            }
            (Some(false), _) => self.forward_run = None,
            (None, _) => {}
        }
    }

    /// Whether to look closely at `t`: a reading has come forward and none upright since,
    /// or a hunch episode is in progress. The camera is then sampled at its full rate.
    pub fn attentive(&self, t: f64) -> bool {
        self.forward_run.is_some() || self.episodes.current(t).is_some()
    }

    /// One sample: the posture filter's state at `t`. Returns the state to record and an
    /// alert when one is due. While held it records the hold and decides nothing.
    pub fn step(&mut self, t: f64, posture: PostureState) -> (MonitorState, Option<Alert>) {
        if let Some(held) = self.hold(t) {
            return (held, None);
        }
        let state = match posture {
            PostureState::Away => MonitorState::Away,
            PostureState::Unmeasured => MonitorState::Unmeasured,
            PostureState::Upright => MonitorState::Upright,
            PostureState::Hunching => MonitorState::Hunching,
            PostureState::Hunched => MonitorState::Hunched,
        };
        // A new episode is dated back by what slow sampling before it cost.
        let from = match self.forward_run {
            Some(run) if state.is_hunched() && self.episodes.current(t).is_none() => {
                t - run.gap_credit()
            }
            _ => t,
        };
        if self.episodes.push(from, t, state) || self.episodes.current(t).is_none() {
            self.alerts_in_episode = 0;
        }
        if self.snoozed_until.is_some() || posture != PostureState::Hunched {
            return (state, None);
        }
        let Some(episode) = self.episodes.current(t) else {
            return (state, None);
        };
        let hunched_for = t - episode.start;
        if hunched_for < self.p.alert_after_seconds {
            return (state, None);
        }
        if self
            .last_alert
            .is_some_and(|last| t - last < self.spacing())
        {
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
            .filter_map(|t| p.step(t as f64, state(t)).1.map(|a| (t, a)))
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
    fn the_next_alert_time_is_announced_before_it_comes() {
        let mut p = Policy::new(PolicyParams::default());
        assert_eq!(p.alert_due_at(0.0), None);
        run(&mut p, 0, 100, |t| if t < 45 { Hunching } else { Hunched });
        assert_eq!(p.episode_start(99.0), Some(0.0));
        assert_eq!(p.alert_due_at(99.0), Some(180.0));
        let a = run(&mut p, 100, 1100, |_| Hunched);
        assert_eq!(a.iter().map(|(t, _)| *t).collect::<Vec<_>>(), [180, 1080]);
        // After the second (insistent) alert the spacing doubles: 1080 + 1800.
        assert_eq!(p.alert_due_at(1099.0), Some(2880.0));
        p.snooze(1099.0, 3600.0);
        assert_eq!(p.alert_due_at(1100.0), Some(4699.0));
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
    fn short_unmeasured_stretches_keep_the_episode_long_ones_end_it() {
        let mut p = Policy::new(PolicyParams::default());
        // Hunched 0–99, unmeasured 100–149 (50 s), hunched again: one episode, alert at 180.
        let a = run(&mut p, 0, 300, |t| {
            if (100..150).contains(&t) {
                Unmeasured
            } else {
                Hunched
            }
        });
        assert_eq!(a.iter().map(|(t, _)| *t).collect::<Vec<_>>(), [180]);
        // Hunched 0–99, unmeasured for 90 s: the episode ends; a new one from 190 matures
        // at 370.
        let mut p = Policy::new(PolicyParams::default());
        let a = run(&mut p, 0, 400, |t| {
            if (100..190).contains(&t) {
                Unmeasured
            } else {
                Hunched
            }
        });
        assert_eq!(a.iter().map(|(t, _)| *t).collect::<Vec<_>>(), [370]);
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
    fn a_snooze_holds_alerts_but_keeps_the_posture() {
        let mut p = Policy::new(PolicyParams::default());
        p.snooze(0.0, 1800.0);
        let mut states = Vec::new();
        let mut alerts = Vec::new();
        for t in 0..2000 {
            let (s, a) = p.step(t as f64, Hunched);
            states.push(s);
            if a.is_some() {
                alerts.push(t);
            }
        }
        // The episode matured long ago; the alert comes the moment the snooze ends.
        assert_eq!(alerts, [1800]);
        assert!(states.iter().all(|s| *s == MonitorState::Hunched));
        assert_eq!(p.snoozed_until(1799.0), None);
    }

    #[test]
    fn pause_and_snooze_are_separate_timers_and_resume_ends_both() {
        let mut p = Policy::new(PolicyParams::default());
        p.pause(Until::Time(600.0));
        p.snooze(10.0, 3600.0);
        // The snooze did not end the pause.
        assert_eq!(p.hold(20.0), Some(MonitorState::Paused));
        assert_eq!(p.step(20.0, Hunched), (MonitorState::Paused, None));
        // The pause ends on its own; the snooze goes on.
        assert_eq!(p.hold(600.0), None);
        assert_eq!(p.snoozed_until(600.0), Some(3610.0));
        assert!(run(&mut p, 600, 1000, |_| Hunched).is_empty());
        p.pause(Until::Resumed);
        assert_eq!(p.hold(100_000.0), Some(MonitorState::Paused));
        p.resume();
        assert_eq!(p.hold(100_000.0), None);
        assert_eq!(p.snoozed_until(100_000.0), None);
    }

    #[test]
    fn a_pause_ends_the_episode() {
        let mut p = Policy::new(PolicyParams::default());
        p.pause(Until::Resumed);
        assert!(run(&mut p, 0, 5000, |_| Hunched).is_empty());
        assert_eq!(p.step(5000.0, Hunched).0, MonitorState::Paused);
        p.resume();
        // Pausing ended the episode: it starts again and needs 180 s.
        let a = run(&mut p, 5001, 5400, |_| Hunched);
        assert_eq!(a.iter().map(|(t, _)| *t).collect::<Vec<_>>(), [5181]);

        let mut p = Policy::new(PolicyParams::default());
        run(&mut p, 0, 100, |_| Hunched);
        p.pause(Until::Time(110.0));
        assert_eq!(p.hold(109.0), Some(MonitorState::Paused));
        // Back at 110 with the same posture: a fresh episode, alert at 290, not 180.
        let a = run(&mut p, 110, 400, |_| Hunched);
        assert_eq!(a.iter().map(|(t, _)| *t).collect::<Vec<_>>(), [290]);
    }

    #[test]
    fn a_locked_screen_holds_and_ends_the_episode() {
        let mut p = Policy::new(PolicyParams::default());
        run(&mut p, 0, 150, |_| Hunched);
        p.set_locked(true);
        for t in 150..750 {
            assert_eq!(p.step(t as f64, Hunched), (MonitorState::Locked, None));
        }
        p.set_locked(false);
        assert_eq!(p.hold(750.0), None);
        // The episode before the lock does not count: alert 180 s after unlocking.
        let a = run(&mut p, 750, 1000, |_| Hunched);
        assert_eq!(a.iter().map(|(t, _)| *t).collect::<Vec<_>>(), [930]);
        // A pause outranks a lock, a lock the camera in another app's hands.
        p.set_camera_in_use(true);
        assert_eq!(p.hold(1000.0), Some(MonitorState::CameraInUse));
        p.set_locked(true);
        assert_eq!(p.hold(1000.0), Some(MonitorState::Locked));
        p.pause(Until::Resumed);
        assert_eq!(p.hold(1000.0), Some(MonitorState::Paused));
    }

    #[test]
    fn another_app_on_the_camera_holds_and_ends_the_episode() {
        let mut p = Policy::new(PolicyParams::default());
        run(&mut p, 0, 170, |_| Hunched);
        p.set_camera_in_use(true);
        assert_eq!(p.step(170.0, Hunched), (MonitorState::CameraInUse, None));
        p.set_camera_in_use(false);
        // The call ended the episode: 180 s more from 171.
        let a = run(&mut p, 171, 400, |_| Hunched);
        assert_eq!(a.iter().map(|(t, _)| *t).collect::<Vec<_>>(), [351]);
    }

    /// A hunch at `onset` (upright before, forward after), sampled at 1 s while the policy
    /// is attentive and every `steady` s otherwise, from `start`; the first alert's time.
    fn sampled_alert(start: f64, onset: f64, steady: f64, report_readings: bool) -> f64 {
        use crate::posture::{FilterParams, PostureFilter, Reading, Sample};
        let mut p = Policy::new(PolicyParams::default());
        let mut f = PostureFilter::new(FilterParams::default());
        let mut t = start;
        loop {
            let deg = if t >= onset { 10.0 } else { 0.0 };
            let reading = Reading {
                forward_deg: deg,
                cva_approx_deg: 51.0 - deg,
                frontal_deg: deg,
                world_deg: deg,
                looking_down: false,
                leaning_in: false,
            };
            if report_readings {
                p.reading(t, Some(deg >= FilterParams::default().exit_deg));
            }
            let state = f.push(t, Sample::Measured(reading)).state;
            if p.step(t, state).1.is_some() {
                return t;
            }
            assert!(t < onset + 1000.0, "no alert");
            t += if p.attentive(t) { 1.0 } else { steady };
        }
    }

    #[test]
    fn slow_sampling_before_a_hunch_never_makes_its_alert_later() {
        // At one rate all the time the gap credit is nothing: the alert comes as it always
        // did, 180 s after the filter entered hunching (at the 4th forward sample, when its
        // 5-s median window no longer holds 3 upright ones).
        let full = sampled_alert(0.0, 100.0, 1.0, false);
        assert_eq!(full, 283.0);
        assert_eq!(sampled_alert(0.0, 100.0, 1.0, true), full);
        // Sampled every 6 s while upright, at every phase against the onset: never later,
        // and at most the one slow gap earlier.
        // (Half seconds: exact in binary, so no rounding moves an alert across a sample.)
        for phase in 0..12 {
            let start = phase as f64 / 2.0;
            let at = sampled_alert(start, 100.0, 6.0, true);
            // (Without the credit, phases whose first forward sample came late in the gap
            // alert up to 5 s later than `full`.)
            assert!(at <= full && at >= full - 6.0, "phase {start}: {at}");
        }
    }

    #[test]
    fn attentive_from_the_first_forward_reading_until_upright_again() {
        let mut p = Policy::new(PolicyParams::default());
        p.reading(0.0, Some(false));
        p.step(0.0, Upright);
        assert!(!p.attentive(0.0));
        // One forward reading is enough to look closely; unmeasured frames change nothing.
        p.reading(6.0, Some(true));
        p.step(6.0, Upright);
        assert!(p.attentive(6.0));
        p.reading(7.0, None);
        p.step(7.0, Unmeasured);
        assert!(p.attentive(7.0));
        // A hunch episode keeps it attentive even through an unmeasured stretch ...
        p.reading(8.0, Some(true));
        p.step(8.0, Hunching);
        p.reading(9.0, None);
        p.step(9.0, Unmeasured);
        assert!(p.attentive(9.0));
        // ... until upright again.
        p.reading(10.0, Some(false));
        p.step(10.0, Upright);
        assert!(!p.attentive(10.0));
        // Nobody there is not forward; a hold forgets the run and its gap.
        p.reading(11.0, Some(true));
        p.set_camera_in_use(true);
        assert!(!p.attentive(11.0));
        p.set_camera_in_use(false);
        p.reading(500.0, Some(true));
        p.reading(501.0, Some(true));
        p.reading(502.0, Some(true));
        p.step(502.0, Hunching);
        // No credit for the 489 s the camera was someone else's.
        let a = run(&mut p, 503, 800, |_| Hunched);
        assert_eq!(a.iter().map(|(t, _)| *t).collect::<Vec<_>>(), [682]);
    }
}

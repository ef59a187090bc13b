//! Summing the journal: one pure function, [`summarize`], turns a period's samples and
//! events into a [`DaySummary`]. `hunch report`, the day cache, `hunch demo` and the
//! monitor's status all call it, so they cannot disagree. [`store`] reads the journal
//! (and its cache) for it; [`render`] turns summaries into text, CSV, JSON, HTML and SVG
//! without touching storage.
//!
//! Days are local calendar days in a time zone: samples are split exactly at midnight and
//! at hour boundaries, DST days have 23 or 25 hours, and time without samples (hunch not
//! running) counts as nothing at all. A sample at `t` stands for the interval `(t − dt, t]`;
//! each interval is clipped to the day (and hour) it overlaps, so nothing is counted twice
//! or lost at a boundary.
//!
//! Time is counted once even where samples overlap (two monitors once wrote one journal,
//! or a replay wrote its timeline over the user's): in time order, each sample counts only
//! the part of its interval after everything counted before it.

pub mod pages;
pub mod render;
pub mod store;

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::vocab::{Episodes, Event, EventKind, MonitorState, SampleRow};

/// Hours with less monitoring than this cannot be the "worst hour".
const WORST_HOUR_MIN_SECONDS: f64 = 600.0;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HourRow {
    /// Local clock hour (0–23). On the day clocks go back, the repeated hour is merged.
    pub hour: u8,
    pub monitored_s: f64,
    pub hunched_s: f64,
}

/// A stretch of time in one state, for the timeline.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct Span {
    pub from_ms: i64,
    pub to_ms: i64,
    pub state: MonitorState,
}

/// One hunch episode of the day.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct EpisodeSpan {
    /// When its hunched time began and last ended, Unix ms.
    pub from_ms: i64,
    pub to_ms: i64,
    /// Hunched seconds in it (short interruptions excluded).
    pub hunched_s: f64,
}

/// Monitored time by smoothed forward angle: `[from_deg, from_deg + ANGLE_BIN_DEG)`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct AngleBin {
    pub from_deg: f64,
    pub seconds: f64,
}

/// The angle distribution's bins: 2° wide from −10° to +30°; angles beyond fall in the
/// outermost bins.
pub const ANGLE_BIN_DEG: f64 = 2.0;
const ANGLE_MIN_DEG: f64 = -10.0;
const ANGLE_BINS: usize = 20;

/// An event worth drawing on the timeline (alerts, stretches done).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct Mark {
    pub t_ms: i64,
    pub kind: EventKind,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DaySummary {
    /// The local date (YYYY-MM-DD), or the first date of a period that is not a day.
    pub date: String,
    /// Length of the period in hours (23 or 25 on DST changes).
    pub day_hours: f64,
    /// Present and watched: upright, hunching, hunched, unmeasured.
    pub monitored_s: f64,
    pub upright_s: f64,
    /// Hunching or hunched.
    pub hunched_s: f64,
    pub hunched_share: Option<f64>,
    pub away_s: f64,
    /// Paused or screen locked.
    pub paused_s: f64,
    /// Another application had the camera (a video call).
    pub camera_in_use_s: f64,
    /// The camera device was open (its light on) for hunch.
    pub camera_open_s: f64,
    /// See [`crate::vocab::EPISODE_GAP_SECONDS`] for what an episode is.
    pub episodes: u32,
    /// Hunched time in the longest episode.
    pub longest_hunch_s: f64,
    pub alerts: u32,
    pub stretches_done: u32,
    pub snoozes: u32,
    pub pauses: u32,
    /// Time-weighted mean of the smoothed forward angle over monitored time.
    pub mean_forward_deg: Option<f64>,
    pub p90_forward_deg: Option<f64>,
    pub worst_hour: Option<u8>,
    pub hours: Vec<HourRow>,
    /// Consecutive samples of one state merged, clipped to the period.
    pub timeline: Vec<Span>,
    /// Alerts and stretches done.
    pub marks: Vec<Mark>,
    /// The day's hunch episodes in time order.
    pub episode_list: Vec<EpisodeSpan>,
    /// Monitored time by smoothed forward angle ([`ANGLE_BINS`] bins).
    pub angles: Vec<AngleBin>,
}

/// What [`summarize`] needs: a period, its local hour boundaries, and the journal rows
/// that touch it.
#[derive(Debug, Clone)]
pub struct Period {
    pub label: String,
    pub start_ms: i64,
    pub end_ms: i64,
    /// (Unix ms, local clock hour) at each hour boundary from `start_ms`.
    pub hours: Vec<(i64, u8)>,
}

impl Period {
    /// A local calendar day.
    pub fn day(date: Date, tz: &TimeZone) -> Result<Period, jiff::Error> {
        let start = date.to_zoned(tz.clone())?.timestamp().as_millisecond();
        let end = date
            .tomorrow()?
            .to_zoned(tz.clone())?
            .timestamp()
            .as_millisecond();
        Period::span(date.to_string(), start, end, tz)
    }

    /// Any stretch of time (a demo run), with hour boundaries at local clock hours.
    pub fn span(
        label: String,
        start_ms: i64,
        end_ms: i64,
        tz: &TimeZone,
    ) -> Result<Period, jiff::Error> {
        // From the local hour the period starts in, in steps of one absolute hour, each
        // labelled with its local clock hour (a 23- or 25-hour day simply has 23 or 25).
        let first = jiff::Timestamp::from_millisecond(start_ms)?.to_zoned(tz.clone());
        let mut z = first
            .with()
            .minute(0)
            .second(0)
            .subsec_nanosecond(0)
            .build()?;
        let mut hours = Vec::new();
        while z.timestamp().as_millisecond() < end_ms {
            hours.push((z.timestamp().as_millisecond().max(start_ms), z.hour() as u8));
            z = z.checked_add(jiff::Span::new().hours(1))?;
        }
        Ok(Period {
            label,
            start_ms,
            end_ms,
            hours,
        })
    }
}

/// Sums one period. `samples` in time order (those whose interval reaches into the period
/// from just after it included; the rest are ignored), `events` in time order.
pub fn summarize(period: &Period, samples: &[SampleRow], events: &[Event]) -> DaySummary {
    let (start, end) = (period.start_ms, period.end_ms);
    let mut hours: Vec<HourRow> = (0..24)
        .map(|h| HourRow {
            hour: h,
            monitored_s: 0.0,
            hunched_s: 0.0,
        })
        .collect();
    let mut r = DaySummary {
        date: period.label.clone(),
        day_hours: (end - start) as f64 / 3_600_000.0,
        monitored_s: 0.0,
        upright_s: 0.0,
        hunched_s: 0.0,
        hunched_share: None,
        away_s: 0.0,
        paused_s: 0.0,
        camera_in_use_s: 0.0,
        camera_open_s: 0.0,
        episodes: 0,
        longest_hunch_s: 0.0,
        alerts: 0,
        stretches_done: 0,
        snoozes: 0,
        pauses: 0,
        mean_forward_deg: None,
        p90_forward_deg: None,
        worst_hour: None,
        hours: Vec::new(),
        timeline: Vec::new(),
        marks: Vec::new(),
        episode_list: Vec::new(),
        angles: (0..ANGLE_BINS)
            .map(|i| AngleBin {
                from_deg: ANGLE_MIN_DEG + i as f64 * ANGLE_BIN_DEG,
                seconds: 0.0,
            })
            .collect(),
    };
    let mut open: Option<EpisodeSpan> = None;
    let mut angles: Vec<(f64, f64)> = Vec::new();
    let mut episodes = Episodes::default();
    // The end of the time counted so far: an overlapping sample counts only what lies after.
    let mut counted_to = start;
    for s in samples {
        let (a, b) = ((s.t_ms - s.dt_ms).max(counted_to), s.t_ms.min(end));
        if b <= a {
            continue;
        }
        counted_to = b;
        let secs = (b - a) as f64 / 1000.0;
        let state = s.state;
        match state {
            MonitorState::Upright => r.upright_s += secs,
            MonitorState::Hunching | MonitorState::Hunched => r.hunched_s += secs,
            MonitorState::Away => r.away_s += secs,
            MonitorState::Paused | MonitorState::Locked => r.paused_s += secs,
            MonitorState::CameraInUse => r.camera_in_use_s += secs,
            MonitorState::Unmeasured => {}
        }
        // The open time lies within the sample's interval; clipped in proportion.
        if s.camera_open_ms > 0 && s.dt_ms > 0 {
            let part = (b - a) as f64 / s.dt_ms as f64;
            r.camera_open_s += s.camera_open_ms as f64 / 1000.0 * part.min(1.0);
        }
        if state.is_monitored() {
            r.monitored_s += secs;
            if let Some(deg) = s.forward_deg {
                angles.push((deg as f64, secs));
            }
        }
        if episodes.push(a as f64 / 1000.0, b as f64 / 1000.0, state) {
            r.episodes += 1;
            r.episode_list.extend(open.take());
        }
        if let Some(e) = episodes.current(b as f64 / 1000.0) {
            r.longest_hunch_s = r.longest_hunch_s.max(e.hunched_s);
            open = Some(EpisodeSpan {
                from_ms: (e.start * 1000.0).round() as i64,
                to_ms: (e.last_hunched * 1000.0).round() as i64,
                hunched_s: e.hunched_s,
            });
        }
        split_hours(&period.hours, a, b, |hour, part| {
            let h = &mut hours[hour as usize];
            if state.is_monitored() {
                h.monitored_s += part;
            }
            if state.is_hunched() {
                h.hunched_s += part;
            }
        });
        match r.timeline.last_mut() {
            Some(last) if last.state == state && (a - last.to_ms).abs() <= 1 => last.to_ms = b,
            _ => r.timeline.push(Span {
                from_ms: a,
                to_ms: b,
                state,
            }),
        }
    }
    for e in events.iter().filter(|e| e.t_ms >= start && e.t_ms < end) {
        match e.kind {
            EventKind::Alert => r.alerts += 1,
            EventKind::Done => r.stretches_done += 1,
            EventKind::Snooze => r.snoozes += 1,
            EventKind::Pause => r.pauses += 1,
            _ => continue,
        }
        if matches!(e.kind, EventKind::Alert | EventKind::Done) {
            r.marks.push(Mark {
                t_ms: e.t_ms,
                kind: e.kind,
            });
        }
    }
    r.episode_list.extend(open);
    for &(deg, secs) in &angles {
        let i = ((deg - ANGLE_MIN_DEG) / ANGLE_BIN_DEG).floor();
        r.angles[(i.max(0.0) as usize).min(ANGLE_BINS - 1)].seconds += secs;
    }
    r.hunched_share = share(r.hunched_s, r.monitored_s);
    let total: f64 = angles.iter().map(|a| a.1).sum();
    if total > 0.0 {
        r.mean_forward_deg = Some(angles.iter().map(|(a, w)| a * w).sum::<f64>() / total);
        angles.sort_by(|x, y| x.0.total_cmp(&y.0));
        let mut acc = 0.0;
        r.p90_forward_deg = angles
            .iter()
            .find(|(_, w)| {
                acc += w;
                acc >= 0.9 * total - 1e-9
            })
            .map(|a| a.0);
    }
    r.worst_hour = hours
        .iter()
        .filter(|h| h.monitored_s >= WORST_HOUR_MIN_SECONDS && h.hunched_s > 0.0)
        .max_by(|x, y| (x.hunched_s / x.monitored_s).total_cmp(&(y.hunched_s / y.monitored_s)))
        .map(|h| h.hour);
    r.hours = hours;
    r
}

/// Calls `f(local hour, seconds)` for each part of `(a, b]` in each hour of `bounds`.
fn split_hours(bounds: &[(i64, u8)], a: i64, b: i64, mut f: impl FnMut(u8, f64)) {
    let mut lo = a;
    while lo < b {
        let i = bounds
            .partition_point(|&(bt, _)| bt <= lo)
            .saturating_sub(1);
        let hi = bounds.get(i + 1).map_or(b, |&(bt, _)| bt.min(b));
        if let Some(&(_, hour)) = bounds.get(i) {
            f(hour, (hi - lo) as f64 / 1000.0);
        }
        lo = hi;
    }
}

fn share(part: f64, whole: f64) -> Option<f64> {
    (whole > 0.0).then(|| part / whole)
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RangeSummary {
    pub from: String,
    pub to: String,
    pub days: Vec<DaySummary>,
    pub monitored_s: f64,
    pub hunched_s: f64,
    pub hunched_share: Option<f64>,
    pub alerts: u32,
    pub stretches_done: u32,
    /// The hunched share of the period of equal length just before.
    pub previous_hunched_share: Option<f64>,
    /// Change in hunched share against the previous period, in percentage points.
    pub trend_points: Option<f64>,
    /// The goal: hunched share below this.
    pub goal_hunched_share: f64,
    /// Consecutive monitored days, counting back from the last, under the goal (days
    /// without monitoring are skipped).
    pub streak_days: u32,
}

/// Sums consecutive days (`days`, oldest first) against the `previous` period of the same
/// length.
pub fn summarize_range(days: Vec<DaySummary>, previous: &[DaySummary], goal: f64) -> RangeSummary {
    let sum = |days: &[DaySummary]| {
        let m: f64 = days.iter().map(|d| d.monitored_s).sum();
        let h: f64 = days.iter().map(|d| d.hunched_s).sum();
        (m, h, share(h, m))
    };
    let (monitored_s, hunched_s, hunched_share) = sum(&days);
    let (_, _, previous_hunched_share) = sum(previous);
    let mut streak = 0;
    for d in days.iter().rev() {
        match d.hunched_share {
            None => continue,
            Some(s) if s < goal => streak += 1,
            Some(_) => break,
        }
    }
    RangeSummary {
        from: days.first().map(|d| d.date.clone()).unwrap_or_default(),
        to: days.last().map(|d| d.date.clone()).unwrap_or_default(),
        monitored_s,
        hunched_s,
        hunched_share,
        alerts: days.iter().map(|d| d.alerts).sum(),
        stretches_done: days.iter().map(|d| d.stretches_done).sum(),
        previous_hunched_share,
        trend_points: hunched_share
            .zip(previous_hunched_share)
            .map(|(a, b)| 100.0 * (a - b)),
        goal_hunched_share: goal,
        streak_days: streak,
        days,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MonitorState::*;

    fn utc() -> TimeZone {
        TimeZone::UTC
    }

    /// Samples one a second from `from` s for `n` s in `state`.
    fn run(out: &mut Vec<SampleRow>, from: i64, n: i64, state: MonitorState, deg: Option<f32>) {
        for k in 1..=n {
            out.push(SampleRow {
                t_ms: (from + k) * 1000,
                dt_ms: 1000,
                state,
                forward_deg: deg,
                camera_open_ms: 0,
            });
        }
    }

    #[test]
    fn overlapping_samples_are_counted_once() {
        let day = Period::day("1970-01-02".parse().unwrap(), &utc()).unwrap();
        let d0 = 86_400;
        // Two timelines over the same ten minutes (two writers in one journal), one
        // upright, one hunched, merged in time order as the journal returns them.
        let (mut a, mut b) = (Vec::new(), Vec::new());
        run(&mut a, d0 + 3600, 600, Upright, Some(1.0));
        run(&mut b, d0 + 3600, 600, Hunched, Some(9.0));
        // A sample claiming the whole stretch again, after it.
        b.push(SampleRow {
            t_ms: (d0 + 3600 + 600) * 1000,
            dt_ms: 600_000,
            state: Hunched,
            forward_deg: Some(9.0),
            camera_open_ms: 0,
        });
        let mut both: Vec<SampleRow> = a.into_iter().chain(b).collect();
        both.sort_by_key(|s| s.t_ms);
        let r = summarize(&day, &both, &[]);
        assert_eq!(r.monitored_s, 600.0);
        assert_eq!(r.upright_s + r.hunched_s, 600.0);
        assert_eq!(r.hours[1].monitored_s, 600.0);
        let timeline: f64 = r
            .timeline
            .iter()
            .map(|s| (s.to_ms - s.from_ms) as f64)
            .sum();
        assert_eq!(timeline, 600_000.0);
    }

    #[test]
    fn a_day_is_summed_by_state_hour_and_episode() {
        let day = Period::day("1970-01-02".parse().unwrap(), &utc()).unwrap();
        let d0 = 86_400;
        let mut s = Vec::new();
        run(&mut s, d0 + 9 * 3600, 600, Upright, Some(1.0));
        run(&mut s, d0 + 9 * 3600 + 600, 300, Hunched, Some(9.0));
        // 30 s unmeasured inside the hunch: one episode.
        run(&mut s, d0 + 9 * 3600 + 900, 30, Unmeasured, None);
        run(&mut s, d0 + 9 * 3600 + 930, 100, Hunching, Some(7.0));
        run(&mut s, d0 + 9 * 3600 + 1030, 60, Paused, None);
        // After a pause: a new episode.
        run(&mut s, d0 + 9 * 3600 + 1090, 50, Hunched, Some(8.0));
        let events = [
            Event {
                t_ms: (d0 + 9 * 3600 + 800) * 1000,
                kind: EventKind::Alert,
                detail: String::new(),
            },
            Event {
                t_ms: (d0 + 9 * 3600 + 1030) * 1000,
                kind: EventKind::Pause,
                detail: String::new(),
            },
            Event {
                t_ms: (d0 + 9 * 3600 + 1030) * 1000,
                kind: EventKind::Start,
                detail: String::new(),
            },
        ];
        let r = summarize(&day, &s, &events);
        assert_eq!(r.monitored_s, 600.0 + 300.0 + 30.0 + 100.0 + 50.0);
        assert_eq!(r.hunched_s, 450.0);
        assert_eq!(r.upright_s, 600.0);
        assert_eq!(r.paused_s, 60.0);
        assert_eq!(r.episodes, 2);
        assert_eq!(r.longest_hunch_s, 400.0);
        assert_eq!(r.episode_list.len(), 2);
        assert_eq!(r.episode_list[0].hunched_s, 400.0);
        assert_eq!(
            r.episode_list[0].from_ms,
            (d0 + 9 * 3600 + 600) * 1000,
            "{:?}",
            r.episode_list
        );
        assert_eq!(r.episode_list[0].to_ms, (d0 + 9 * 3600 + 1030) * 1000);
        assert_eq!(r.episode_list[1].hunched_s, 50.0);
        // Angles in 2° bins from −10°: 600 s at 1°; 300 s at 9.5° and 50 s at 8° share
        // [8°, 10°); 100 s at 7°.
        let bin = |deg: f64| r.angles[((deg + 10.0) / 2.0) as usize].seconds;
        assert_eq!(bin(1.0), 600.0);
        assert_eq!(bin(9.0), 350.0);
        assert_eq!(bin(7.0), 100.0);
        assert_eq!(r.angles.iter().map(|b| b.seconds).sum::<f64>(), 1050.0);
        assert_eq!((r.alerts, r.pauses), (1, 1));
        assert_eq!(r.marks.len(), 1);
        assert_eq!(r.hours[9].monitored_s, 1080.0);
        assert_eq!(r.hours[9].hunched_s, 450.0);
        assert_eq!(r.worst_hour, Some(9));
        assert_eq!(
            r.timeline.iter().map(|s| s.state).collect::<Vec<_>>(),
            [Upright, Hunched, Unmeasured, Hunching, Paused, Hunched]
        );
        assert_eq!(r.timeline[0].from_ms, (d0 + 9 * 3600) * 1000);
        let mean = (600.0 * 1.0 + 300.0 * 9.0 + 100.0 * 7.0 + 50.0 * 8.0) / 1050.0;
        assert!((r.mean_forward_deg.unwrap() - mean).abs() < 1e-9);
        assert_eq!(r.p90_forward_deg, Some(9.0));
    }

    #[test]
    fn a_gap_of_a_minute_splits_an_episode_a_shorter_one_does_not() {
        let day = Period::day("1970-01-01".parse().unwrap(), &utc()).unwrap();
        let mut s = Vec::new();
        run(&mut s, 1000, 100, Hunched, Some(9.0));
        run(&mut s, 1159, 100, Hunched, Some(9.0)); // 59 s without samples
        run(&mut s, 1319, 100, Hunched, Some(9.0)); // 60 s without samples
        let r = summarize(&day, &s, &[]);
        assert_eq!(r.episodes, 2);
        assert_eq!(r.longest_hunch_s, 200.0);
        assert_eq!(r.hunched_s, 300.0);
    }

    #[test]
    fn a_span_has_hour_boundaries_at_local_clock_hours() {
        let tz = TimeZone::get("Europe/Berlin").expect("tzdata");
        let start = jiff::civil::datetime(2026, 11, 24, 9, 30, 0, 0)
            .to_zoned(tz.clone())
            .unwrap()
            .timestamp()
            .as_millisecond();
        let p = Period::span("run".into(), start, start + 2 * 3_600_000, &tz).unwrap();
        assert_eq!(p.hours.iter().map(|h| h.1).collect::<Vec<_>>(), [9, 10, 11]);
        assert_eq!(p.hours[0].0, start);
        assert_eq!(p.hours[1].0, start + 1_800_000);
    }
}

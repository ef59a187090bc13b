//! Daily summaries from the journal: local calendar days in the system time zone (or
//! `TZ`), samples split exactly at midnight and at hour boundaries, DST days of 23 or 25
//! hours handled by the calendar, and time without samples (hunch not running) counted as
//! nothing at all.
//!
//! A sample at `t` stands for the interval `(t − dt, t]`; each interval is clipped to the
//! day (and hour) it overlaps, so nothing is counted twice or lost at a boundary.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::{Deserialize, Serialize};

use crate::journal::{Journal, JournalError, SampleRow};
use crate::policy::MonitorState;

/// Hours with less monitoring than this cannot be the "worst hour".
pub const WORST_HOUR_MIN_SECONDS: f64 = 600.0;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct HourRow {
    /// Local clock hour (0–23). On the day clocks go back, the repeated hour is merged.
    pub hour: u8,
    pub monitored_s: f64,
    pub hunched_s: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct DayReport {
    pub date: String,
    /// Length of this local day in hours (23 or 25 on DST changes).
    pub day_hours: f64,
    /// Present and watched: upright, hunching, hunched, unmeasured, snoozed.
    pub monitored_s: f64,
    pub upright_s: f64,
    pub hunched_s: f64,
    pub hunched_share: Option<f64>,
    pub away_s: f64,
    pub paused_s: f64,
    pub episodes: u32,
    pub longest_hunch_s: f64,
    pub alerts: u32,
    pub stretches_done: u32,
    pub snoozes: u32,
    pub pauses: u32,
    pub mean_forward_deg: Option<f64>,
    pub p90_forward_deg: Option<f64>,
    pub worst_hour: Option<u8>,
    pub hours: Vec<HourRow>,
}

/// Start and end (exclusive) of a local day, in Unix ms.
pub fn day_bounds(date: Date, tz: &TimeZone) -> Result<(i64, i64), jiff::Error> {
    let start = date.to_zoned(tz.clone())?.timestamp().as_millisecond();
    let end = date
        .tomorrow()?
        .to_zoned(tz.clone())?
        .timestamp()
        .as_millisecond();
    Ok((start, end))
}

fn is_hunched(s: MonitorState) -> bool {
    matches!(s, MonitorState::Hunching | MonitorState::Hunched)
}

fn is_monitored(s: MonitorState) -> bool {
    matches!(
        s,
        MonitorState::Upright
            | MonitorState::Hunching
            | MonitorState::Hunched
            | MonitorState::Unmeasured
            | MonitorState::Snoozed
    )
}

/// Samples can stand for at most this long (the monitor caps `dt`); used to fetch the
/// samples whose interval reaches into a day from just after it.
const MAX_DT_MS: i64 = 120_000;

/// Bump when `DayReport` or its computation changes: older cached summaries are ignored.
pub const REPORT_VERSION: i64 = 1;

/// One day's report; days that are over come from the journal's cache when present, and
/// are cached once computed.
pub fn day(
    journal: &mut Journal,
    date: Date,
    tz: &TimeZone,
    now_ms: i64,
) -> Result<DayReport, ReportError> {
    let tz_name = tz.iana_name().unwrap_or("local").to_string();
    let key = date.to_string();
    if let Some(json) = journal.cached_day(&key, &tz_name, REPORT_VERSION)? {
        if let Ok(r) = serde_json::from_str(&json) {
            return Ok(r);
        }
    }
    let r = compute_day(journal, date, tz)?;
    let (_, end) = day_bounds(date, tz)?;
    // Only days that are over (and whose last samples are in) are cached.
    if end + MAX_DT_MS < now_ms {
        if let Ok(json) = serde_json::to_string(&r) {
            journal.cache_day(&key, &tz_name, REPORT_VERSION, &json)?;
        }
    }
    Ok(r)
}

/// Builds one day's report from its samples.
pub fn compute_day(journal: &Journal, date: Date, tz: &TimeZone) -> Result<DayReport, ReportError> {
    let (start, end) = day_bounds(date, tz)?;
    let samples = journal.samples(start, end + MAX_DT_MS)?;
    let events = journal.events(start, end)?;
    // Hour boundaries: from local midnight in steps of one absolute hour, labelled with
    // the local clock hour (a 23- or 25-hour day simply has 23 or 25 of them).
    let mut bounds = Vec::new();
    let mut z = date.to_zoned(tz.clone())?;
    while z.timestamp().as_millisecond() < end {
        bounds.push((z.timestamp().as_millisecond(), z.hour() as u8));
        z = z.checked_add(jiff::Span::new().hours(1))?;
    }
    let mut hours: Vec<HourRow> = (0..24)
        .map(|h| HourRow {
            hour: h,
            monitored_s: 0.0,
            hunched_s: 0.0,
        })
        .collect();

    let mut r = DayReport {
        date: date.to_string(),
        day_hours: (end - start) as f64 / 3_600_000.0,
        monitored_s: 0.0,
        upright_s: 0.0,
        hunched_s: 0.0,
        hunched_share: None,
        away_s: 0.0,
        paused_s: 0.0,
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
    };
    let mut angles: Vec<(f64, f64)> = Vec::new();
    let mut run = 0.0;
    let mut last_end: Option<i64> = None;
    for s in &samples {
        let SampleRow {
            t_ms,
            dt_ms,
            state,
            forward_deg,
        } = *s;
        let (a, b) = ((t_ms - dt_ms).max(start), t_ms.min(end));
        // Continuity: a sample that does not start where the previous ended follows a gap.
        let continuous = last_end.is_some_and(|e| (t_ms - dt_ms - e).abs() <= 1);
        last_end = Some(t_ms);
        if b <= a {
            if !continuous {
                run = 0.0;
            }
            continue;
        }
        let secs = (b - a) as f64 / 1000.0;
        match state {
            MonitorState::Upright => r.upright_s += secs,
            MonitorState::Hunching | MonitorState::Hunched => r.hunched_s += secs,
            MonitorState::Away => r.away_s += secs,
            MonitorState::Paused | MonitorState::Locked => r.paused_s += secs,
            MonitorState::Unmeasured | MonitorState::Snoozed => {}
        }
        if is_monitored(state) {
            r.monitored_s += secs;
            if let Some(a) = forward_deg {
                angles.push((a as f64, secs));
            }
        }
        // Split across hour boundaries.
        let mut lo = a;
        while lo < b {
            let i = bounds
                .partition_point(|&(bt, _)| bt <= lo)
                .saturating_sub(1);
            let hi = bounds.get(i + 1).map_or(b, |&(bt, _)| bt.min(b));
            let part = (hi - lo) as f64 / 1000.0;
            let h = &mut hours[bounds[i].1 as usize];
            if is_monitored(state) {
                h.monitored_s += part;
            }
            if is_hunched(state) {
                h.hunched_s += part;
            }
            lo = hi;
        }
        if is_hunched(state) {
            if run == 0.0 || !continuous {
                r.episodes += 1;
                run = 0.0;
            }
            run += secs;
            r.longest_hunch_s = r.longest_hunch_s.max(run);
        } else if state != MonitorState::Unmeasured || !continuous {
            run = 0.0;
        }
    }
    for (_, kind, _) in &events {
        match kind.as_str() {
            "alert" => r.alerts += 1,
            "done" => r.stretches_done += 1,
            "snooze" => r.snoozes += 1,
            "pause" => r.pauses += 1,
            _ => {}
        }
    }
    r.hunched_share = (r.monitored_s > 0.0).then(|| r.hunched_s / r.monitored_s);
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
    Ok(r)
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RangeReport {
    pub from: String,
    pub to: String,
    pub days: Vec<DayReport>,
    pub monitored_s: f64,
    pub hunched_s: f64,
    pub hunched_share: Option<f64>,
    pub alerts: u32,
    pub stretches_done: u32,
    /// The same figures for the period of equal length just before.
    pub previous_hunched_share: Option<f64>,
    /// Change in hunched share against the previous period, in percentage points.
    pub trend_points: Option<f64>,
    /// The goal: hunched share below this.
    pub goal_hunched_share: f64,
    /// Consecutive monitored days, counting back from the last, under the goal (days
    /// without monitoring are skipped).
    pub streak_days: u32,
}

pub fn range(
    journal: &mut Journal,
    from: Date,
    to: Date,
    tz: &TimeZone,
    goal: f64,
    now_ms: i64,
) -> Result<RangeReport, ReportError> {
    let mut days = Vec::new();
    let mut d = from;
    while d <= to {
        days.push(day(journal, d, tz, now_ms)?);
        d = d.tomorrow()?;
    }
    let sum = |days: &[DayReport]| {
        let m: f64 = days.iter().map(|d| d.monitored_s).sum();
        let h: f64 = days.iter().map(|d| d.hunched_s).sum();
        (m, h, (m > 0.0).then(|| h / m))
    };
    let (monitored_s, hunched_s, share) = sum(&days);
    let len = days.len() as i64;
    let prev_to = from.yesterday()?;
    let prev_from = from.checked_sub(jiff::Span::new().days(len))?;
    let mut prev = Vec::new();
    let mut d = prev_from;
    while d <= prev_to {
        prev.push(day(journal, d, tz, now_ms)?);
        d = d.tomorrow()?;
    }
    let (_, _, prev_share) = sum(&prev);
    let mut streak = 0;
    for d in days.iter().rev() {
        match d.hunched_share {
            None => continue,
            Some(s) if s < goal => streak += 1,
            Some(_) => break,
        }
    }
    Ok(RangeReport {
        from: from.to_string(),
        to: to.to_string(),
        monitored_s,
        hunched_s,
        hunched_share: share,
        alerts: days.iter().map(|d| d.alerts).sum(),
        stretches_done: days.iter().map(|d| d.stretches_done).sum(),
        previous_hunched_share: prev_share,
        trend_points: share.zip(prev_share).map(|(a, b)| 100.0 * (a - b)),
        goal_hunched_share: goal,
        streak_days: streak,
        days,
    })
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("date arithmetic failed: {0}")]
    Time(#[from] jiff::Error),
}

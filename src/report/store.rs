//! Reading summaries out of the journal: a period's rows for [`super::summarize`], and
//! the summaries of finished days that the monitor caches so that a month's report reads
//! thirty small rows instead of every sample. Reports only read; the monitor fills the
//! cache through [`cache_finished_day`], kept here beside the cache's reader, key and
//! version so that the three cannot drift apart.

use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::{summarize, summarize_range, DaySummary, Period, RangeSummary};
use crate::journal::{Journal, JournalError};
use crate::vocab::{MAX_HOLD_ROW_MS, MAX_SAMPLE_SECONDS};

/// Bump when [`DaySummary`] or its computation changes: older cached summaries are
/// ignored.
pub const REPORT_VERSION: i64 = 3;

pub(crate) const MAX_SAMPLE_MS: i64 = (MAX_SAMPLE_SECONDS * 1000.0) as i64;

/// Longest range a report covers, days (ten years).
pub const MAX_RANGE_DAYS: i64 = 3660;

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error(transparent)]
    Journal(#[from] JournalError),
    #[error("date arithmetic failed: {0}")]
    Time(#[from] jiff::Error),
    #[error("a report covers at most {MAX_RANGE_DAYS} days; {days} were asked for")]
    TooLong { days: i64 },
    #[error("no headache diary yet: log one with `hunch headache`, and the comparison builds up over the following weeks")]
    NoDiary,
    #[error("the diary comparison goes back at most {MAX_RANGE_DAYS} days (to {oldest})")]
    DiaryTooFarBack { oldest: Date },
}

pub(crate) fn tz_key(tz: &TimeZone) -> String {
    tz.iana_name().unwrap_or("local").to_string()
}

/// Sums `period` from the journal's rows.
pub fn compute(journal: &Journal, period: &Period) -> Result<DaySummary, ReportError> {
    // Rows whose interval reaches into the period from after it count too (a hold's row
    // can end hours later).
    let samples = journal.samples(
        period.start_ms,
        period.end_ms + MAX_SAMPLE_MS.max(MAX_HOLD_ROW_MS),
    )?;
    let events = journal.events(period.start_ms, period.end_ms)?;
    Ok(summarize(period, &samples, &events))
}

/// One day's summary: from the cache when the monitor stored it, else computed.
pub fn day(journal: &Journal, date: Date, tz: &TimeZone) -> Result<DaySummary, ReportError> {
    if let Some(json) = journal.cached_day(&date.to_string(), &tz_key(tz), REPORT_VERSION)? {
        if let Ok(r) = serde_json::from_str(&json) {
            return Ok(r);
        }
    }
    compute(journal, &Period::day(date, tz)?)
}

fn days(
    journal: &Journal,
    from: Date,
    to: Date,
    tz: &TimeZone,
) -> Result<Vec<DaySummary>, ReportError> {
    let mut out = Vec::new();
    let mut d = from;
    while d <= to {
        out.push(day(journal, d, tz)?);
        d = d.tomorrow()?;
    }
    Ok(out)
}

/// The days `from..=to` and the period of the same length before them.
pub fn range(
    journal: &Journal,
    from: Date,
    to: Date,
    tz: &TimeZone,
    goal: f64,
) -> Result<RangeSummary, ReportError> {
    let len = (to - from).get_days() as i64 + 1;
    if len > MAX_RANGE_DAYS {
        return Err(ReportError::TooLong { days: len });
    }
    let current = days(journal, from, to, tz)?;
    let prev_from = from.checked_sub(jiff::Span::new().days(len))?;
    let previous = days(journal, prev_from, from.yesterday()?, tz)?;
    Ok(summarize_range(current, &previous, goal))
}

/// The day cache, filled by the monitor (reports only read it): stores the summary of
/// `date` if the day is over (its last samples surely in by `now_ms`), has any samples,
/// and is not cached yet. Returns whether it wrote.
pub fn cache_finished_day(
    journal: &mut Journal,
    date: Date,
    tz: &TimeZone,
    now_ms: i64,
) -> Result<bool, ReportError> {
    let key = date.to_string();
    let tz_name = tz_key(tz);
    if journal
        .cached_day(&key, &tz_name, REPORT_VERSION)?
        .is_some()
    {
        return Ok(false);
    }
    let period = Period::day(date, tz)?;
    if period.end_ms + MAX_SAMPLE_MS >= now_ms {
        return Ok(false);
    }
    let r = compute(journal, &period)?;
    if r.timeline.is_empty() {
        return Ok(false);
    }
    match serde_json::to_string(&r) {
        Ok(json) => {
            journal.cache_day(&key, &tz_name, REPORT_VERSION, &json)?;
            Ok(true)
        }
        Err(_) => Ok(false),
    }
}

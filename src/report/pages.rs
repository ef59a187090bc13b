//! What the commands and the tray ask of the journal, from reading to rendering: a range's
//! summaries as an HTML page, and the headache diary's comparison (and its page). The CLI
//! (`hunch report`) and the tray's "Today's report" call the same functions, so they show
//! the same thing.

use jiff::civil::Date;
use jiff::tz::TimeZone;

use super::render;
use super::store::{self, ReportError, MAX_RANGE_DAYS};
use super::Period;
use crate::diary::{compare, CompareOptions, DayPosture, DiaryComparison, DiaryDay, DiaryWindow};
use crate::journal::Journal;

/// The HTML page for the days `from..=to`.
pub fn html_page(
    journal: &Journal,
    from: Date,
    to: Date,
    ctx: &render::html::Context,
    goal: f64,
) -> Result<String, ReportError> {
    let r = store::range(journal, from, to, &ctx.tz, goal)?;
    Ok(render::html::report(&r, ctx, ""))
}

/// The diary comparison: every day from the diary's start — the day of its earliest
/// entry, or the day the diary was begun if that is earlier (entries can be back-dated),
/// or `since` — to yesterday (today is not over: a headache may still come), at most
/// [`MAX_RANGE_DAYS`] back. Every entry is read, so those outside the window are counted
/// (and the text says so).
pub fn diary_comparison(
    journal: &Journal,
    since: Option<Date>,
    today: Date,
    tz: &TimeZone,
) -> Result<DiaryComparison, ReportError> {
    let earliest = journal
        .first_headache_ms()?
        .and_then(|ms| jiff::Timestamp::from_millisecond(ms).ok())
        .map(|t| t.to_zoned(tz.clone()).date());
    let started = journal
        .get_meta(Journal::DIARY_STARTED)?
        .and_then(|d| d.parse::<Date>().ok());
    let first = match (since, started, earliest) {
        (Some(d), _, _) => d,
        (None, Some(s), Some(e)) => s.min(e),
        (None, Some(d), None) | (None, None, Some(d)) => d,
        (None, None, None) => return Err(ReportError::NoDiary),
    };
    let last = today.yesterday()?;
    // As far back as any report looks, and no further.
    let oldest = last.checked_sub(jiff::Span::new().days(MAX_RANGE_DAYS - 1))?;
    if since.is_some() && first < oldest {
        return Err(ReportError::DiaryTooFarBack { oldest });
    }
    let window = DiaryWindow {
        first: first.max(oldest),
        last,
    };
    let mut days = Vec::new();
    for date in window.dates() {
        let d = store::day(journal, date, tz)?;
        days.push(DayPosture {
            date,
            monitored_s: d.monitored_s,
            hunched_s: d.hunched_s,
        });
    }
    let end = Period::day(today, tz)?.end_ms;
    let entries = DiaryDay::from_headaches(&journal.headaches(i64::MIN, end)?, tz);
    Ok(compare(&days, &entries, window, &CompareOptions::default()))
}

/// The page of a diary comparison: the window's days as a range report, led by the
/// comparison's text and chart.
pub fn diary_page(
    journal: &Journal,
    c: &DiaryComparison,
    ctx: &render::html::Context,
    goal: f64,
) -> Result<String, ReportError> {
    let r = store::range(
        journal,
        c.window.first,
        c.window.last.max(c.window.first),
        &ctx.tz,
        goal,
    )?;
    let section = render::html::headache_section(
        &crate::diary::render_text(c),
        &crate::diary::render::comparison_chart(c),
    );
    Ok(render::html::report(&r, ctx, &section))
}

//! The headache diary's vocabulary and the parsing of what a person types in: when it
//! started, how long it lasted, how bad it was. Pure: the current time is passed in, so
//! every rule is tested with a fixed clock and time zone.

use std::fmt;
use std::str::FromStr;

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The highest intensity on the diary's 0–10 scale.
const MAX_INTENSITY: u8 = 10;
/// Notes longer than this many characters (Unicode scalar values) are refused.
const MAX_NOTE_CHARS: usize = 2000;
/// Medication texts longer than this many characters are refused.
const MAX_MEDICATION_CHARS: usize = 200;
/// Durations longer than this (7 days) are refused as a typo.
const MAX_DURATION_S: u32 = 7 * 24 * 3600;
/// How far past `now` a time may be and still be accepted (clock skew, typing slowly).
const FUTURE_SLACK_S: i64 = 60;

/// What kind of headache the person thinks it was. `Unsure` is the default: the diary
/// asks, it does not diagnose.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HeadacheKind {
    Tension,
    Migraine,
    Other,
    #[default]
    Unsure,
}

impl HeadacheKind {
    pub const ALL: [HeadacheKind; 4] = [
        HeadacheKind::Tension,
        HeadacheKind::Migraine,
        HeadacheKind::Other,
        HeadacheKind::Unsure,
    ];

    /// The stored and typed spelling: `tension`, `migraine`, `other`, `unsure`.
    pub fn as_str(self) -> &'static str {
        match self {
            HeadacheKind::Tension => "tension",
            HeadacheKind::Migraine => "migraine",
            HeadacheKind::Other => "other",
            HeadacheKind::Unsure => "unsure",
        }
    }
}

impl fmt::Display for HeadacheKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Case-insensitive, surrounding spaces ignored.
impl FromStr for HeadacheKind {
    type Err = DiaryError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        HeadacheKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(t))
            .ok_or_else(|| DiaryError::UnknownKind {
                value: s.to_string(),
            })
    }
}

/// One headache as the diary keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Headache {
    /// The journal's row id, once stored.
    pub id: Option<i64>,
    /// When it started (or when it was noticed).
    pub at: Timestamp,
    /// 0 (none) to 10 (the worst imaginable).
    pub intensity: u8,
    /// How long it lasted, when known.
    pub duration_s: Option<u32>,
    pub kind: HeadacheKind,
    /// What was taken for it, free text.
    pub medication: Option<String>,
    pub note: Option<String>,
}

impl Headache {
    /// A headache at `at` of `intensity`, everything else unknown.
    pub fn new(at: Timestamp, intensity: u8) -> Self {
        Self {
            id: None,
            at,
            intensity,
            duration_s: None,
            kind: HeadacheKind::Unsure,
            medication: None,
            note: None,
        }
    }

    /// Checks and normalises an entry before it is stored:
    /// - `intensity` above [`MAX_INTENSITY`] is refused;
    /// - `duration_s` of 0 or above [`MAX_DURATION_S`] is refused;
    /// - `medication` and `note` are trimmed, and become `None` when nothing is left;
    ///   longer than [`MAX_MEDICATION_CHARS`] / [`MAX_NOTE_CHARS`] characters is refused.
    ///
    /// The time is not checked here ([`parse_when`] refuses future times when it reads
    /// them; an entry built in code is trusted).
    pub fn validate(mut self) -> Result<Self, DiaryError> {
        if self.intensity > MAX_INTENSITY {
            return Err(DiaryError::Intensity {
                value: self.intensity,
            });
        }
        if let Some(d) = self.duration_s {
            if d == 0 {
                return Err(DiaryError::ZeroDuration {
                    input: "0 s".into(),
                });
            }
            if d > MAX_DURATION_S {
                return Err(DiaryError::DurationTooLong {
                    input: format!("{d} s"),
                });
            }
        }
        self.medication = clean_text(self.medication, "medication", MAX_MEDICATION_CHARS)?;
        self.note = clean_text(self.note, "note", MAX_NOTE_CHARS)?;
        Ok(self)
    }

    /// The local calendar date the headache belongs to, in `tz`.
    pub fn local_date(&self, tz: &TimeZone) -> Date {
        self.at.to_zoned(tz.clone()).date()
    }
}

fn clean_text(
    text: Option<String>,
    field: &'static str,
    max: usize,
) -> Result<Option<String>, DiaryError> {
    let Some(t) = text else { return Ok(None) };
    let t = t.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let chars = t.chars().count();
    if chars > max {
        return Err(DiaryError::TextTooLong { field, chars, max });
    }
    Ok(Some(t.to_string()))
}

/// Everything the diary refuses, each with a message for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum DiaryError {
    #[error("unknown headache kind {value:?}: use one of tension, migraine, other, unsure")]
    UnknownKind { value: String },
    #[error("no time given: use \"now\", \"today 9:30\", \"yesterday 15:00\" or a date and time")]
    EmptyTime,
    #[error(
        "cannot read {input:?} as a time: use \"now\", \"today 9:30\", \"yesterday 15:00\", \
         \"yesterday\", \"15:00\", \"2026-11-20 14:00\" or RFC 3339 such as \
         \"2026-11-20T14:00:00+01:00\""
    )]
    UnrecognisedTime { input: String },
    #[error("{input:?} is not a clock time: {reason}")]
    BadClock { input: String, reason: String },
    #[error("{input:?} is {at}, which is in the future (it is now {now}){hint}")]
    FutureTime {
        input: String,
        at: String,
        now: String,
        /// A suggestion such as `; did you mean "yesterday 15:00"?`, or empty.
        hint: String,
    },
    #[error("cannot place {input:?} in time: {reason}")]
    Time { input: String, reason: String },
    #[error(
        "{input:?} is more than {years} years ago; the diary holds headaches since {earliest}"
    )]
    LongAgo {
        input: String,
        years: i16,
        earliest: Date,
    },
    #[error("no duration given: use e.g. \"2h\", \"90m\", \"1h30m\" or \"45\" (minutes)")]
    EmptyDuration,
    #[error(
        "cannot read {input:?} as a duration: use e.g. \"2h\", \"90m\", \"1h30m\" or \
         \"45\" (a bare number is minutes)"
    )]
    BadDuration { input: String },
    #[error("a duration cannot be negative ({input:?})")]
    NegativeDuration { input: String },
    #[error("a duration of zero ({input:?}) says nothing; leave it out if unknown")]
    ZeroDuration { input: String },
    #[error("{input:?} is longer than 7 days; check the number (a bare number is minutes)")]
    DurationTooLong { input: String },
    #[error("intensity {value} is off the scale: use 0 (none) to 10 (worst imaginable)")]
    Intensity { value: u8 },
    #[error("the {field} is {chars} characters long; keep it to {max}")]
    TextTooLong {
        field: &'static str,
        chars: usize,
        max: usize,
    },
}

/// Reads when a headache happened, relative to `now` and in `now`'s time zone.
///
/// Accepted (case-insensitive, surrounding spaces ignored; an optional `at` may follow
/// `today` or `yesterday`):
///
/// | input | meaning |
/// |---|---|
/// | `now` | `now` |
/// | `today` | 12:00 today, or `now` if it is not yet noon |
/// | `yesterday` | 12:00 yesterday |
/// | `2026-11-20` | 12:00 that day (or `now` if that day is today and it is not yet noon) |
/// | `today 9:30`, `yesterday 15:00`, `15:00`, `9:30:15` | that local clock time (a bare clock time is today) |
/// | `2026-11-20 14:00`, `2026-11-20T14:00[:SS]` | that local date and time |
/// | `2026-11-20T14:00:00+01:00`, `…Z`, `…[Europe/Paris]` | that instant (RFC 3339 / ISO 8601 with an offset or an IANA zone) |
///
/// A date without a time means **noon**: the diary needs the day, and noon keeps the
/// entry far from midnight so no DST change or zone question can move it to another
/// date. Local date-times are resolved in `now.time_zone()` with jiff's *compatible*
/// disambiguation (as RFC 5545 and Temporal do): a time skipped by a spring-forward gap
/// is moved forward by the length of the gap (02:30 on a day clocks jump from 02:00 to
/// 03:00 becomes 03:30), and a time that happens twice when clocks go back is the first
/// (earlier) of the two.
///
/// A result more than [`FUTURE_SLACK_S`] seconds after `now` is refused; a clock time
/// today (bare or after `today`) later than now suggests "yesterday" in the message.
pub fn parse_when(s: &str, now: &Zoned) -> Result<Timestamp, DiaryError> {
    let input = s.trim();
    if input.is_empty() {
        return Err(DiaryError::EmptyTime);
    }
    let lower = input.to_ascii_lowercase();
    let tz = now.time_zone();
    let today = now.date();
    let noon = Time::constant(12, 0, 0, 0);

    let (at, hint) = if lower == "now" {
        (now.timestamp(), String::new())
    } else if let Some(rest) = day_word(&lower, "today") {
        match rest {
            None => (noon_or_now(today, now)?, String::new()),
            Some(clock) => (
                local(today.to_datetime(parse_clock(clock)?), tz, input)?,
                format!("; did you mean \"yesterday {clock}\"?"),
            ),
        }
    } else if let Some(rest) = day_word(&lower, "yesterday") {
        let y = today.yesterday().map_err(|e| time_err(input, e))?;
        let t = match rest {
            None => noon,
            Some(clock) => parse_clock(clock)?,
        };
        (local(y.to_datetime(t), tz, input)?, String::new())
    } else if looks_like_clock(&lower) {
        let t = parse_clock(&lower)?;
        (
            local(today.to_datetime(t), tz, input)?,
            format!("; did you mean \"yesterday {input}\"?"),
        )
    } else if let Ok(ts) = input.parse::<Timestamp>() {
        // An offset (or Z) fixes the instant.
        (ts, String::new())
    } else if let Ok(z) = input.parse::<Zoned>() {
        // A bracketed IANA zone without an offset.
        (z.timestamp(), String::new())
    } else if let Some(d) = plain_date(input) {
        check_date(d, input, now)?;
        (noon_or_now(d, now)?, String::new())
    } else if let Some((d, clock)) = date_and_clock(input) {
        check_date(d, input, now)?;
        (
            local(d.to_datetime(parse_clock(clock)?), tz, input)?,
            String::new(),
        )
    } else {
        return Err(DiaryError::UnrecognisedTime {
            input: input.to_string(),
        });
    };

    if at.as_second() > now.timestamp().as_second() + FUTURE_SLACK_S {
        return Err(DiaryError::FutureTime {
            input: input.to_string(),
            at: show(at, tz),
            now: show(now.timestamp(), tz),
            hint,
        });
    }
    check_date(at.to_zoned(tz.clone()).date(), input, now)?;
    Ok(at)
}

/// How far back a diary entry may be dated: the reports look back at most as far
/// ([`crate::report::store::MAX_RANGE_DAYS`]).
const MAX_YEARS_BACK: i16 = 10;

/// A date a diary entry may have: not after today, not more than [`MAX_YEARS_BACK`]
/// years before it. Checked before any arithmetic with it, so that a year like 9999 is
/// refused for what it is, not for overflowing a clock.
fn check_date(d: Date, input: &str, now: &Zoned) -> Result<(), DiaryError> {
    let today = now.date();
    if d > today {
        return Err(DiaryError::FutureTime {
            input: input.to_string(),
            at: d.to_string(),
            now: show(now.timestamp(), now.time_zone()),
            hint: String::new(),
        });
    }
    let earliest = today
        .checked_sub(jiff::Span::new().years(MAX_YEARS_BACK))
        .unwrap_or(Date::MIN);
    if d < earliest {
        return Err(DiaryError::LongAgo {
            input: input.to_string(),
            years: MAX_YEARS_BACK,
            earliest,
        });
    }
    Ok(())
}

/// `Some(None)` for the bare word, `Some(Some(rest))` for `word [at] rest`.
fn day_word<'a>(lower: &'a str, word: &str) -> Option<Option<&'a str>> {
    let rest = lower.strip_prefix(word)?;
    if rest.is_empty() {
        return Some(None);
    }
    // "todayx" is not "today".
    let rest = rest.strip_prefix(char::is_whitespace)?.trim_start();
    let rest = match rest.strip_prefix("at") {
        Some(r) if r.starts_with(char::is_whitespace) => r.trim_start(),
        _ => rest,
    };
    Some(Some(rest))
}

fn noon_or_now(d: Date, now: &Zoned) -> Result<Timestamp, DiaryError> {
    let noon = local(
        d.to_datetime(Time::constant(12, 0, 0, 0)),
        now.time_zone(),
        &d.to_string(),
    )?;
    if d == now.date() && noon > now.timestamp() {
        Ok(now.timestamp())
    } else {
        Ok(noon)
    }
}

fn looks_like_clock(s: &str) -> bool {
    !s.is_empty() && s.contains(':') && s.chars().all(|c| c.is_ascii_digit() || c == ':')
}

/// `H:MM`, `HH:MM` or `HH:MM:SS`, 24-hour.
fn parse_clock(s: &str) -> Result<Time, DiaryError> {
    let bad = |reason: &str| DiaryError::BadClock {
        input: s.to_string(),
        reason: reason.to_string(),
    };
    let parts: Vec<&str> = s.trim().split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.is_empty() || p.len() > 2 || !p.bytes().all(|b| b.is_ascii_digit()))
        || parts[1].len() != 2
        || parts.get(2).is_some_and(|p| p.len() != 2)
    {
        return Err(bad(
            "use 24-hour H:MM, HH:MM or HH:MM:SS, such as 9:30 or 15:00",
        ));
    }
    // Each part is one or two ASCII digits, so these parses cannot fail.
    let num = |p: &str| p.parse::<i8>().unwrap_or(i8::MAX);
    let (h, m) = (num(parts[0]), num(parts[1]));
    let sec = parts.get(2).map_or(0, |p| num(p));
    if h > 23 {
        return Err(bad("the hour must be 0 to 23"));
    }
    if m > 59 || sec > 59 {
        return Err(bad("minutes and seconds must be 0 to 59"));
    }
    Time::new(h, m, sec, 0).map_err(|e| bad(&e.to_string()))
}

/// `YYYY-MM-DD` and nothing else.
fn plain_date(s: &str) -> Option<Date> {
    if s.len() != 10 {
        return None;
    }
    s.parse::<Date>().ok()
}

/// `YYYY-MM-DD` then a space or `T` then a clock time.
fn date_and_clock(s: &str) -> Option<(Date, &str)> {
    let d = plain_date(s.get(..10)?)?;
    let rest = s.get(10..)?;
    let clock = rest
        .strip_prefix(['T', 't'])
        .or_else(|| rest.strip_prefix(char::is_whitespace).map(str::trim_start))?;
    looks_like_clock(clock).then_some((d, clock))
}

/// A local date-time in `tz`, with jiff's compatible disambiguation (see [`parse_when`]).
fn local(dt: DateTime, tz: &TimeZone, input: &str) -> Result<Timestamp, DiaryError> {
    tz.to_ambiguous_timestamp(dt)
        .compatible()
        .map_err(|e| time_err(input, e))
}

fn time_err(input: &str, e: jiff::Error) -> DiaryError {
    DiaryError::Time {
        input: input.to_string(),
        reason: e.to_string(),
    }
}

fn show(t: Timestamp, tz: &TimeZone) -> String {
    t.to_zoned(tz.clone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

/// Reads how long a headache lasted: `2h`, `90m`, `1h30m` (also `1h 30m`), or a bare
/// number of minutes (`45`). Case-insensitive. Hours must come before minutes and each
/// unit appears at most once; fractions (`1.5h`) are not accepted (write `1h30m`).
/// Returns seconds. Zero and negative durations are refused, and so is anything longer
/// than 7 days ([`MAX_DURATION_S`]), which is taken for a typo.
pub fn parse_duration(s: &str) -> Result<u32, DiaryError> {
    use crate::support::human::{parse_duration as read, DurationError as E};
    let input = s.trim().to_string();
    let seconds = read(s).map_err(|e| match e {
        E::Empty => DiaryError::EmptyDuration,
        E::Bad(_) => DiaryError::BadDuration {
            input: input.clone(),
        },
        E::Negative(_) => DiaryError::NegativeDuration {
            input: input.clone(),
        },
        E::Zero(_) => DiaryError::ZeroDuration {
            input: input.clone(),
        },
        E::TooLong(_) => DiaryError::DurationTooLong {
            input: input.clone(),
        },
    })?;
    let seconds = seconds.round();
    if seconds > f64::from(MAX_DURATION_S) {
        return Err(DiaryError::DurationTooLong { input });
    }
    if seconds < 1.0 {
        return Err(DiaryError::ZeroDuration { input });
    }
    Ok(seconds as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Central European time with its real DST rules, independent of the system tzdb.
    fn cet() -> TimeZone {
        TimeZone::posix("CET-1CEST,M3.5.0,M10.5.0/3").unwrap()
    }

    fn at(tz: &TimeZone, y: i16, mo: i8, d: i8, h: i8, mi: i8) -> Zoned {
        jiff::civil::date(y, mo, d)
            .at(h, mi, 0, 0)
            .to_zoned(tz.clone())
            .unwrap()
    }

    fn local_str(t: Timestamp, tz: &TimeZone) -> String {
        t.to_zoned(tz.clone())
            .strftime("%Y-%m-%d %H:%M:%S %:z")
            .to_string()
    }

    #[test]
    fn kinds_round_trip_and_unknown_names_the_value_and_the_choices() {
        for k in HeadacheKind::ALL {
            assert_eq!(k.as_str().parse::<HeadacheKind>(), Ok(k));
            assert_eq!(k.to_string(), k.as_str());
        }
        assert_eq!(" Migraine ".parse(), Ok(HeadacheKind::Migraine));
        assert_eq!(HeadacheKind::default(), HeadacheKind::Unsure);
        let e = "cluster".parse::<HeadacheKind>().unwrap_err().to_string();
        assert!(e.contains("\"cluster\""), "{e}");
        for k in HeadacheKind::ALL {
            assert!(e.contains(k.as_str()), "{e}");
        }
        assert_eq!(
            serde_json::to_string(&HeadacheKind::Tension).unwrap(),
            "\"tension\""
        );
    }

    #[test]
    fn relative_words_and_clock_times() {
        let tz = cet();
        let now = at(&tz, 2026, 11, 24, 16, 20);
        let p = |s: &str| local_str(parse_when(s, &now).unwrap(), &tz);
        assert_eq!(p("now"), "2026-11-24 16:20:00 +01:00");
        assert_eq!(p("  NOW "), "2026-11-24 16:20:00 +01:00");
        assert_eq!(p("today 9:30"), "2026-11-24 09:30:00 +01:00");
        assert_eq!(p("today at 09:30"), "2026-11-24 09:30:00 +01:00");
        assert_eq!(p("today"), "2026-11-24 12:00:00 +01:00");
        assert_eq!(p("yesterday 15:00"), "2026-11-23 15:00:00 +01:00");
        assert_eq!(p("Yesterday at 23:59:30"), "2026-11-23 23:59:30 +01:00");
        assert_eq!(p("yesterday"), "2026-11-23 12:00:00 +01:00");
        assert_eq!(p("15:00"), "2026-11-24 15:00:00 +01:00");
        assert_eq!(p("0:05"), "2026-11-24 00:05:00 +01:00");
        // Before noon, "today" is now rather than a future noon.
        let morning = at(&tz, 2026, 11, 24, 8, 0);
        assert_eq!(
            local_str(parse_when("today", &morning).unwrap(), &tz),
            "2026-11-24 08:00:00 +01:00"
        );
        assert_eq!(
            local_str(parse_when("2026-11-24", &morning).unwrap(), &tz),
            "2026-11-24 08:00:00 +01:00"
        );
    }

    #[test]
    fn dates_and_instants() {
        let tz = cet();
        let now = at(&tz, 2026, 11, 24, 16, 20);
        let p = |s: &str| local_str(parse_when(s, &now).unwrap(), &tz);
        assert_eq!(p("2026-11-20 14:00"), "2026-11-20 14:00:00 +01:00");
        assert_eq!(p("2026-11-20T14:00"), "2026-11-20 14:00:00 +01:00");
        assert_eq!(p("2026-11-20t14:00:30"), "2026-11-20 14:00:30 +01:00");
        assert_eq!(p("2026-11-20"), "2026-11-20 12:00:00 +01:00");
        // In summer the same zone is at +02:00.
        assert_eq!(p("2026-07-01 14:00"), "2026-07-01 14:00:00 +02:00");
        // Offsets fix the instant whatever the zone.
        assert_eq!(p("2026-11-20T14:00:00Z"), "2026-11-20 15:00:00 +01:00");
        assert_eq!(p("2026-11-20T14:00:00-05:00"), "2026-11-20 20:00:00 +01:00");
        assert_eq!(p("2026-11-20T14:00+09:00"), "2026-11-20 06:00:00 +01:00");
    }

    #[test]
    fn named_zone_annotation_is_read_when_the_tzdb_has_it() {
        // Needs the system time-zone database (tzdata, installed by scripts/setup), as the
        // other zone tests do: without it this test fails rather than passing unseen.
        TimeZone::get("America/New_York").expect("the time-zone database (tzdata)");
        let tz = cet();
        let now = at(&tz, 2026, 11, 24, 16, 20);
        let t = parse_when("2026-11-20T08:00[America/New_York]", &now).unwrap();
        assert_eq!(local_str(t, &tz), "2026-11-20 14:00:00 +01:00");
    }

    #[test]
    fn dst_gap_moves_forward_and_fold_takes_the_first() {
        let tz = cet();
        // 2026-03-29: 02:00 → 03:00 in central Europe. 02:30 does not exist.
        let now = at(&tz, 2026, 3, 29, 12, 0);
        let t = parse_when("today 2:30", &now).unwrap();
        assert_eq!(local_str(t, &tz), "2026-03-29 03:30:00 +02:00");
        // 2026-10-25: 03:00 → 02:00; 02:30 happens twice, at +02:00 then +01:00.
        let now = at(&tz, 2026, 10, 25, 12, 0);
        let t = parse_when("2026-10-25 02:30", &now).unwrap();
        assert_eq!(local_str(t, &tz), "2026-10-25 02:30:00 +02:00");
        assert_eq!(t.to_string(), "2026-10-25T00:30:00Z");
    }

    #[test]
    fn future_times_are_refused_with_a_hint() {
        let tz = cet();
        let now = at(&tz, 2026, 11, 24, 14, 12);
        let e = parse_when("15:00", &now).unwrap_err();
        let msg = e.to_string();
        assert!(matches!(e, DiaryError::FutureTime { .. }), "{e:?}");
        assert!(msg.contains("2026-11-24 15:00"), "{msg}");
        assert!(msg.contains("2026-11-24 14:12"), "{msg}");
        assert!(msg.contains("yesterday 15:00"), "{msg}");
        assert!(matches!(
            parse_when("2026-11-25", &now),
            Err(DiaryError::FutureTime { .. })
        ));
        assert!(matches!(
            parse_when("2026-11-24T13:14:00Z", &now),
            Err(DiaryError::FutureTime { .. })
        ));
        // Within a minute of slack is fine (a clock a little ahead); beyond it is not.
        let msg = parse_when("today at 18:45", &now).unwrap_err().to_string();
        assert!(msg.contains("did you mean \"yesterday 18:45\"?"), "{msg}");
        assert!(parse_when("14:13", &now).is_ok());
        assert!(parse_when("14:14", &now).is_err());
    }

    #[test]
    fn nonsense_is_refused_without_panicking() {
        let tz = cet();
        let now = at(&tz, 2026, 11, 24, 16, 20);
        for s in [
            "",
            "  ",
            "tomorrow",
            "todayx",
            "yesterday 25:00",
            "24:00",
            "9:5",
            "9:60",
            "1:2:3",
            "12:00:60",
            "2026-13-01",
            "2026-02-30 10:00",
            "2026-11-20 10",
            "2026-11-20X10:00",
            "10:00 yesterday",
            "ÿÿÿÿÿÿÿÿÿÿÿ 10:00",
            "2026-11-2é 10:00",
            "::",
            "123:00",
        ] {
            let r = parse_when(s, &now);
            assert!(r.is_err(), "{s:?} gave {r:?}");
            assert!(!r.unwrap_err().to_string().is_empty());
        }
        let e = parse_when("next tuesday", &now).unwrap_err().to_string();
        assert!(
            e.contains("\"next tuesday\"") && e.contains("yesterday 15:00"),
            "{e}"
        );
        let e = parse_when("25:00", &now).unwrap_err().to_string();
        assert!(e.contains("0 to 23"), "{e}");
    }

    #[test]
    fn durations() {
        assert_eq!(parse_duration("2h"), Ok(7200));
        assert_eq!(parse_duration("90m"), Ok(5400));
        assert_eq!(parse_duration("1h30m"), Ok(5400));
        assert_eq!(parse_duration(" 1H 30M "), Ok(5400));
        assert_eq!(parse_duration("45"), Ok(2700));
        assert_eq!(parse_duration("168h"), Ok(MAX_DURATION_S));
        assert_eq!(parse_duration("10080"), Ok(MAX_DURATION_S));
        let err = |s: &str| parse_duration(s).unwrap_err();
        assert!(matches!(err("0"), DiaryError::ZeroDuration { .. }));
        assert!(matches!(err("0h0m"), DiaryError::ZeroDuration { .. }));
        assert!(matches!(err("-5"), DiaryError::NegativeDuration { .. }));
        assert!(matches!(err("-1h"), DiaryError::NegativeDuration { .. }));
        assert!(matches!(err("169h"), DiaryError::DurationTooLong { .. }));
        assert!(matches!(err("10081"), DiaryError::DurationTooLong { .. }));
        assert!(matches!(
            err("99999999999999999999999"),
            DiaryError::DurationTooLong { .. }
        ));
        assert!(matches!(
            err("999999999999999999h"),
            DiaryError::DurationTooLong { .. }
        ));
        assert!(matches!(err(""), DiaryError::EmptyDuration));
        // The one duration grammar (support::human::parse_duration) reads "1.5h" and
        // "5 s"; these it does not.
        for s in [
            "30m1h", "1h1h", "h", "2x", "1h30", "m5", "twenty", "1hé", "é5", "5é", "1h-30m",
        ] {
            assert!(
                matches!(parse_duration(s), Err(DiaryError::BadDuration { .. })),
                "{s:?} gave {:?}",
                parse_duration(s)
            );
        }
        assert!(err("10081").to_string().contains("7 days"));
    }

    #[test]
    fn validate_checks_the_scale_and_cleans_text() {
        let t: Timestamp = "2026-11-20T14:00:00Z".parse().unwrap();
        let mut h = Headache::new(t, 10);
        h.note = Some("  behind the left eye \n".into());
        h.medication = Some("   ".into());
        let v = h.validate().unwrap();
        assert_eq!(v.note.as_deref(), Some("behind the left eye"));
        assert_eq!(v.medication, None);
        assert_eq!(v.kind, HeadacheKind::Unsure);

        let e = Headache::new(t, 11).validate().unwrap_err();
        assert_eq!(e, DiaryError::Intensity { value: 11 });
        assert!(e.to_string().contains("0 (none) to 10"));
        assert!(Headache::new(t, 0).validate().is_ok());

        let mut h = Headache::new(t, 5);
        h.note = Some("é".repeat(MAX_NOTE_CHARS));
        assert!(h.clone().validate().is_ok(), "the limit counts characters");
        h.note = Some("é".repeat(MAX_NOTE_CHARS + 1));
        let e = h.validate().unwrap_err().to_string();
        assert!(
            e.contains("note") && e.contains("2001") && e.contains("2000"),
            "{e}"
        );

        let mut h = Headache::new(t, 5);
        h.medication = Some("x".repeat(MAX_MEDICATION_CHARS + 1));
        assert!(h.validate().unwrap_err().to_string().contains("medication"));

        let mut h = Headache::new(t, 5);
        h.duration_s = Some(0);
        assert!(h.clone().validate().is_err());
        h.duration_s = Some(MAX_DURATION_S + 1);
        assert!(h.clone().validate().is_err());
        h.duration_s = Some(3600);
        assert_eq!(h.validate().unwrap().duration_s, Some(3600));
    }

    #[test]
    fn local_date_follows_the_zone() {
        let t: Timestamp = "2026-11-20T23:30:00Z".parse().unwrap();
        let h = Headache::new(t, 4);
        assert_eq!(h.local_date(&cet()), jiff::civil::date(2026, 11, 21));
        assert_eq!(
            h.local_date(&TimeZone::UTC),
            jiff::civil::date(2026, 11, 20)
        );
    }
}

//! Numbers as people read them: durations and shares, one spelling everywhere (reports,
//! status, notifications).

/// "1 h 05 min", "4 min 10 s", "12 s".
pub fn duration(s: f64) -> String {
    let s = s.max(0.0).round() as u64;
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min {:02} s", s / 60, s % 60),
        _ => format!("{} h {:02} min", s / 3600, s % 3600 / 60),
    }
}

/// A length for a button or a sentence: "45 s", "30 min", "1 h", "1 h 30 min".
pub fn short_duration(s: f64) -> String {
    let s = s.max(0.0).round() as u64;
    match (s / 3600, s % 3600 / 60, s % 60) {
        (0, 0, sec) => format!("{sec} s"),
        (0, m, 0) => format!("{m} min"),
        (0, m, sec) => format!("{m} min {sec} s"),
        (h, 0, _) => format!("{h} h"),
        (h, m, _) => format!("{h} h {m} min"),
    }
}

/// Text someone else chose (a diary note, a camera's or a process's name) made safe to
/// print on a terminal: control characters — escape sequences that would set the title or
/// clear the screen, a newline that would forge another line — and the bidirectional
/// overrides that reorder what is shown are written as `\u{1b}`, `\n`… The text itself
/// is kept as it was typed; only its display changes.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    let unsafe_char =
        |c: char| c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
    if !text.chars().any(unsafe_char) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if unsafe_char(c) {
            out.extend(c.escape_debug());
        } else {
            out.push(c);
        }
    }
    std::borrow::Cow::Owned(out)
}

/// Text for HTML or SVG: `&`, `<`, `>` and `"` as entities.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A field for a CSV file meant for spreadsheets: text that begins with `=`, `+`, `-`,
/// `@`, a tab or a carriage return would be run as a formula when the file is opened, so
/// it gets a leading `'` (OWASP's advice for CSV injection). Numbers are never passed here.
pub fn csv_text(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        std::borrow::Cow::Owned(format!("'{text}"))
    } else {
        std::borrow::Cow::Borrowed(text)
    }
}

/// Why a duration could not be read.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DurationError {
    #[error(
        "no duration given: use a duration like 90s, 30m, 1h30m or 45 (a bare number is minutes)"
    )]
    Empty,
    #[error("cannot read {0:?} as a duration: use a duration like 90s, 30m, 1h30m or 45 (a bare number is minutes)")]
    Bad(String),
    #[error("a duration cannot be negative ({0:?})")]
    Negative(String),
    #[error("a duration of zero ({0:?}) says nothing")]
    Zero(String),
    #[error("{0:?} is too long to be a duration")]
    TooLong(String),
}

/// The one way hunch reads a length of time, wherever one is typed (`pause 90s`,
/// `snooze 1h`, a headache's `--duration 1h30m`): a bare number is minutes; otherwise
/// numbers each followed by a unit — `h`, `m`, `s`, in that order, each at most once,
/// upper or lower case, spaces allowed — such as `90s`, `1.5h`, `1h 30m`. Seconds.
pub fn parse_duration(s: &str) -> Result<f64, DurationError> {
    let input = s.trim();
    if input.is_empty() {
        return Err(DurationError::Empty);
    }
    if input.starts_with('-') {
        return Err(DurationError::Negative(input.to_string()));
    }
    let bad = || DurationError::Bad(input.to_string());
    let number = |t: &str| -> Result<f64, DurationError> {
        if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
            return Err(bad());
        }
        t.parse::<f64>().map_err(|_| bad())
    };
    let lower = input.to_ascii_lowercase();
    let total = if lower.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        number(&lower)? * 60.0
    } else {
        let mut rest = lower.as_str();
        let mut total = 0.0;
        let mut last_unit = 0; // 1 hours, 2 minutes, 3 seconds
        while !rest.is_empty() {
            let digits = rest
                .bytes()
                .take_while(|b| b.is_ascii_digit() || *b == b'.')
                .count();
            let n = number(&rest[..digits])?;
            rest = rest[digits..].trim_start();
            let (unit, factor) = match rest.chars().next() {
                Some('h') => (1, 3600.0),
                Some('m') => (2, 60.0),
                Some('s') => (3, 1.0),
                _ => return Err(bad()),
            };
            if unit <= last_unit {
                return Err(bad());
            }
            last_unit = unit;
            total += n * factor;
            rest = rest[1..].trim_start();
        }
        total
    };
    if !total.is_finite() || total > 1e12 {
        return Err(DurationError::TooLong(input.to_string()));
    }
    if total == 0.0 {
        return Err(DurationError::Zero(input.to_string()));
    }
    Ok(total)
}

/// "26%", or "—" when there is nothing to divide.
pub fn percent(v: Option<f64>) -> String {
    v.map_or("—".into(), |v| format!("{:.0}%", v * 100.0))
}

/// A monitor state in a few words (the tray, `hunch watch`).
pub fn state(s: crate::vocab::MonitorState) -> &'static str {
    use crate::vocab::MonitorState as M;
    match s {
        M::Away => "away",
        M::Unmeasured => "not measurable",
        M::Upright => "upright",
        M::Hunching => "hunching",
        M::Hunched => "hunched",
        M::Paused => "paused",
        M::Locked => "screen locked",
        M::CameraInUse => "camera in use by another app",
    }
}

/// A Unix time in ms as the local clock time, "14:30".
pub fn clock_time(ms: i64) -> String {
    clock_time_in(ms, &jiff::tz::TimeZone::system())
}

/// A Unix time in ms as the clock time in `tz`, "14:30".
pub fn clock_time_in(ms: i64, tz: &jiff::tz::TimeZone) -> String {
    jiff::Timestamp::from_millisecond(ms)
        .map(|t| t.to_zoned(tz.clone()).strftime("%H:%M").to_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        assert_eq!(duration(3725.0), "1 h 02 min");
        assert_eq!(duration(250.0), "4 min 10 s");
        assert_eq!(duration(12.4), "12 s");
        assert_eq!(short_duration(1800.0), "30 min");
        assert_eq!(short_duration(5400.0), "1 h 30 min");
        assert_eq!(short_duration(3600.0), "1 h");
        assert_eq!(short_duration(45.0), "45 s");
        assert_eq!(short_duration(90.0), "1 min 30 s");
        assert_eq!(percent(Some(0.2632)), "26%");
        assert_eq!(percent(None), "—");
    }

    #[test]
    fn one_grammar_for_durations() {
        assert_eq!(parse_duration("90s"), Ok(90.0));
        assert_eq!(parse_duration("30m"), Ok(1800.0));
        assert_eq!(parse_duration("1h30m"), Ok(5400.0));
        assert_eq!(parse_duration(" 1H 30M "), Ok(5400.0));
        assert_eq!(parse_duration("1.5h"), Ok(5400.0));
        assert_eq!(parse_duration("1h 2m 3s"), Ok(3723.0));
        assert_eq!(parse_duration("45"), Ok(2700.0));
        assert_eq!(parse_duration(""), Err(DurationError::Empty));
        assert!(matches!(
            parse_duration("-5"),
            Err(DurationError::Negative(_))
        ));
        assert!(matches!(
            parse_duration("0h0m"),
            Err(DurationError::Zero(_))
        ));
        assert!(matches!(
            parse_duration("99999999999999999h"),
            Err(DurationError::TooLong(_))
        ));
        for s in [
            "soon", "10x", "5m3", "30m1h", "1h1h", "h", "1h30", "m5", "twenty", "1hé", "é5",
            "1h-30m", "1..5h", ".",
        ] {
            assert!(
                matches!(parse_duration(s), Err(DurationError::Bad(_))),
                "{s:?} gave {:?}",
                parse_duration(s)
            );
        }
    }

    #[test]
    fn text_from_others_is_shown_escaped_and_kept_out_of_formulas() {
        assert_eq!(printable("plain, with ünïcode"), "plain, with ünïcode");
        assert_eq!(
            printable("a\u{1b}]0;owned\u{7}b\nc"),
            "a\\u{1b}]0;owned\\u{7}b\\nc"
        );
        assert_eq!(printable("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(csv_text("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        for t in ["+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(csv_text(t).starts_with('\''), "{t:?}");
        }
        assert_eq!(csv_text("after the call"), "after the call");
    }
}

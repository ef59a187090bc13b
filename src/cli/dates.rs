//! Which days a command covers: one selection for `hunch report` and `hunch export`.
//!
//! `--date D` is one day; `--from A [--to B]` the days from A to B (today without `--to`);
//! `--days N`, `--week` (7) and `--month` (30) the last N days ending today, or at `--to`.
//! With none of them, each command says what it covers: a report today, an export
//! everything. `--to B` alone ends that default at B.

use anyhow::{bail, Context};
use clap::Args;
use jiff::civil::Date;

#[derive(Debug, Default, Args)]
#[command(next_help_heading = "Which days")]
pub struct Dates {
    /// One day.
    #[arg(long, value_name = "YYYY-MM-DD", conflicts_with_all = ["days", "week", "month", "from", "to"])]
    pub date: Option<String>,
    /// The first day; the range ends today, or at --to.
    #[arg(long, value_name = "YYYY-MM-DD", conflicts_with_all = ["days", "week", "month"])]
    pub from: Option<String>,
    /// The last day, inclusive.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<String>,
    /// The last N days, ending today (or --to).
    #[arg(long, value_name = "N", conflicts_with_all = ["week", "month"])]
    pub days: Option<u32>,
    /// The last 7 days, ending today (or --to).
    #[arg(long, conflicts_with = "month")]
    pub week: bool,
    /// The last 30 days, ending today (or --to).
    #[arg(long)]
    pub month: bool,
}

pub fn parse_date(s: &str) -> anyhow::Result<Date> {
    s.parse::<Date>()
        .with_context(|| format!("`{s}` is not a date; use YYYY-MM-DD, e.g. 2026-11-24"))
}

impl Dates {
    /// The first and last day (inclusive). `default_from` is where the command's range
    /// starts when nothing says otherwise (`None`: the last day itself, a single day).
    pub fn resolve(
        &self,
        today: Date,
        default_from: Option<Date>,
        max_days: i64,
    ) -> anyhow::Result<(Date, Date)> {
        if let Some(d) = &self.date {
            let d = parse_date(d)?;
            return Ok((d, d));
        }
        let to = self
            .to
            .as_deref()
            .map(parse_date)
            .transpose()?
            .unwrap_or(today);
        let span = match (self.week, self.month, self.days) {
            (true, _, _) => Some(7),
            (_, true, _) => Some(30),
            (_, _, n) => n,
        };
        let from = match (span, &self.from) {
            (Some(0), _) => bail!("--days must be at least 1"),
            (Some(n), _) => {
                if n as i64 > max_days {
                    bail!("--days is at most {max_days} (ten years)");
                }
                to.checked_sub(jiff::Span::new().days(n as i64 - 1))?
            }
            (None, Some(f)) => parse_date(f)?,
            (None, None) => default_from.unwrap_or(to).min(to),
        };
        if to < from {
            bail!("--to ({to}) is before --from ({from})");
        }
        Ok((from, to))
    }

    /// The first day asked for with --from, if any.
    pub fn first_day(&self) -> Option<anyhow::Result<Date>> {
        self.from.as_deref().map(parse_date)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn one_selection_of_days() {
        let today = d("2026-12-07");
        let get = |a: Dates, default: Option<Date>| a.resolve(today, default, 3660).unwrap();
        let none = || Dates::default();
        assert_eq!(get(none(), None), (today, today));
        assert_eq!(get(none(), Some(d("2026-01-01"))), (d("2026-01-01"), today));
        let a = Dates {
            date: Some("2026-11-24".into()),
            ..none()
        };
        assert_eq!(get(a, None), (d("2026-11-24"), d("2026-11-24")));
        let a = Dates {
            from: Some("2026-11-01".into()),
            ..none()
        };
        assert_eq!(get(a, None), (d("2026-11-01"), today));
        let a = Dates {
            week: true,
            to: Some("2026-11-30".into()),
            ..none()
        };
        assert_eq!(get(a, None), (d("2026-11-24"), d("2026-11-30")));
        let a = Dates {
            to: Some("2026-11-30".into()),
            ..none()
        };
        assert_eq!(get(a, None), (d("2026-11-30"), d("2026-11-30")));
        let a = Dates {
            from: Some("2026-12-08".into()),
            ..none()
        };
        assert!(a.resolve(today, None, 3660).is_err());
        let a = Dates {
            days: Some(0),
            ..none()
        };
        assert!(a.resolve(today, None, 3660).is_err());
    }
}

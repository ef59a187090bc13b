//! A self-contained HTML page: the summary, a chart, a table.

use crate::human::{duration, percent};
use crate::report::RangeSummary;

use super::svg::esc;

/// The page around `chart` (an SVG from [`super::svg`]).
pub fn page(r: &RangeSummary, chart: &str) -> String {
    let title = if r.from == r.to {
        format!("hunch — {}", esc(&r.from))
    } else {
        format!("hunch — {} to {}", esc(&r.from), esc(&r.to))
    };
    let mut rows = String::new();
    for d in &r.days {
        rows += &format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            esc(&d.date),
            duration(d.monitored_s),
            duration(d.hunched_s),
            percent(d.hunched_share),
            duration(d.longest_hunch_s),
            d.alerts,
            d.stretches_done
        );
    }
    format!(
        r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; margin-top: 1em; }}
td, th {{ padding: 4px 10px; border-bottom: 1px solid #ddd; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }}
.note {{ color: #666; font-size: 0.9em; }}
</style></head>
<body>
<h1>{title}</h1>
<p>Monitored {monitored}, hunched {hunched} ({share}). Alerts {alerts}, stretches done {done}. Streak under the goal of {goal:.0}%: {streak} day(s).</p>
{chart}
<table><tr><th>date</th><th>monitored</th><th>hunched</th><th>share</th><th>longest</th><th>alerts</th><th>done</th></tr>
{rows}</table>
<p class="note">Made by hunch from its journal. Numbers only: no image was stored. hunch is not a medical device.</p>
</body></html>
"#,
        monitored = duration(r.monitored_s),
        hunched = duration(r.hunched_s),
        share = percent(r.hunched_share),
        alerts = r.alerts,
        done = r.stretches_done,
        goal = r.goal_hunched_share * 100.0,
        streak = r.streak_days,
    )
}

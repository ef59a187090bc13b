//! A self-contained HTML page: the summary, a chart, a table.

use crate::human::{duration, percent};
use crate::report::RangeSummary;

use super::svg::esc;

/// The page around `chart` (an SVG from [`super::svg`]).
pub fn page(r: &RangeSummary, chart: &str) -> String {
    page_with(r, chart, "")
}

/// The diary comparison as a page section: its chart and its text (which carries the
/// caveats), and the standing disclaimer.
pub fn headache_section(text: &str, chart: &str) -> String {
    format!(
        "<section id=\"headaches\">\n<h2>Headaches and posture</h2>\n{chart}\n<pre class=\"diary\">{}</pre>\n<p class=\"note\">{}</p>\n</section>\n",
        esc(text),
        esc(crate::diary::NOT_A_MEDICAL_DEVICE)
    )
}

/// The page with a `lead` section before the day's figures (the diary comparison).
pub fn page_with(r: &RangeSummary, chart: &str, lead: &str) -> String {
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
pre.diary {{ white-space: pre-wrap; max-width: 60em; }}
</style></head>
<body>
<h1>{title}</h1>
{lead}<p>Monitored {monitored}, hunched {hunched} ({share}). Alerts {alerts}, stretches done {done}. Streak under the goal of {goal:.0}%: {streak} day(s).</p>
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

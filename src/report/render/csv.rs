//! One CSV row per day.

use crate::report::RangeSummary;

const HEADER: [&str; 18] = [
    "date",
    "monitored_s",
    "upright_s",
    "hunched_s",
    "hunched_share",
    "away_s",
    "paused_s",
    "episodes",
    "longest_hunch_s",
    "alerts",
    "stretches_done",
    "snoozes",
    "pauses",
    "mean_forward_deg",
    "p90_forward_deg",
    "worst_hour",
    "camera_in_use_s",
    "camera_open_s",
];

pub fn days(r: &RangeSummary) -> String {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    let opt = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.4}"));
    // Writing to memory cannot fail; a record that somehow did is left out.
    let _ = w.write_record(HEADER);
    for d in &r.days {
        let _ = w.write_record([
            d.date.clone(),
            format!("{:.3}", d.monitored_s),
            format!("{:.3}", d.upright_s),
            format!("{:.3}", d.hunched_s),
            opt(d.hunched_share),
            format!("{:.3}", d.away_s),
            format!("{:.3}", d.paused_s),
            d.episodes.to_string(),
            format!("{:.3}", d.longest_hunch_s),
            d.alerts.to_string(),
            d.stretches_done.to_string(),
            d.snoozes.to_string(),
            d.pauses.to_string(),
            opt(d.mean_forward_deg),
            opt(d.p90_forward_deg),
            d.worst_hour.map_or(String::new(), |h| h.to_string()),
            format!("{:.3}", d.camera_in_use_s),
            format!("{:.3}", d.camera_open_s),
        ]);
    }
    w.into_inner()
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default()
}

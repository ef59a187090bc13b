//! `hunch export`: the journal's own rows (samples, or the headache diary) as CSV or JSON
//! lines, with local times beside the epoch milliseconds. Streams to any writer; touches no
//! storage.

use std::io::{self, Write};

use jiff::tz::TimeZone;
use jiff::Timestamp;

use crate::diary::Headache;
use crate::vocab::SampleRow;

const SAMPLE_HEADER: [&str; 6] = [
    "t_ms",
    "time",
    "dt_ms",
    "state",
    "forward_deg",
    "camera_open_ms",
];

const DIARY_HEADER: [&str; 8] = [
    "id",
    "at_ms",
    "at",
    "intensity",
    "duration_s",
    "kind",
    "medication",
    "note",
];

fn local(t_ms: i64, tz: &TimeZone) -> io::Result<String> {
    Timestamp::from_millisecond(t_ms)
        .map(|t| t.to_zoned(tz.clone()).to_string())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
}

/// Writes samples one at a time, as CSV (times in a zone) or JSON lines, so that an export
/// of any length needs no more memory than one row.
pub enum SampleWriter<W: Write> {
    // Boxed: the CSV writer carries its buffer inline and dwarfs the JSON arm.
    Csv(Box<::csv::Writer<W>>, TimeZone),
    Jsonl(W),
}

impl<W: Write> SampleWriter<W> {
    /// CSV with its header row, times in `tz`.
    pub fn csv(out: W, tz: &TimeZone) -> io::Result<Self> {
        let mut w = ::csv::Writer::from_writer(out);
        w.write_record(SAMPLE_HEADER)?;
        Ok(SampleWriter::Csv(Box::new(w), tz.clone()))
    }

    /// One JSON object per line, as the journal holds the row.
    pub fn jsonl(out: W) -> Self {
        SampleWriter::Jsonl(out)
    }

    pub fn write(&mut self, s: &SampleRow) -> io::Result<()> {
        match self {
            SampleWriter::Csv(w, tz) => w
                .write_record([
                    s.t_ms.to_string(),
                    local(s.t_ms, tz)?,
                    s.dt_ms.to_string(),
                    s.state.as_str().to_string(),
                    s.forward_deg.map_or(String::new(), |a| format!("{a:.2}")),
                    s.camera_open_ms.to_string(),
                ])
                .map_err(io::Error::from),
            SampleWriter::Jsonl(out) => {
                serde_json::to_writer(&mut *out, s)?;
                out.write_all(b"\n")
            }
        }
    }

    /// Writes out what is buffered.
    pub fn finish(self) -> io::Result<()> {
        match self {
            SampleWriter::Csv(mut w, _) => w.flush(),
            SampleWriter::Jsonl(mut out) => out.flush(),
        }
    }
}

/// One diary entry as a JSON object (`hunch export --headaches --jsonl`, `hunch headache list --jsonl`).
pub fn headache_json(h: &Headache, tz: &TimeZone) -> serde_json::Value {
    serde_json::json!({
        "id": h.id,
        "at_ms": h.at.as_millisecond(),
        "at": h.at.to_zoned(tz.clone()).to_string(),
        "intensity": h.intensity,
        "duration_s": h.duration_s,
        "kind": h.kind.as_str(),
        "medication": h.medication,
        "note": h.note,
    })
}

/// One JSON object per line per diary entry.
pub fn headaches_json<W: Write>(mut out: W, entries: &[Headache], tz: &TimeZone) -> io::Result<()> {
    for h in entries {
        serde_json::to_writer(&mut out, &headache_json(h, tz))?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// One CSV row per diary entry, times in `tz`.
pub fn headaches_csv<W: Write>(out: W, entries: &[Headache], tz: &TimeZone) -> io::Result<()> {
    let mut w = ::csv::Writer::from_writer(out);
    w.write_record(DIARY_HEADER)?;
    for h in entries {
        w.write_record([
            h.id.map_or(String::new(), |i| i.to_string()),
            h.at.as_millisecond().to_string(),
            h.at.to_zoned(tz.clone()).to_string(),
            h.intensity.to_string(),
            h.duration_s.map_or(String::new(), |d| d.to_string()),
            h.kind.as_str().to_string(),
            crate::support::human::csv_text(h.medication.as_deref().unwrap_or_default())
                .into_owned(),
            crate::support::human::csv_text(h.note.as_deref().unwrap_or_default()).into_owned(),
        ])?;
    }
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diary::HeadacheKind;
    use crate::vocab::MonitorState;

    fn tz() -> TimeZone {
        TimeZone::get("Europe/Berlin").expect("tzdb")
    }

    #[test]
    fn samples_as_csv_and_json_lines() {
        let rows = [
            SampleRow {
                t_ms: 1_700_000_000_000,
                dt_ms: 1000,
                state: MonitorState::Hunched,
                forward_deg: Some(17.256),
                camera_open_ms: 400,
            },
            SampleRow {
                t_ms: 1_700_000_006_000,
                dt_ms: 6000,
                state: MonitorState::Away,
                forward_deg: None,
                camera_open_ms: 0,
            },
        ];
        let mut csv = Vec::new();
        let mut w = SampleWriter::csv(&mut csv, &tz()).unwrap();
        rows.iter().for_each(|r| w.write(r).unwrap());
        w.finish().unwrap();
        assert_eq!(
            String::from_utf8(csv).unwrap(),
            "t_ms,time,dt_ms,state,forward_deg,camera_open_ms\n\
             1700000000000,2023-11-14T23:13:20+01:00[Europe/Berlin],1000,hunched,17.26,400\n\
             1700000006000,2023-11-14T23:13:26+01:00[Europe/Berlin],6000,away,,0\n"
        );
        let mut json = Vec::new();
        let mut w = SampleWriter::jsonl(&mut json);
        rows.iter().for_each(|r| w.write(r).unwrap());
        w.finish().unwrap();
        let lines: Vec<serde_json::Value> = String::from_utf8(json)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["state"], "hunched");
        assert_eq!(lines[1]["forward_deg"], serde_json::Value::Null);
    }

    #[test]
    fn the_diary_with_commas_and_quotes_in_free_text() {
        let h = Headache {
            id: Some(7),
            at: Timestamp::from_millisecond(1_700_000_000_000).unwrap(),
            intensity: 6,
            duration_s: Some(7200),
            kind: HeadacheKind::Migraine,
            medication: Some("ibuprofen, 400 mg".into()),
            note: Some("after a \"long\" call".into()),
        };
        let mut csv = Vec::new();
        headaches_csv(&mut csv, std::slice::from_ref(&h), &TimeZone::UTC).unwrap();
        let text = String::from_utf8(csv).unwrap();
        let mut r = ::csv::Reader::from_reader(text.as_bytes());
        let row = r.records().next().unwrap().unwrap();
        assert_eq!(&row[0], "7");
        assert_eq!(&row[2], "2023-11-14T22:13:20+00:00[UTC]");
        assert_eq!(&row[5], "migraine");
        assert_eq!(&row[6], "ibuprofen, 400 mg");
        assert_eq!(&row[7], "after a \"long\" call");
        let mut json = Vec::new();
        headaches_json(&mut json, &[h], &tz()).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(v["at"], "2023-11-14T23:13:20+01:00[Europe/Berlin]");
        assert_eq!(v["duration_s"], 7200);
    }
}

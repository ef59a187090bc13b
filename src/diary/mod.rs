//! The headache diary: what a headache entry is and how it is typed in
//! ([`entry`]), an honest comparison of posture on headache days with posture on other
//! days ([`compare`](mod@compare)), and its text and SVG renderings ([`render`]).
//! Everything here is pure: the journal, the CLI and the report call into it.

pub mod compare;
pub mod entry;
pub mod render;
pub mod rng;

pub use compare::{
    compare, CompareOptions, DayPosture, DiaryComparison, DiaryDay, DiaryWindow, Outcome,
};
pub use entry::{parse_duration, parse_when, DiaryError, Headache, HeadacheKind};
pub use render::{chart_svg, render_text};

/// hunch's standing disclaimer, for `hunch headache --help`, the diary report and the README.
pub const NOT_A_MEDICAL_DEVICE: &str = "hunch is not a medical device. It prompts habits \
and keeps a diary; it does not diagnose or treat anything.";

/// When a headache needs a clinician rather than a diary: for `hunch headache --help` and the
/// README. Plain words, the usual warning signs ("red flags") of secondary headache.
pub const WHEN_TO_SEE_A_CLINICIAN: &str = "\
When to see a clinician

Get emergency help now for a headache that:
  - comes on suddenly and severely, the worst you have ever had;
  - comes with weakness, numbness, loss of vision or double vision, confusion, trouble
    speaking, a drooping face, a seizure or fainting;
  - comes with a fever and a stiff neck, or a rash;
  - follows a blow to the head.

See a clinician soon if:
  - headaches are new and you are over 50;
  - your usual pattern changes, or headaches keep getting worse or more frequent;
  - headaches wake you from sleep, or get worse when you cough, strain or lie down;
  - you are pregnant or have recently given birth, or have cancer or a weakened immune
    system, and get a new headache;
  - you take painkillers for headaches on more than about 10 days a month (they can
    themselves cause headaches).

hunch is not a medical device. It prompts habits and keeps a diary; it does not diagnose
or treat anything.
";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clinician_text_names_the_warning_signs() {
        let t = WHEN_TO_SEE_A_CLINICIAN
            .to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        for sign in [
            "suddenly",
            "worst you have ever had",
            "weakness",
            "numbness",
            "loss of vision",
            "confusion",
            "trouble speaking",
            "fever",
            "stiff neck",
            "blow to the head",
            "over 50",
            "pattern changes",
            "getting worse",
            "wake you",
            "not a medical device",
        ] {
            assert!(t.contains(sign), "missing {sign:?}");
        }
        assert!(NOT_A_MEDICAL_DEVICE.contains("not a medical device"));
        assert!(WHEN_TO_SEE_A_CLINICIAN.contains(NOT_A_MEDICAL_DEVICE.split(". ").next().unwrap()));
        // Fits a terminal: no line longer than 88 characters.
        for line in WHEN_TO_SEE_A_CLINICIAN.lines() {
            assert!(line.chars().count() <= 88, "{line}");
        }
    }
}

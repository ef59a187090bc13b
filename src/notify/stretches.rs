//! The prompt catalogue: one specific, short thing to do per alert, rotated so the same
//! one does not come every time (adherence to prescribed stretches is the bottleneck:
//! people do only a quarter to two-fifths of them). Texts are ours, drawn from the facts
//! in the project's posture notes (chin tucks and shoulder retraction 3 × 12, static
//! stretches held 20–30 s, ACSM's 10–30 s holds).
//!
//! Two kinds of prompt share the catalogue ([`PromptKind`]): **stretches** (the default)
//! and at-home **self-massage** for the same muscles (upper trapezius, levator scapulae,
//! suboccipitals, pectorals), which a user can opt into. The self-massage items are
//! deliberately conservative: sustained, comfortable pressure (tender, not painful) held
//! 30–60 s on a spot, on muscle only, with a hand or a tennis ball against a wall or the
//! floor; each one carries its caution. There is no self-massage for the
//! sternocleidomastoid: it runs beside the carotid artery on the side and front of the
//! neck, which is no place for home pressure, so only its gentle stretch is offered.
//! The general rule (`SELF_MASSAGE_SAFETY`, in the tests) is what the README says, and
//! every self-massage item's caution is checked against it.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// What kind of prompt a catalogue item is. Spelled `stretch` and `self-massage` in
/// config files (serde) and on the command line ([`FromStr`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PromptKind {
    Stretch,
    SelfMassage,
}

impl PromptKind {
    pub const ALL: [PromptKind; 2] = [PromptKind::Stretch, PromptKind::SelfMassage];

    pub fn as_str(self) -> &'static str {
        match self {
            PromptKind::Stretch => "stretch",
            PromptKind::SelfMassage => "self-massage",
        }
    }
}

impl fmt::Display for PromptKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A prompt kind nobody has heard of.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown prompt kind {value:?}: use \"stretch\" or \"self-massage\"")]
pub struct UnknownPromptKind {
    pub value: String,
}

/// `stretch` or `self-massage`, case-insensitive, surrounding spaces ignored.
impl FromStr for PromptKind {
    type Err = UnknownPromptKind;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        PromptKind::ALL
            .into_iter()
            .find(|k| k.as_str().eq_ignore_ascii_case(t))
            .ok_or_else(|| UnknownPromptKind {
                value: s.to_string(),
            })
    }
}

/// The kinds prompted when nothing else is configured: stretches only.
pub const DEFAULT_KINDS: [PromptKind; 1] = [PromptKind::Stretch];

/// The general safety rule for self-massage, as the README gives it (each catalogue item
/// also has its own caution, checked against this).
#[cfg(test)]
const SELF_MASSAGE_SAFETY: &str = "Self-massage: use firm but comfortable pressure \
(tender is fine, pain is not), on muscle only: never on bone, the spine, or the front and \
sides of the neck. Stop if you feel numbness, tingling, dizziness or sharp pain, or if a \
headache gets worse. Skip it over a recent injury, swelling or broken skin, and ask a \
clinician first if you take blood thinners, have osteoporosis or have had neck surgery.";

/// One catalogue item: a stretch or a self-massage (see [`PromptKind`]). The name stays
/// `Stretch` because that is what most of them are and what the notifier calls them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stretch {
    pub id: &'static str,
    pub name: &'static str,
    /// What goes before the name in a sentence ("Try an upper-trapezius stretch"): "a ",
    /// "an ", or nothing for plurals and activities ("Try chin tucks").
    pub article: &'static str,
    /// The muscles it targets, for the curious.
    pub targets: &'static str,
    /// What to do, in one to three short sentences.
    pub steps: &'static str,
    /// Hold and repetitions (or, for self-massage, time per spot).
    pub dose: &'static str,
    /// A caution, where one is due (always, for self-massage).
    pub caution: Option<&'static str>,
    pub kind: PromptKind,
}

/// Another name for a catalogue item, for code that prompts either kind.
pub type Prompt = Stretch;

pub const CATALOGUE: [Stretch; 13] = [
    Stretch {
        id: "chin_tuck",
        name: "Chin tucks",
        article: "",
        targets: "deep neck flexors",
        steps: "Eyes level, glide your chin straight back as if making a double chin. Release slowly.",
        dose: "hold 5 s, 10 times",
        caution: None,
        kind: PromptKind::Stretch,
    },
    Stretch {
        id: "upper_trapezius",
        name: "Upper-trapezius stretch",
        article: "an ",
        targets: "upper trapezius",
        steps: "Tip your ear toward one shoulder while the other shoulder stays down. Switch sides.",
        dose: "hold 20–30 s each side",
        caution: None,
        kind: PromptKind::Stretch,
    },
    Stretch {
        id: "trapezius_knead",
        name: "Shoulder-top kneading",
        article: "",
        targets: "upper trapezius",
        steps: "Reach across to the top of the other shoulder and squeeze the muscle between neck and shoulder tip; hold, or knead slowly, as you breathe out. Switch sides.",
        dose: "30–60 s each side",
        caution: Some("Firm but comfortable, on the muscle and off the neck. Stop if the arm tingles or goes numb."),
        kind: PromptKind::SelfMassage,
    },
    Stretch {
        id: "levator_scapulae",
        name: "Levator scapulae stretch",
        article: "a ",
        targets: "levator scapulae",
        steps: "Turn your head 45° toward one armpit and look down; a hand on the back of the head may help gently. Switch sides.",
        dose: "hold 20–30 s each side",
        caution: None,
        kind: PromptKind::Stretch,
    },
    Stretch {
        id: "levator_ball",
        name: "Levator scapulae ball release",
        article: "a ",
        targets: "levator scapulae (neck to the upper inner corner of the shoulder blade)",
        steps: "Back to a wall, put a tennis ball just above the upper inner corner of a shoulder blade. Lean in gently and hold; turning your head slightly away adds a stretch. Switch sides.",
        dose: "30–60 s each side",
        caution: Some("Keep it off the spine and the blade's bony corner. Stop if the arm tingles or goes numb, or you feel dizzy."),
        kind: PromptKind::SelfMassage,
    },
    Stretch {
        id: "suboccipital_release",
        name: "Suboccipital release",
        article: "a ",
        targets: "suboccipital muscles at the base of the skull",
        steps: "Do a chin tuck, then add a small nod; or rest your fingertips under the skull's base and breathe slowly.",
        dose: "30–60 s",
        caution: None,
        kind: PromptKind::Stretch,
    },
    Stretch {
        id: "suboccipital_balls",
        name: "Suboccipital release on two balls",
        article: "a ",
        targets: "suboccipital muscles at the base of the skull",
        steps: "Knot two tennis balls in a sock. Lie on your back with them under the base of your skull, one each side of the spine, and let your head rest on them; breathe slowly.",
        dose: "1–2 min",
        caution: Some("On the soft muscle below the skull's ridge, never on the neck bones or the front or sides of the neck. Stop if you feel dizzy, numb or tingly, or the headache worsens."),
        kind: PromptKind::SelfMassage,
    },
    Stretch {
        id: "sternocleidomastoid",
        name: "Sternocleidomastoid stretch",
        article: "a ",
        targets: "sternocleidomastoid",
        steps: "Lift your chin slightly and turn your head away from the side you stretch, gently. Switch sides.",
        dose: "hold 20–30 s each side",
        caution: Some("Skip it if you get dizzy."),
        kind: PromptKind::Stretch,
    },
    Stretch {
        id: "doorway_pectoral",
        name: "Doorway stretch",
        article: "a ",
        targets: "pectorals (the chest muscles that pull you forward)",
        steps: "Forearms on a door frame at shoulder height, step through until your chest opens.",
        dose: "hold 20–30 s",
        caution: None,
        kind: PromptKind::Stretch,
    },
    Stretch {
        id: "pectoral_ball",
        name: "Chest ball release",
        article: "a ",
        targets: "pectorals (the chest muscles that pull you forward)",
        steps: "Face a wall with a tennis ball between it and the front of your shoulder, below the collarbone. Lean in gently and hold on a tender spot, breathing slowly. Switch sides.",
        dose: "30–60 s each side",
        caution: Some("Keep it off the collarbone, out of the armpit and away from breast tissue. Stop if the arm tingles or goes numb."),
        kind: PromptKind::SelfMassage,
    },
    Stretch {
        id: "shoulder_blade_squeeze",
        name: "Shoulder-blade squeeze",
        article: "a ",
        targets: "scapular retractors",
        steps: "Draw your shoulder blades back and down, as if into your back pockets.",
        dose: "hold 5 s, 10 times",
        caution: None,
        kind: PromptKind::Stretch,
    },
    Stretch {
        id: "trapezius_ball",
        name: "Upper-trapezius ball release",
        article: "an ",
        targets: "upper trapezius",
        steps: "Back to a wall, put a tennis ball on the top of your upper back, above the shoulder blade. Lean in gently and hold on a tender spot, breathing slowly. Switch sides.",
        dose: "30–60 s per spot",
        caution: Some("Tender, not painful; keep it off the spine, bone and neck. Stop if the arm tingles or goes numb."),
        kind: PromptKind::SelfMassage,
    },
    Stretch {
        id: "shoulder_rolls",
        name: "Shoulder rolls",
        article: "",
        targets: "neck and shoulders as a whole",
        steps: "Roll your shoulders slowly up, back and down.",
        dose: "10 slow circles backwards",
        caution: None,
        kind: PromptKind::Stretch,
    },
];

/// The stretch after `previous` in the rotation of stretches (the first when there is
/// none or it is unknown). Self-massage items are skipped: this is
/// `next_after_among(previous, &DEFAULT_KINDS)`.
#[cfg(test)]
fn next_after(previous: Option<&str>) -> &'static Stretch {
    next_after_among(previous, &DEFAULT_KINDS)
}

/// The next item after `previous` whose kind is in `kinds`, in catalogue order, wrapping
/// around: every allowed item comes once before any repeats. Starts at the first allowed
/// item when `previous` is `None` or unknown; a `previous` of a kind no longer allowed
/// still marks the place in the catalogue. An empty `kinds` means [`DEFAULT_KINDS`].
pub fn next_after_among(previous: Option<&str>, kinds: &[PromptKind]) -> &'static Stretch {
    let kinds = if kinds.is_empty() {
        &DEFAULT_KINDS[..]
    } else {
        kinds
    };
    let start = previous
        .and_then(|id| CATALOGUE.iter().position(|s| s.id == id))
        .map_or(0, |i| i + 1);
    (0..CATALOGUE.len())
        .map(|k| &CATALOGUE[(start + k) % CATALOGUE.len()])
        .find(|s| kinds.contains(&s.kind))
        // Every kind has items (a test checks), so this is never reached.
        .unwrap_or(&CATALOGUE[0])
}

/// The catalogue items of one kind, in catalogue order.
#[cfg(test)]
fn of_kind(kind: PromptKind) -> impl Iterator<Item = &'static Stretch> {
    CATALOGUE.iter().filter(move |s| s.kind == kind)
}

pub fn by_id(id: &str) -> Option<&'static Stretch> {
    CATALOGUE.iter().find(|s| s.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Follows the rotation for `n` steps from nothing.
    fn rotation(kinds: &[PromptKind], n: usize) -> Vec<&'static str> {
        let mut prev: Option<&str> = None;
        (0..n)
            .map(|_| {
                let s = next_after_among(prev, kinds);
                prev = Some(s.id);
                s.id
            })
            .collect()
    }

    #[test]
    fn rotation_visits_every_stretch_before_repeating() {
        let stretches: Vec<&str> = of_kind(PromptKind::Stretch).map(|s| s.id).collect();
        assert_eq!(stretches.len(), 8);
        let mut seen = Vec::new();
        let mut prev: Option<&str> = None;
        for _ in 0..stretches.len() {
            let s = next_after(prev);
            assert_eq!(s.kind, PromptKind::Stretch, "{}", s.id);
            assert!(!seen.contains(&s.id), "{} repeated", s.id);
            seen.push(s.id);
            prev = Some(s.id);
        }
        // The same order as before self-massage joined the catalogue.
        assert_eq!(
            seen,
            [
                "chin_tuck",
                "upper_trapezius",
                "levator_scapulae",
                "suboccipital_release",
                "sternocleidomastoid",
                "doorway_pectoral",
                "shoulder_blade_squeeze",
                "shoulder_rolls"
            ]
        );
        assert_eq!(next_after(prev).id, CATALOGUE[0].id);
        assert_eq!(next_after(Some("unknown")).id, CATALOGUE[0].id);
        // A self-massage last time: the next stretch after its place.
        assert_eq!(next_after(Some("trapezius_knead")).id, "levator_scapulae");
    }

    #[test]
    fn every_item_is_complete() {
        let mut ids = std::collections::HashSet::new();
        for s in &CATALOGUE {
            assert!(ids.insert(s.id), "duplicate id {}", s.id);
            assert!(
                !s.name.trim().is_empty()
                    && !s.steps.trim().is_empty()
                    && !s.dose.trim().is_empty()
                    && !s.targets.trim().is_empty(),
                "{}",
                s.id
            );
            assert!(s.steps.ends_with('.'), "{}", s.id);
            // Short enough for a notification body (about five lines).
            let len = s.steps.chars().count()
                + s.dose.chars().count()
                + s.caution.map_or(0, |c| c.chars().count());
            assert!(len <= 340, "{}: {len} characters", s.id);
            assert_eq!(by_id(s.id), Some(s));
        }
    }

    #[test]
    fn self_massage_items_carry_cautions_and_stay_off_the_neck_front() {
        let items: Vec<&Stretch> = of_kind(PromptKind::SelfMassage).collect();
        assert!(items.len() >= 4, "{}", items.len());
        for s in &items {
            let c = s.caution.unwrap_or("");
            assert!(c.contains("Stop if"), "{}: {c}", s.id);
            assert!(
                c.contains("off the") || c.contains("not on") || c.contains("never on"),
                "{}: {c}",
                s.id
            );
            // Self-massage is held for a time per spot or per side.
            assert!(s.dose.contains(" s") || s.dose.contains("min"), "{}", s.id);
            assert!(!s.id.contains("sternocleidomastoid"), "{}", s.id);
        }
        // The same muscles the stretches target.
        for muscle in ["trapezius", "levator", "suboccipital", "pectoral"] {
            assert!(
                items.iter().any(|s| s.targets.contains(muscle)),
                "no self-massage for {muscle}"
            );
        }
        for w in ["numbness", "tingling", "dizziness", "front", "bone"] {
            assert!(SELF_MASSAGE_SAFETY.contains(w), "{w}");
        }
    }

    #[test]
    fn kinds_filter_the_rotation() {
        let only_massage = rotation(&[PromptKind::SelfMassage], 10);
        assert!(only_massage
            .iter()
            .all(|id| by_id(id).is_some_and(|s| s.kind == PromptKind::SelfMassage)));
        let only_stretch = rotation(&[PromptKind::Stretch], 10);
        assert!(only_stretch
            .iter()
            .all(|id| by_id(id).is_some_and(|s| s.kind == PromptKind::Stretch)));
        assert_eq!(rotation(&[], 8), rotation(&DEFAULT_KINDS, 8));
        assert_eq!(
            next_after_among(Some("chin_tuck"), &[PromptKind::SelfMassage]).id,
            "trapezius_knead"
        );
    }

    #[test]
    fn rotation_covers_every_allowed_item_before_repeating() {
        for kinds in [
            &[PromptKind::Stretch][..],
            &[PromptKind::SelfMassage][..],
            &[PromptKind::Stretch, PromptKind::SelfMassage][..],
            &[PromptKind::SelfMassage, PromptKind::Stretch][..],
        ] {
            let allowed: Vec<&str> = CATALOGUE
                .iter()
                .filter(|s| kinds.contains(&s.kind))
                .map(|s| s.id)
                .collect();
            let n = allowed.len();
            let got = rotation(kinds, 2 * n);
            let mut first: Vec<&str> = got[..n].to_vec();
            first.sort_unstable();
            let mut want = allowed.clone();
            want.sort_unstable();
            assert_eq!(first, want, "{kinds:?}");
            assert_eq!(got[..n], got[n..], "{kinds:?}: the cycle repeats in order");
        }
        assert_eq!(
            rotation(&[PromptKind::Stretch, PromptKind::SelfMassage], 13).len(),
            CATALOGUE.len()
        );
    }

    #[test]
    fn prompt_kinds_parse_and_serialise() {
        assert_eq!("stretch".parse(), Ok(PromptKind::Stretch));
        assert_eq!(" Self-Massage ".parse(), Ok(PromptKind::SelfMassage));
        let e = "massage".parse::<PromptKind>().unwrap_err().to_string();
        assert!(
            e.contains("\"massage\"") && e.contains("self-massage"),
            "{e}"
        );
        for k in PromptKind::ALL {
            assert_eq!(k.to_string().parse(), Ok(k));
        }
        #[derive(Deserialize, Serialize, Debug, PartialEq)]
        struct Prompts {
            kinds: Vec<PromptKind>,
        }
        let p: Prompts = toml::from_str(r#"kinds = ["stretch", "self-massage"]"#).unwrap();
        assert_eq!(p.kinds, [PromptKind::Stretch, PromptKind::SelfMassage]);
        assert_eq!(
            toml::to_string(&p).unwrap().trim(),
            r#"kinds = ["stretch", "self-massage"]"#
        );
        assert!(toml::from_str::<Prompts>(r#"kinds = ["self_massage"]"#).is_err());
    }
}

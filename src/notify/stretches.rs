//! The stretch catalogue: one specific, short movement per alert, rotated so the same one
//! does not come every time (adherence to prescribed stretches is the bottleneck: people
//! do only a quarter to two-fifths of them). Texts are ours, drawn from the facts in the
//! project's posture notes (chin tucks and shoulder retraction 3 × 12, static stretches
//! held 20–30 s, ACSM's 10–30 s holds).

/// A stretch a notification can prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stretch {
    pub id: &'static str,
    pub name: &'static str,
    /// The muscles it targets, for the curious.
    pub targets: &'static str,
    /// What to do, in one or two short sentences.
    pub steps: &'static str,
    /// Hold and repetitions.
    pub dose: &'static str,
    /// A caution, where one is due.
    pub caution: Option<&'static str>,
}

pub const CATALOGUE: [Stretch; 8] = [
    Stretch {
        id: "chin_tuck",
        name: "Chin tucks",
        targets: "deep neck flexors",
        steps: "Eyes level, glide your chin straight back as if making a double chin. Release slowly.",
        dose: "hold 5 s, 10 times",
        caution: None,
    },
    Stretch {
        id: "upper_trapezius",
        name: "Upper-trapezius stretch",
        targets: "upper trapezius",
        steps: "Tip your ear toward one shoulder while the other shoulder stays down. Switch sides.",
        dose: "hold 20–30 s each side",
        caution: None,
    },
    Stretch {
        id: "levator_scapulae",
        name: "Levator scapulae stretch",
        targets: "levator scapulae",
        steps: "Turn your head 45° toward one armpit and look down; a hand on the back of the head may help gently. Switch sides.",
        dose: "hold 20–30 s each side",
        caution: None,
    },
    Stretch {
        id: "suboccipital_release",
        name: "Suboccipital release",
        targets: "suboccipital muscles at the base of the skull",
        steps: "Do a chin tuck, then add a small nod; or rest your fingertips under the skull's base and breathe slowly.",
        dose: "30–60 s",
        caution: None,
    },
    Stretch {
        id: "sternocleidomastoid",
        name: "Sternocleidomastoid stretch",
        targets: "sternocleidomastoid",
        steps: "Lift your chin slightly and turn your head away from the side you stretch, gently. Switch sides.",
        dose: "hold 20–30 s each side",
        caution: Some("Skip it if you get dizzy."),
    },
    Stretch {
        id: "doorway_pectoral",
        name: "Doorway stretch",
        targets: "pectorals (the chest muscles that pull you forward)",
        steps: "Forearms on a door frame at shoulder height, step through until your chest opens.",
        dose: "hold 20–30 s",
        caution: None,
    },
    Stretch {
        id: "shoulder_blade_squeeze",
        name: "Shoulder-blade squeeze",
        targets: "scapular retractors",
        steps: "Draw your shoulder blades back and down, as if into your back pockets.",
        dose: "hold 5 s, 10 times",
        caution: None,
    },
    Stretch {
        id: "shoulder_rolls",
        name: "Shoulder rolls",
        targets: "neck and shoulders as a whole",
        steps: "Roll your shoulders slowly up, back and down.",
        dose: "10 slow circles backwards",
        caution: None,
    },
];

/// The stretch after `previous` in the rotation (the first when there is none).
pub fn next_after(previous: Option<&str>) -> &'static Stretch {
    let i = previous
        .and_then(|id| CATALOGUE.iter().position(|s| s.id == id))
        .map_or(0, |i| (i + 1) % CATALOGUE.len());
    &CATALOGUE[i]
}

pub fn by_id(id: &str) -> Option<&'static Stretch> {
    CATALOGUE.iter().find(|s| s.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotation_visits_every_stretch_before_repeating() {
        let mut seen = Vec::new();
        let mut prev: Option<&str> = None;
        for _ in 0..CATALOGUE.len() {
            let s = next_after(prev);
            assert!(!seen.contains(&s.id), "{} repeated", s.id);
            seen.push(s.id);
            prev = Some(s.id);
        }
        assert_eq!(next_after(prev).id, CATALOGUE[0].id);
        assert_eq!(next_after(Some("unknown")).id, CATALOGUE[0].id);
    }

    #[test]
    fn every_stretch_is_complete() {
        for s in &CATALOGUE {
            assert!(
                !s.steps.is_empty() && !s.dose.is_empty() && !s.targets.is_empty(),
                "{}",
                s.id
            );
        }
    }
}

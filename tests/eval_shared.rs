//! `hunch eval` on the labelled recordings in ../shared/data: a regression guard at the
//! figures measured when the posture model was written (see the README's evaluation
//! section), not a tuned pass mark.

use std::path::Path;
use std::process::Command;

#[test]
fn slouchingornot_precision_and_recall_do_not_regress() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let manifest = root.join("eval/slouchingornot-via-posenet.csv");
    assert!(
        root.join("../shared/data/slouchingornot-via-posenet")
            .is_dir(),
        "the labelled set is expected in ../shared/data beside the checkout"
    );
    for (mode, min_recall) in [("video", 0.75), ("image", 0.85)] {
        let o = Command::new(env!("CARGO_BIN_EXE_hunch"))
            .args(["eval", "--json", "--mode", mode])
            .arg(&manifest)
            .env(
                "XDG_CONFIG_HOME",
                std::env::temp_dir().join("hunch-eval-shared-noconfig"),
            )
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!(v["frames"]["upright"], 32);
        assert_eq!(v["frames"]["hunched"], 33);
        let p = v["scores"]["precision"].as_f64().unwrap();
        let r = v["scores"]["recall"].as_f64().unwrap();
        eprintln!("{mode}: precision {p:.2}, recall {r:.2}");
        assert!(p >= 0.9, "{mode}: precision {p}");
        assert!(r >= min_recall, "{mode}: recall {r}");
    }
}

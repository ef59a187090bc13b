//! The user's settings: `$XDG_CONFIG_HOME/hunch/config.toml`, every key optional, every
//! value checked with a message that names it.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::camera::CameraParams;
use crate::policy::PolicyParams;
use crate::posture::{FilterParams, ModelParams};
use crate::vocab::{BadSetting, Limit};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The neck-forward angle model.
    pub posture: ModelParams,
    /// Smoothing, thresholds, sustain and absence.
    pub filter: FilterParams,
    /// When to alert: episode age, cooldown, snooze length.
    pub policy: PolicyParams,
    /// Which camera, how often, and when to release it.
    pub camera: CameraParams,
    /// How long the journal keeps its numbers.
    pub journal: JournalParams,
    /// What `hunch report` measures days against.
    pub report: ReportParams,
    /// Which kinds of self-care an alert suggests.
    pub prompts: PromptParams,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PromptParams {
    /// `"stretch"` and/or `"self-massage"`; alerts rotate through the catalogue's items of
    /// these kinds.
    pub kinds: Vec<crate::notify::stretches::PromptKind>,
}

impl Default for PromptParams {
    fn default() -> Self {
        Self {
            kinds: crate::notify::stretches::DEFAULT_KINDS.to_vec(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ReportParams {
    /// A good day has less than this share of monitored time hunched.
    pub goal_hunched_share: f64,
}

impl Default for ReportParams {
    fn default() -> Self {
        Self {
            goal_hunched_share: 0.2,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JournalParams {
    /// Samples and events older than this are deleted when the monitor starts.
    pub retention_days: u32,
}

impl Default for JournalParams {
    fn default() -> Self {
        Self {
            retention_days: 365,
        }
    }
}

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config {path}: {reason}")]
    Syntax { path: PathBuf, reason: String },
    // Not `source`: the message already says all of it, and a chained source would be
    // printed a second time after it.
    #[error("config {path}: [{section}] {bad}")]
    Invalid {
        path: PathBuf,
        section: &'static str,
        bad: BadSetting,
    },
}

impl Config {
    pub fn default_path() -> Option<PathBuf> {
        crate::support::paths::config_dir().map(|d| d.join("config.toml"))
    }

    /// Loads `path`; a missing file means all defaults.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.into(),
                    source,
                })
            }
        };
        let cfg: Config = toml::from_str(&text).map_err(|e| ConfigError::Syntax {
            path: path.into(),
            reason: e.to_string().trim().replace('\n', " "),
        })?;
        cfg.validate()
            .map_err(|(section, bad)| ConfigError::Invalid {
                path: path.into(),
                section,
                bad,
            })?;
        Ok(cfg)
    }

    /// Every numeric setting with the range accepted for it, given the others.
    pub fn limits(&self) -> Vec<Limit> {
        let sections: [(&'static str, Vec<Limit>); 6] = [
            ("camera", self.camera.limits()),
            (
                "filter",
                self.filter.limits_at(self.camera.interval_seconds),
            ),
            ("policy", self.policy.limits()),
            (
                "journal",
                vec![Limit::new(
                    "retention_days",
                    self.journal.retention_days as f64,
                    1.0..=36_500.0,
                )],
            ),
            (
                "report",
                vec![Limit::new(
                    "goal_hunched_share",
                    self.report.goal_hunched_share,
                    0.01..=0.99,
                )],
            ),
            ("posture", self.posture.limits()),
        ];
        sections
            .into_iter()
            .flat_map(|(section, limits)| limits.into_iter().map(move |l| Limit { section, ..l }))
            .collect()
    }

    /// Checks every value; the error names the section and key.
    pub fn validate(&self) -> Result<(), (&'static str, BadSetting)> {
        for l in self.limits() {
            l.check().map_err(|e| (l.section, e))?;
        }
        if self.prompts.kinds.is_empty() {
            return Err((
                "prompts",
                BadSetting::new(
                    "kinds",
                    "must name at least one of \"stretch\", \"self-massage\"",
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_file_is_defaults_and_bad_values_name_the_key() {
        let dir = std::env::temp_dir().join(format!("hunch-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(
            Config::load(&dir.join("none.toml")).unwrap(),
            Config::default()
        );
        let p = dir.join("config.toml");
        std::fs::write(&p, "[filter]\nenter_deg = 3.0\n").unwrap();
        let e = Config::load(&p).unwrap_err().to_string();
        assert!(e.contains("[filter] exit_deg"), "{e}");
        std::fs::write(&p, "[filter]\nenter_deeg = 3.0\n").unwrap();
        let e = Config::load(&p).unwrap_err().to_string();
        assert!(e.contains("enter_deeg"), "{e}");
        std::fs::write(&p, "[policy]\ncooldown_seconds = -1\n").unwrap();
        let e = Config::load(&p).unwrap_err().to_string();
        assert!(e.contains("[policy] cooldown_seconds"), "{e}");
        std::fs::write(&p, "[camera]\ninterval_seconds = 0.01\n").unwrap();
        let e = Config::load(&p).unwrap_err().to_string();
        assert!(e.contains("[camera] interval_seconds"), "{e}");
        // A median window too short to ever hold the readings hunching starts on: it used
        // to be accepted, and then nothing was ever classified hunched.
        std::fs::write(&p, "[filter]\nsmooth_seconds = 1\n").unwrap();
        let e = Config::load(&p).unwrap_err().to_string();
        assert!(
            e.contains("[filter] smooth_seconds (1) must be between 3"),
            "{e}"
        );
        std::fs::write(&p, "[camera]\ninterval_seconds = 2\n").unwrap();
        let e = Config::load(&p).unwrap_err().to_string();
        assert!(
            e.contains("[filter] smooth_seconds (5) must be between 6"),
            "{e}"
        );
        std::fs::write(&p, "[journal]\nretention_days = 0\n").unwrap();
        let e = Config::load(&p).unwrap_err().to_string();
        assert!(e.contains("[journal] retention_days"), "{e}");
        std::fs::write(
            &p,
            "[policy]\ncooldown_seconds = 60\n[posture]\nworld_weight = 0.5\n",
        )
        .unwrap();
        std::fs::write(&p, "[prompts]\nkinds = []\n").unwrap();
        let e = Config::load(&p).unwrap_err().to_string();
        assert!(e.contains("[prompts] kinds"), "{e}");
        std::fs::write(&p, "[prompts]\nkinds = [\"yoga\"]\n").unwrap();
        let e = Config::load(&p).unwrap_err().to_string();
        assert!(e.contains("yoga"), "{e}");
        std::fs::write(&p, "[prompts]\nkinds = [\"stretch\", \"self-massage\"]\n").unwrap();
        assert_eq!(Config::load(&p).unwrap().prompts.kinds.len(), 2);
        std::fs::write(
            &p,
            "[policy]\ncooldown_seconds = 60\n[posture]\nworld_weight = 0.5\n",
        )
        .unwrap();
        let c = Config::load(&p).unwrap();
        assert_eq!(c.policy.cooldown_seconds, 60.0);
        assert_eq!(c.posture.world_weight, 0.5);
        assert_eq!(c.filter, FilterParams::default());
    }
}

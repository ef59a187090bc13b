//! Creating ONNX Runtime sessions for the pose models, once, with deliberate settings.

use std::path::Path;

use ort::session::{builder::GraphOptimizationLevel, Session};

use super::PoseError;

/// How ONNX Runtime runs the models.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionOptions {
    /// Intra-op threads. 1 runs on the caller's thread with no pool at all: the right
    /// choice for a background monitor sampling once a second. 2 lowers latency for
    /// interactive use at the cost of a second busy core during inference.
    pub threads: usize,
}

impl Default for SessionOptions {
    fn default() -> Self {
        Self { threads: 1 }
    }
}

/// Loads `path` and checks that it has the named inputs and outputs, so that a wrong or
/// truncated file fails here with its path rather than later with a shape error.
pub fn load(
    env: &ort::environment::Environment,
    path: &Path,
    opts: SessionOptions,
    inputs: &[&str],
    outputs: &[&str],
) -> Result<Session, PoseError> {
    let fail = |reason: String| PoseError::Model {
        path: path.to_path_buf(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    let session = Session::builder(env)
        .map_err(|e| fail(e.to_string()))?
        // All graph optimisations: the models are static, so the one-off cost at load
        // (tens of ms) buys faster inference for the life of the process.
        .with_optimization_level(GraphOptimizationLevel::All)
        .and_then(|b| b.with_intra_threads(opts.threads.max(1)))
        .and_then(|b| b.with_inter_threads(1))
        // No busy-waiting between runs: we run at most a few frames a second.
        .and_then(|b| b.with_intra_op_spinning(false))
        .map_err(|e| fail(e.to_string()))?
        .commit_from_memory(&bytes)
        .map_err(|e| {
            fail(format!(
                "{} (the file may be corrupt or not an ONNX model; restore it from the hunch models directory)",
                e
            ))
        })?;
    for name in inputs {
        if !session.inputs().iter().any(|i| i.name() == *name) {
            return Err(fail(format!(
                "it has no input named `{name}`; is this the right model?"
            )));
        }
    }
    for name in outputs {
        if !session.outputs().iter().any(|o| o.name() == *name) {
            return Err(fail(format!(
                "it has no output named `{name}`; is this the right model?"
            )));
        }
    }
    Ok(session)
}

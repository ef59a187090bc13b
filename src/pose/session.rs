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
    input: (&str, [i64; 4]),
    outputs: &[&str],
) -> Result<Session, PoseError> {
    let fail = |reason: String| PoseError::Model {
        path: path.to_path_buf(),
        reason,
    };
    let bytes = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
    let step = |r: ort::session::builder::BuilderResult| r.map_err(|e| fail(e.to_string()));
    let builder = Session::builder(env).map_err(|e| fail(e.to_string()))?;
    // All graph optimisations: the models are static, so the one-off cost at load
    // (tens of ms) buys faster inference for the life of the process.
    let builder = step(builder.with_optimization_level(GraphOptimizationLevel::All))?;
    let builder = step(builder.with_intra_threads(opts.threads.max(1)))?;
    let builder = step(builder.with_inter_threads(1))?;
    // No busy-waiting. With one thread there is no pool anyway. With two, spinning made
    // the landmark model alone faster (lite 12.6 → 9.4 ms) but the single-image path
    // slower (~19 → ~30 ms): the detector's and the landmark model's pools, each spinning,
    // fought over two cores. Sampling once a second, we want neither fight nor spin.
    // The memory arena stays on. Tried without it (and without memory patterns and
    // prepacked weights): a short `hunch run` peaked lower (117 → 104 MB), but over
    // 10 minutes at 1 sample/s system time rose 7× (0.3 → 2.3 s) and the peak was no
    // lower (122 MB): allocating and freeing every buffer each frame costs more than it saves.
    let mut builder = step(builder.with_intra_op_spinning(false))?;
    let session = builder
        .commit_from_memory(&bytes)
        .map_err(|e| {
            fail(format!(
                "{} (the file may be corrupt or not an ONNX model; restore it from the hunch models directory)",
                e
            ))
        })?;
    let (name, shape) = input;
    let found = session
        .inputs()
        .iter()
        .find(|i| i.name() == name)
        .and_then(|i| i.dtype().tensor_shape().map(|s| s.to_vec()));
    match found {
        None => {
            return Err(fail(format!(
                "it has no tensor input named `{name}`; is this the right model?"
            )))
        }
        Some(s) if s != shape => {
            return Err(fail(format!(
                "its input `{name}` has shape {s:?}, expected {shape:?}; is this the right model?"
            )))
        }
        Some(_) => {}
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

/// An ORT error as ours.
pub(super) fn inference(e: impl std::fmt::Display) -> PoseError {
    PoseError::Inference(e.to_string())
}

/// A named output as a flat slice of the expected length: a model that answers with
/// another shape is an error, not an out-of-bounds read.
pub(super) fn extract<'a>(
    outputs: &'a ort::session::SessionOutputs<'_>,
    name: &str,
    len: usize,
) -> Result<&'a [f32], PoseError> {
    let value = outputs
        .get(name)
        .ok_or_else(|| PoseError::Inference(format!("model output `{name}` missing")))?;
    let (_, data) = value.try_extract_tensor::<f32>().map_err(inference)?;
    if data.len() != len {
        return Err(PoseError::Inference(format!(
            "model output `{name}` has {} values, expected {len}",
            data.len()
        )));
    }
    Ok(data)
}

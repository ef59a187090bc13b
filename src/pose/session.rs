//! Creating ONNX Runtime sessions for the pose models, with deliberate settings, and
//! giving the memory a load used back afterwards.

use std::fs::File;
use std::path::{Path, PathBuf};

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

/// A model file, held open so that a session can be created from it again later (the
/// detector's is released while tracking) even if the path has since been replaced or
/// removed, as a package upgrade or uninstall does under a running monitor.
#[derive(Debug)]
pub(super) struct ModelFile {
    path: PathBuf,
    file: File,
}

impl ModelFile {
    pub(super) fn open(path: &Path) -> Result<Self, PoseError> {
        let file = File::open(path).map_err(|e| PoseError::Model {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        Ok(Self {
            path: path.to_path_buf(),
            file,
        })
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    /// The path ONNX Runtime should read: the open file itself where the system can name
    /// it (`/proc/self/fd/N` on Linux), else the original path.
    fn readable_path(&self) -> PathBuf {
        crate::platform::memory::open_file_path(&self.file).unwrap_or_else(|| self.path.clone())
    }
}

/// Loads a model and checks that it has the named inputs and outputs, so that a wrong or
/// truncated file fails here with its path rather than later with a shape error.
///
/// The session is built from the file, not from bytes read first: ONNX Runtime parses the
/// file itself, so the model is not held twice while the session is built, and the
/// memory the load used is given back to the system afterwards ([`release_free_memory`]).
/// Peak RSS is set here, at load, not per frame.
pub(super) fn load(
    env: &ort::environment::Environment,
    model: &ModelFile,
    opts: SessionOptions,
    input: (&str, [i64; 4]),
    outputs: &[&str],
) -> Result<Session, PoseError> {
    let path = model.path();
    let fail = |reason: String| PoseError::Model {
        path: path.to_path_buf(),
        reason,
    };
    let step = |r: ort::session::builder::BuilderResult| r.map_err(|e| fail(e.to_string()));
    let builder = Session::builder(env).map_err(|e| fail(e.to_string()))?;
    // All graph optimisations: the models are static, so the one-off cost at load
    // (tens of ms) buys faster inference for the life of the process. (Measured with
    // ONNX Runtime 1.31.1 on the full landmark model, one thread: `Extended` and `Basic`
    // take 2.5× as long as `All`, whose NCHWc layout suits MLAS's convolutions. The arena,
    // weight prepacking and flush-to-zero each changed the time by under 5%, within noise,
    // so they keep ONNX Runtime's defaults.)
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
    let builder = step(builder.with_intra_op_spinning(false))?;
    // No memory pattern: with it ONNX Runtime plans one block for all of a run's
    // intermediate tensors at their peak; without it they come from the arena one by one
    // and are reused. `hunch demo` peaked at 83.6 instead of 91.5 MB and held 64.9 instead
    // of 67.8 MB while tracking, with the same CPU time (bench `ort`: the same per run).
    let mut builder = step(builder.with_memory_pattern(false))?;
    let source = model.readable_path();
    let session = builder.commit_from_file(&source).map_err(|e| {
        // ONNX Runtime names the file it read; name the user's.
        let text = e
            .to_string()
            .replace(&source.display().to_string(), &path.display().to_string());
        fail(format!(
            "{text} (the file may be corrupt or not an ONNX model; restore it from the hunch models directory)"
        ))
    });
    // Whatever the load allocated and freed (the parsed protobuf, copies of the weights
    // before prepacking, graph optimisation scratch) goes back now, success or not.
    release_free_memory();
    let session = session?;
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

/// Returns the heap's free memory to the system after a load
/// ([`crate::platform::memory::release_free_memory`]).
pub(super) fn release_free_memory() {
    crate::platform::memory::release_free_memory();
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

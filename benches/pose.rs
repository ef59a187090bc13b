//! Per-frame cost of the pose engine, stage by stage and whole, all in one run so that the
//! ratios between them mean something on a shared machine:
//!
//! - `preprocess`: the warps (SSE2 and the scalar reference) and JPEG decoding;
//! - `mask`: one landmark inference with and without the segmentation output (needs the
//!   unstripped models: `HUNCH_BENCH_MASKED_MODELS`, default `../shared/models`);
//! - `ort`: ONNX Runtime's own call: plain `run` (hunch's settings) against the same with
//!   ONNX Runtime's memory pattern and against `IoBinding` with preallocated outputs;
//! - `posture`: features, angle and filter on one estimate;
//! - `threads_N`: detector, landmark models, the single-image path per image (detector +
//!   landmarks, as `hunch analyze` runs it), a tracked frame (landmarks only, as the monitor
//!   runs it), and both again from a JPEG file, decoding included (`jpeg_*`), which is what
//!   `scripts/bench-compare` sets beside MediaPipe's own PoseLandmarker.
//!
//! `HUNCH_BENCH_THREADS=1,2` adds the two-thread group (default: 1 only).

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use hunch::pose::models::{ModelPaths, ModelVariant};
use hunch::pose::{
    warp::{warp_into, warp_into_scalar, Border},
    Detector, Landmarker, PoseEngine, SessionOptions,
};

const IMAGES: [&str; 3] = ["astronaut.png", "camera.png", "webcam_like.png"];
/// JPEGs for the decode-included paths: a 640×480 webcam frame (the photo the fake camera
/// serves) and MediaPipe's own 1000×667 test photo.
const JPEGS: [&str; 2] = [
    "tests/fake_v4l2/webcam_like_640x480.jpg",
    "tests/fixtures/pose.jpg",
];

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn images() -> Vec<(&'static str, image::RgbImage)> {
    let dir = root().join("tests/fixtures");
    IMAGES
        .iter()
        .map(|n| {
            (
                *n,
                hunch::support::image_io::load_rgb(&dir.join(n)).expect("fixture"),
            )
        })
        .collect()
}

fn models_in(dir: &Path, variant: ModelVariant) -> ModelPaths {
    ModelPaths::in_dir(dir, variant).expect("models")
}

fn models(variant: ModelVariant) -> ModelPaths {
    models_in(&root().join("models"), variant)
}

fn masked_models_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("HUNCH_BENCH_MASKED_MODELS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/models"));
    dir.join(ModelVariant::Full.file_name())
        .is_file()
        .then_some(dir)
}

fn threads() -> Vec<usize> {
    std::env::var("HUNCH_BENCH_THREADS")
        .ok()
        .map(|v| v.split(',').filter_map(|t| t.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1])
}

fn bench(c: &mut Criterion) {
    let env = hunch::pose::runtime::init(None).expect("ONNX Runtime: run scripts/setup");
    let imgs = images();
    let webcam = &imgs[2].1;

    let mut g = c.benchmark_group("preprocess");
    let rect =
        hunch::pose::Roi::from_alignment([0.52, 0.9], [0.6, 0.27], 640, 480).to_pixels(640, 480);
    let (letterbox, _) = hunch::pose::roi::PixelRect::letterboxed(640, 480, 224, 224);
    let mut buf = vec![0f32; 256 * 256 * 3];
    g.bench_function("warp_256", |b| {
        b.iter(|| {
            warp_into(
                webcam,
                &rect,
                &mut buf,
                256,
                256,
                Border::Replicate,
                0.0,
                1.0,
            )
        })
    });
    g.bench_function("warp_256_scalar", |b| {
        b.iter(|| {
            warp_into_scalar(
                webcam,
                &rect,
                &mut buf,
                256,
                256,
                Border::Replicate,
                0.0,
                1.0,
            )
        })
    });
    let mut buf = vec![0f32; 224 * 224 * 3];
    g.bench_function("warp_224_letterbox", |b| {
        b.iter(|| {
            warp_into(
                webcam,
                &letterbox,
                &mut buf,
                224,
                224,
                Border::Zero,
                -1.0,
                1.0,
            )
        })
    });
    g.bench_function("warp_224_letterbox_scalar", |b| {
        b.iter(|| {
            warp_into_scalar(
                webcam,
                &letterbox,
                &mut buf,
                224,
                224,
                Border::Zero,
                -1.0,
                1.0,
            )
        })
    });
    let jpeg = root().join(JPEGS[0]);
    g.bench_function("jpeg_decode_640x480", |b| {
        b.iter(|| hunch::support::image_io::load_rgb(&jpeg).expect("jpeg"))
    });
    g.finish();

    let opts = SessionOptions::default();
    let full = models(ModelVariant::Full);
    let roi = PoseEngine::new(env, &full, opts)
        .expect("engine")
        .estimate(webcam)
        .expect("estimate")
        .roi
        .expect("roi");

    if let Some(dir) = masked_models_dir() {
        let mut g = c.benchmark_group("mask");
        for variant in [ModelVariant::Full, ModelVariant::Lite] {
            let name = variant.as_str();
            let mut with = Landmarker::new(env, &models_in(&dir, variant).landmark, opts)
                .expect("masked model");
            let mut without = Landmarker::new(env, &models(variant).landmark, opts).expect("model");
            g.bench_function(format!("landmark_{name}_with_mask"), |b| {
                b.iter(|| with.run(webcam, &roi).expect("landmarks"))
            });
            g.bench_function(format!("landmark_{name}"), |b| {
                b.iter(|| without.run(webcam, &roi).expect("landmarks"))
            });
        }
        g.finish();
    } else {
        eprintln!("mask: no unstripped models (set HUNCH_BENCH_MASKED_MODELS); skipped");
    }

    ort_call(c, env, &full.landmark);

    // The posture stage on a real estimate: features, angle, filter. Compare with
    // threads_1/track_full (the pose model per tracked frame) from the same run.
    let mut g = c.benchmark_group("posture");
    let mut engine = PoseEngine::new(env, &full, opts).expect("engine");
    let est = engine.estimate(webcam).expect("estimate");
    let features = hunch::posture::extract(&est).expect("features");
    let neutral = hunch::posture::Neutral::from_features(&[features]);
    let params = hunch::posture::ModelParams::default();
    let mut filter = hunch::posture::PostureFilter::new(hunch::posture::FilterParams::default());
    let mut t = 0.0;
    g.bench_function("features_angle_filter", |b| {
        b.iter(|| {
            t += 1.0;
            let (_, r) = hunch::posture::assess(&est, &neutral, &params).expect("assess");
            filter.push(t, hunch::posture::Sample::Measured(r))
        })
    });
    g.finish();

    for threads in threads() {
        let opts = SessionOptions { threads };
        let mut g = c.benchmark_group(format!("threads_{threads}"));
        let mut det = Detector::new(env, &full.detector, opts).expect("detector");
        g.bench_function("detector", |b| {
            b.iter(|| det.detect(webcam).expect("detect"))
        });

        for variant in [ModelVariant::Lite, ModelVariant::Full] {
            let name = variant.as_str();
            let paths = models(variant);
            let mut lm = Landmarker::new(env, &paths.landmark, opts).expect("landmarker");
            let mut engine = PoseEngine::new(env, &paths, opts).expect("engine");
            let roi = engine.estimate(webcam).expect("estimate").roi.expect("roi");
            g.bench_function(format!("landmark_{name}"), |b| {
                b.iter(|| lm.run(webcam, &roi).expect("landmarks"))
            });
            // The whole single-image path, per image, as `hunch analyze` runs it.
            for (img_name, img) in &imgs {
                g.bench_with_input(
                    BenchmarkId::new(format!("image_{name}"), img_name),
                    img,
                    |b, img| b.iter(|| engine.estimate(img).expect("estimate")),
                );
            }
            // Decoding included: read and decode the JPEG, then the whole path.
            for jpeg in JPEGS {
                let path = root().join(jpeg);
                let file = Path::new(jpeg).file_name().expect("name").to_string_lossy();
                g.bench_function(BenchmarkId::new(format!("jpeg_image_{name}"), file), |b| {
                    b.iter(|| {
                        let img = hunch::support::image_io::load_rgb(&path).expect("jpeg");
                        engine.estimate(&img).expect("estimate")
                    })
                });
            }
            // A tracked video frame, as the monitor runs it: no detector.
            engine.estimate(webcam).expect("estimate");
            g.bench_function(format!("track_{name}"), |b| {
                b.iter(|| engine.track(webcam).expect("track"))
            });
            let path = root().join(JPEGS[0]);
            engine.reset();
            g.bench_function(format!("jpeg_track_{name}"), |b| {
                b.iter(|| {
                    let img = hunch::support::image_io::load_rgb(&path).expect("jpeg");
                    engine.track(&img).expect("track")
                })
            });
        }
        g.finish();
    }
}

/// ONNX Runtime's call alone on the full landmark model: `Session::run` with a borrowed
/// input (what `Landmarker` does) against `run_binding` with input and outputs bound once
/// to preallocated tensors (no output allocation per call).
fn ort_call(c: &mut Criterion, env: &ort::environment::Environment, model: &Path) {
    use ort::session::{builder::GraphOptimizationLevel, Session};
    use ort::value::{Tensor, TensorRef};

    // The settings `hunch::pose` uses (see its session.rs), memory pattern aside.
    let open = |memory_pattern: bool| {
        let b = Session::builder(env).expect("builder");
        let b = b
            .with_optimization_level(GraphOptimizationLevel::All)
            .expect("level");
        let b = b.with_intra_threads(1).expect("threads");
        let b = b.with_inter_threads(1).expect("threads");
        let b = b.with_intra_op_spinning(false).expect("spinning");
        let mut b = b.with_memory_pattern(memory_pattern).expect("pattern");
        b.commit_from_file(model).expect("session")
    };
    let mut g = c.benchmark_group("ort");
    let input = ndarray::Array4::<f32>::from_elem((1, 256, 256, 3), 0.5);
    let mut with_pattern = open(true);
    g.bench_function("landmark_full_run_memory_pattern", |b| {
        b.iter(|| {
            let t = TensorRef::from_array_view(&input).expect("tensor");
            let out = with_pattern.run(ort::inputs!["input_1" => t]).expect("run");
            out.len()
        })
    });
    let mut plain = open(false);
    g.bench_function("landmark_full_run", |b| {
        b.iter(|| {
            let t = TensorRef::from_array_view(&input).expect("tensor");
            let out = plain.run(ort::inputs!["input_1" => t]).expect("run");
            out.len()
        })
    });
    let mut bound = open(false);
    let allocator = ort::memory::Allocator::default();
    let mut binding = bound.create_binding().expect("binding");
    let mut tensor = Tensor::<f32>::new(&allocator, [1usize, 256, 256, 3]).expect("input");
    tensor
        .extract_tensor_mut()
        .1
        .copy_from_slice(input.as_slice().expect("contiguous"));
    binding.bind_input("input_1", &tensor).expect("bind input");
    for (name, shape) in [
        ("Identity", vec![1usize, 195]),
        ("Identity_1", vec![1, 1]),
        ("Identity_3", vec![1, 64, 64, 39]),
        ("Identity_4", vec![1, 117]),
    ] {
        let out = Tensor::<f32>::new(&allocator, shape).expect("output");
        binding.bind_output(name, out).expect("bind output");
    }
    g.bench_function("landmark_full_run_binding", |b| {
        b.iter(|| bound.run_binding(&binding).expect("run").len())
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(30)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = bench
}
criterion_main!(benches);

//! Per-frame cost of the pose engine: detector, landmark models, and the whole path
//! (single image: detector + landmarks; tracked video frame: landmarks only), with ONNX
//! Runtime on 1 and 2 intra-op threads. `scripts/bench-compare` runs this next to
//! MediaPipe's own PoseLandmarker on the same images and prints the ratios.

use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion};
use hunch::models::{ModelPaths, ModelVariant};
use hunch::pose::{
    warp::{warp_into, Border},
    Detector, Landmarker, PoseEngine, SessionOptions,
};

const IMAGES: [&str; 3] = ["astronaut.png", "camera.png", "webcam_like.png"];

fn images() -> Vec<(&'static str, image::RgbImage)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    IMAGES
        .iter()
        .map(|n| {
            (
                *n,
                hunch::image_io::load_rgb(&dir.join(n)).expect("fixture"),
            )
        })
        .collect()
}

fn models(variant: ModelVariant) -> ModelPaths {
    ModelPaths::in_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("models"),
        variant,
    )
    .expect("models")
}

fn bench(c: &mut Criterion) {
    let env = hunch::runtime::init(None).expect("ONNX Runtime: run scripts/setup");
    let imgs = images();
    let webcam = &imgs[2].1;

    let mut g = c.benchmark_group("preprocess");
    let rect =
        hunch::pose::Roi::from_alignment([0.52, 0.9], [0.6, 0.27], 640, 480).to_pixels(640, 480);
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
    g.finish();

    // The posture stage on a real estimate: features, angle, filter. Compare with
    // threads_1/track_full (the pose model per tracked frame) from the same run.
    let mut g = c.benchmark_group("posture");
    let full = models(ModelVariant::Full);
    let mut engine = PoseEngine::new(env, &full, SessionOptions::default()).expect("engine");
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

    for threads in [1usize, 2] {
        let opts = SessionOptions { threads };
        let mut g = c.benchmark_group(format!("threads_{threads}"));
        let full = models(ModelVariant::Full);
        let mut det = Detector::new(env, &full.detector, opts).expect("detector");
        g.bench_function("detector", |b| {
            b.iter(|| det.detect(webcam).expect("detect"))
        });

        for variant in [ModelVariant::Lite, ModelVariant::Full] {
            let paths = models(variant);
            let mut lm = Landmarker::new(env, &paths.landmark, opts).expect("landmarker");
            let mut engine = PoseEngine::new(env, &paths, opts).expect("engine");
            let roi = engine.estimate(webcam).expect("estimate").roi.expect("roi");
            g.bench_function(format!("landmark_{}", variant.as_str()), |b| {
                b.iter(|| lm.run(webcam, &roi).expect("landmarks"))
            });
            // The whole single-image path, per image, as `hunch analyze` runs it.
            for (name, img) in &imgs {
                g.bench_with_input(
                    BenchmarkId::new(format!("image_{}", variant.as_str()), name),
                    img,
                    |b, img| b.iter(|| engine.estimate(img).expect("estimate")),
                );
            }
            // A tracked video frame, as the monitor runs it: no detector.
            engine.estimate(webcam).expect("estimate");
            g.bench_function(format!("track_{}", variant.as_str()), |b| {
                b.iter(|| engine.track(webcam).expect("track"))
            });
        }
        g.finish();
    }
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

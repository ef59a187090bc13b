"""Times MediaPipe's own Python PoseLandmarker on the JPEGs hunch's bench decodes.

    python bench_mediapipe.py TASK_DIR REPO_DIR OUT.json

TASK_DIR holds pose_landmarker_{lite,full}.task (built by scripts/bench-compare). Every
timed call reads and decodes the JPEG (mp.Image.create_from_file), as hunch's `jpeg_*`
benches do. For each model: IMAGE mode per image (detector + landmarks every call, like
`hunch analyze`) and VIDEO mode on the 640x480 webcam frame repeated (tracked: the detector
runs once, then landmarks only, like the monitor). Medians in milliseconds, keyed by the
names of the matching criterion benches in group threads_1.
"""
import json
import os
import statistics
import sys
import time

import mediapipe as mp
from mediapipe.tasks.python import BaseOptions, vision

# Must match JPEGS in benches/pose.rs.
JPEGS = ["tests/fake_v4l2/webcam_like_640x480.jpg", "tests/fixtures/pose.jpg"]
REPS = 60


def median_ms(fn, reps=REPS):
    for _ in range(5):
        fn()
    times = []
    for _ in range(reps):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def main(task_dir, repo, out):
    results = {}
    paths = {os.path.basename(j): os.path.join(repo, j) for j in JPEGS}
    for variant in ["full", "lite"]:
        model = f"{task_dir}/pose_landmarker_{variant}.task"
        image_mode = vision.PoseLandmarker.create_from_options(vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=model),
            running_mode=vision.RunningMode.IMAGE))
        for name, path in paths.items():
            def single(path=path):
                result = image_mode.detect(mp.Image.create_from_file(path))
                assert result.pose_landmarks, f"MediaPipe found nobody in {path}"
            results[f"jpeg_image_{variant}/{name}"] = median_ms(single)
        video = vision.PoseLandmarker.create_from_options(vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=model),
            running_mode=vision.RunningMode.VIDEO))
        ts = [0]
        webcam = paths["webcam_like_640x480.jpg"]

        def step():
            ts[0] += 1000  # one frame a second, as the monitor samples
            video.detect_for_video(mp.Image.create_from_file(webcam), ts[0])
        results[f"jpeg_track_{variant}"] = median_ms(step)
    with open(out, "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main(*sys.argv[1:])

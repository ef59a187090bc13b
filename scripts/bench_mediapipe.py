"""Times MediaPipe's own Python PoseLandmarker on hunch's reference images.

    python bench_mediapipe.py TASK_DIR FIXTURES_DIR OUT.json

TASK_DIR holds pose_landmarker_{lite,full}.task (built by scripts/bench-compare). For each
model: IMAGE mode per image (detector + landmarks every call, like `hunch analyze`) and
VIDEO mode on a repeated frame (tracked: landmarks only). Medians in milliseconds.
"""
import json
import statistics
import sys
import time

import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision
from PIL import Image

IMAGES = ["astronaut.png", "camera.png", "webcam_like.png"]
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


def main(task_dir, fixtures, out):
    results = {}
    imgs = {n: mp.Image(image_format=mp.ImageFormat.SRGB,
                        data=np.asarray(Image.open(f"{fixtures}/{n}").convert("RGB")))
            for n in IMAGES}
    for variant in ["lite", "full"]:
        model = f"{task_dir}/pose_landmarker_{variant}.task"
        image_mode = vision.PoseLandmarker.create_from_options(vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=model), running_mode=vision.RunningMode.IMAGE))
        for name, img in imgs.items():
            results[f"image_{variant}/{name}"] = median_ms(lambda: image_mode.detect(img))
        video = vision.PoseLandmarker.create_from_options(vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_path=model), running_mode=vision.RunningMode.VIDEO))
        ts = [0]

        def step():
            ts[0] += 33
            video.detect_for_video(imgs["webcam_like.png"], ts[0])
        results[f"track_{variant}"] = median_ms(step)
    json.dump(results, open(out, "w"), indent=1)
    for k, v in results.items():
        print(f"mediapipe {k}: {v:.2f} ms")


if __name__ == "__main__":
    main(*sys.argv[1:])

"""Helpers for models/build: densify the detector's sparse weights, verify ONNX vs TFLite.

    python build_tools.py densify IN.tflite OUT.tflite
    python build_tools.py verify FIXTURES_DIR WORK_DIR
"""
import sys

import numpy as np


def _interpreter(path, preserve=False):
    from ai_edge_litert.interpreter import Interpreter, OpResolverType
    it = Interpreter(model_path=path, experimental_preserve_all_tensors=preserve,
                     experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    it.allocate_tensors()
    return it


def _run(it, x):
    it.set_tensor(it.get_input_details()[0]["index"], x)
    it.invoke()
    return {d["name"]: it.get_tensor(d["index"]).copy() for d in it.get_output_details()}


def densify(src, dst):
    from tensorflow.lite.python import schema_py_generated as fb
    from tensorflow.lite.tools import flatbuffer_utils as fu

    model = fu.read_model(src)
    it = _interpreter(src, preserve=True)
    x = np.zeros(it.get_input_details()[0]["shape"], np.float32)
    reference = _run(it, x)
    codes = [max(c.builtinCode, c.deprecatedBuiltinCode) for c in model.operatorCodes]
    sg = model.subgraphs[0]
    kept, replaced = [], 0
    for op in sg.operators:
        if codes[op.opcodeIndex] != fb.BuiltinOperator.DENSIFY:
            kept.append(op)
            continue
        out = op.outputs[0]
        dense = it.get_tensor(out)
        buf = fb.BufferT()
        buf.data = np.frombuffer(dense.tobytes(), np.uint8)
        model.buffers.append(buf)
        sg.tensors[out].buffer = len(model.buffers) - 1
        # The sparse source is now unused; tf2onnx would still try (and fail) to read it,
        # so point it at the empty buffer 0 and drop its sparsity.
        for src_tensor in op.inputs:
            sg.tensors[src_tensor].buffer = 0
            sg.tensors[src_tensor].sparsity = None
        replaced += 1
    sg.operators = kept
    fu.write_model(model, dst)
    got = _run(_interpreter(dst), x)
    for name, ref in reference.items():
        if not np.array_equal(ref, got[name]):
            sys.exit(f"densify: output {name} differs after densifying")
    print(f"densify: replaced {replaced} DENSIFY ops; outputs bit-exact")


def _images(fixtures):
    from PIL import Image
    for name in ["astronaut.png", "camera.png", "webcam_like.png"]:
        yield name, Image.open(f"{fixtures}/{name}").convert("RGB")


def verify(fixtures, work):
    import onnxruntime as ort
    cases = [
        ("pose_detection", 224, lambda a: a / 127.5 - 1.0,
         {"Identity": 2e-3, "Identity_1": 1e-2}),
        ("pose_landmark_full", 256, lambda a: a / 255.0,
         {"Identity": 5e-3, "Identity_1": 1e-4, "Identity_4": 1e-4}),
        ("pose_landmark_lite", 256, lambda a: a / 255.0,
         {"Identity": 5e-3, "Identity_1": 1e-4, "Identity_4": 1e-4}),
    ]
    tflite_src = {"pose_detection": "pose_detection.tflite"}
    for model, size, norm, tol in cases:
        it = _interpreter(f"{work}/{tflite_src.get(model, model + '.tflite')}")
        sess = ort.InferenceSession(f"{work}/{model}.onnx", providers=["CPUExecutionProvider"])
        for name, img in _images(fixtures):
            x = norm(np.asarray(img.resize((size, size)), np.float32))[None]
            ref = _run(it, x)
            got = dict(zip([o.name for o in sess.get_outputs()], sess.run(None, {"input_1": x})))
            for out, t in tol.items():
                diff = float(np.max(np.abs(ref[out].reshape(-1) - got[out].reshape(-1))))
                print(f"verify: {model} {name} {out}: max |tflite - onnx| = {diff:.2e}")
                if diff > t:
                    sys.exit(f"verify: {model} {out} differs by {diff} (> {t})")
    print("verify: all outputs agree")


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    {"densify": densify, "verify": verify}[cmd](*args)

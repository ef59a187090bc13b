"""Helpers for models/build: densify the detector's sparse weights, drop the landmark
models' segmentation output, verify ONNX vs TFLite.

    python build_tools.py densify IN.tflite OUT.tflite
    python build_tools.py strip IN.onnx OUT.onnx OUTPUT_NAME
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


def strip(src, dst, output):
    """Removes graph output `output` and every node and initializer that only it needed.

    The landmark models' segmentation mask (`Identity_2`, 256x256 logits) is computed by
    its own decoder branch; hunch never reads it, and that branch costs about half of the
    full model's time. Nodes are kept when any remaining output depends on them, in their
    original (topological) order, so the rest of the graph is untouched."""
    import onnx

    model = onnx.load(src)
    g = model.graph
    if output not in [o.name for o in g.output]:
        sys.exit(f"strip: {src} has no output {output}")
    outputs = [o for o in g.output if o.name != output]
    producer = {t: i for i, n in enumerate(g.node) for t in n.output}
    needed, stack = set(), [o.name for o in outputs]
    while stack:
        i = producer.get(stack.pop())
        if i is None or i in needed:
            continue
        needed.add(i)
        node = g.node[i]
        if any(a.HasField("g") or len(a.graphs) for a in node.attribute):
            # A body graph may read outer tensors this walk would not see.
            sys.exit(f"strip: {node.op_type} {node.name} has a subgraph; not supported")
        stack.extend(t for t in node.input if t)
    nodes = [n for i, n in enumerate(g.node) if i in needed]
    used = {t for n in nodes for t in n.input} | {o.name for o in outputs}
    inits = [t for t in g.initializer if t.name in used]
    infos = [v for v in g.value_info if v.name in used]
    removed = (len(g.node) - len(nodes), len(g.initializer) - len(inits))
    del g.output[:], g.node[:], g.initializer[:], g.value_info[:]
    g.output.extend(outputs)
    g.node.extend(nodes)
    g.initializer.extend(inits)
    g.value_info.extend(infos)
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, dst)
    print(f"strip: {dst}: removed output {output}, {removed[0]} nodes, {removed[1]} initializers")


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
         {"Identity": 5e-3, "Identity_1": 1e-4, "Identity_3": 1e-3, "Identity_4": 1e-4}),
        ("pose_landmark_lite", 256, lambda a: a / 255.0,
         {"Identity": 5e-3, "Identity_1": 1e-4, "Identity_3": 1e-3, "Identity_4": 1e-4}),
    ]
    tflite_src = {"pose_detection": "pose_detection.tflite"}
    def onnx_run(sess, x):
        return dict(zip([o.name for o in sess.get_outputs()], sess.run(None, {"input_1": x})))

    for model, size, norm, tol in cases:
        it = _interpreter(f"{work}/{tflite_src.get(model, model + '.tflite')}")
        sess = ort.InferenceSession(f"{work}/{model}.onnx", providers=["CPUExecutionProvider"])
        names = sorted(o.name for o in sess.get_outputs())
        if names != sorted(tol):
            sys.exit(f"verify: {model} has outputs {names}, expected {sorted(tol)}")
        unstripped = None
        if "landmark" in model:
            unstripped = ort.InferenceSession(f"{work}/{model}_with_mask.onnx",
                                              providers=["CPUExecutionProvider"])
        for name, img in _images(fixtures):
            x = norm(np.asarray(img.resize((size, size)), np.float32))[None]
            ref = _run(it, x)
            got = onnx_run(sess, x)
            if unstripped is not None:
                full = onnx_run(unstripped, x)
                for out in names:
                    if not np.array_equal(full[out], got[out]):
                        sys.exit(f"verify: {model} {out} changed when the mask was stripped")
                print(f"verify: {model} {name}: stripped outputs bit-identical to unstripped")
            for out, t in tol.items():
                diff = float(np.max(np.abs(ref[out].reshape(-1) - got[out].reshape(-1))))
                print(f"verify: {model} {name} {out}: max |tflite - onnx| = {diff:.2e}")
                if diff > t:
                    sys.exit(f"verify: {model} {out} differs by {diff} (> {t})")
    print("verify: all outputs agree")


if __name__ == "__main__":
    cmd, *args = sys.argv[1:]
    {"densify": densify, "strip": strip, "verify": verify}[cmd](*args)

"""Profiles the benchmark's peers and our recorded graph (BENCHMARKS.md, "What bounds the rows that still miss").

    python bench/profile-peers.py memory --framework torch|keras --workload NAME [--threads 2]
        Resident memory after importing the framework, after building the model and inputs (just before the first
        step), after the first step, and the process peak after the benchmark's own steps (bench/peers.py's code).
    python bench/profile-peers.py graph --fdef FILE.fdef [FILE.fdef ...] [--threads 2] [--steps 10] [--onednn on|off]
        Our recorded step (written by `node dist/bench/profile.js --workload NAME --dump DIR`) run under TensorFlow's
        Python runtime (a Session: grappler and the oneDNN rewrites as for any graph), timed, then once traced: the
        time of every executed op, summed per op type (after grappler's rewrites, so the op names are the kernels').
        Several files are timed round-robin in one process (an A/B of two recordings of the same step).
    python bench/profile-peers.py torch-ops --workload NAME [--threads 2]
        PyTorch's own op-level profile of one training step (torch.profiler), summed per op.
    python bench/profile-peers.py convs [--threads 2] [--steps 5] [--onednn on|off]
        Every conv of the fine-tuned ResNet-34 row (batch 128), forward and both gradients, timed alone in TensorFlow
        (NHWC and NCHW) and PyTorch, summed per step, with their FLOP rates and a 2048^3 matmul's in each.
    python bench/profile-peers.py keras-flops --workload NAME
        Forward FLOPs per image of the Keras side's backbone (its ResNet-50 is V1; ours and torchvision's are V1.5).

Run with the project's Python: `.venv/bin/python bench/profile-peers.py ...`. Prints readable lines, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sys
import time
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import peers  # noqa: E402  (the benchmark's own workloads)


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024.0
    return float("nan")


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def memory(a) -> dict:
    stages = [("python", rss_mb(), max_rss_mb())]
    if a.framework == "torch":
        import torch  # noqa: F401

        if peers.WORKLOADS[a.workload][0] == "cnn":
            import types

            for mod in ("torchvision._meta_registrations", "torchvision._autograd_registrations"):
                sys.modules.setdefault(mod, types.ModuleType(mod))
            import torchvision  # noqa: F401
        stages.append(("+ torch imported", rss_mb(), max_rss_mb()))
    else:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        import tensorflow as tf

        # As peers.keras_run sets them (they cannot change once an op ran).
        tf.config.threading.set_intra_op_parallelism_threads(a.threads)
        tf.config.threading.set_inter_op_parallelism_threads(a.threads)
        tf.constant(1.0) + 1.0
        import keras  # noqa: F401

        stages.append(("+ tensorflow and keras imported (one op run)", rss_mb(), max_rss_mb()))
    original = peers.time_repeats

    def traced(step, items, warmup, repeats):
        stages.append(("+ model built, inputs made (before the first step)", rss_mb(), max_rss_mb()))
        step()
        stages.append(("+ first step", rss_mb(), max_rss_mb()))
        rates = original(step, items, warmup, repeats)
        stages.append((f"+ {warmup} warm-up and {repeats} timed steps", rss_mb(), max_rss_mb()))
        return rates

    peers.time_repeats = traced
    run = peers.torch_run if a.framework == "torch" else peers.keras_run
    result = run(a.workload, a.threads, 2, 5)
    for name, rss, peak in stages:
        print(f"rss {rss:5.0f} MiB  maxRSS {peak:5.0f} MiB  {name}")
    return {
        "framework": a.framework,
        "workload": a.workload,
        "stages": [{"stage": n, "rss_mb": r, "max_rss_mb": p} for n, r, p in stages],
        "items_per_s": result["items_per_s"],
        "peak_rss_mb": max_rss_mb(),
    }


def summarize_step_stats(step_stats, wall_ms: float, top: int = 15) -> dict:
    """Sums the traced ops' times per op type (from the timeline label 'name = Op(inputs)')."""
    per_type: dict[str, list[float]] = defaultdict(lambda: [0, 0.0])
    total = 0.0
    for dev in step_stats.dev_stats:
        for ns in dev.node_stats:
            m = re.match(r"[^=]*=\s*([\w/]+)\(", ns.timeline_label or "")
            op = m.group(1) if m else ns.node_name.split(":")[0]
            if op in ("_SOURCE", "_Arg", "_Retval", "NoOp", "Const"):
                continue
            us = ns.op_end_rel_micros - ns.op_start_rel_micros
            per_type[op][0] += 1
            per_type[op][1] += us
            total += us
    rows = sorted(per_type.items(), key=lambda kv: -kv[1][1])
    print(f"traced ops: {sum(v[0] for v in per_type.values())} executed, {total / 1000:.2f} ms summed op time")
    for op, (n, us) in rows[:top]:
        print(f"  {op:32s} {n:5d} x  {us / 1000:8.2f} ms  ({100 * us / max(total, 1):4.1f}%, {us / n:7.1f} us each)")
    return {
        "wall_ms": wall_ms,
        "op_ms_total": total / 1000,
        "executed_ops": sum(v[0] for v in per_type.values()),
        "per_type": {op: {"count": n, "ms": us / 1000} for op, (n, us) in rows},
    }


def load_graph(path: str):
    """Our recorded step as a Session-runnable graph, and a feed of random arguments of the recorded shapes."""
    import numpy as np
    import tensorflow as tf
    from tensorflow.core.framework import function_pb2
    from tensorflow.python.framework import function_def_to_graph

    spec = json.load(open(path[: -len(".fdef")] + ".json"))
    fdef = function_pb2.FunctionDef()
    fdef.ParseFromString(open(path, "rb").read())
    shapes = [tf.TensorShape(arg["shape"]) for arg in spec["args"]]
    g = function_def_to_graph.function_def_to_graph(fdef, input_shapes=shapes)
    rng = np.random.default_rng(0)
    feed = {}
    for ph, arg in zip(g.inputs, spec["args"]):
        dt = tf.as_dtype(arg["dtype"])
        if "values" in arg:
            # A small captured tensor (e.g. BlockLSTM's sequence length): its recorded values.
            feed[ph.name] = np.array(arg["values"], dtype=dt.as_numpy_dtype).reshape(arg["shape"])
        elif dt.is_integer:
            feed[ph.name] = rng.integers(0, 10, size=arg["shape"]).astype(dt.as_numpy_dtype)
        else:
            # Positive values keep Adam's square roots finite.
            feed[ph.name] = (np.abs(rng.standard_normal(arg["shape"])) * 0.05 + 1e-3).astype(dt.as_numpy_dtype)
    return spec, fdef, g, feed


def graph(a) -> dict:
    """Times each --fdef in its own Session, interleaved (round-robin, `--steps` rounds), then traces each once."""
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1" if a.onednn == "on" else "0"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import tensorflow as tf

    config = tf.compat.v1.ConfigProto(
        intra_op_parallelism_threads=a.threads, inter_op_parallelism_threads=a.inter or a.threads
    )
    runs = []
    rss_before = rss_mb()
    for path in a.fdef:
        spec, fdef, g, feed = load_graph(path)
        sess = tf.compat.v1.Session(graph=g, config=config)
        for _ in range(3):
            sess.run(g.outputs, feed)
        runs.append({"path": path, "spec": spec, "fdef": fdef, "g": g, "feed": feed, "sess": sess, "times": []})
    for _ in range(a.steps):
        for r in runs:
            t = time.perf_counter()
            r["sess"].run(r["g"].outputs, r["feed"])
            r["times"].append((time.perf_counter() - t) * 1000)
    print(f"process RSS: {rss_before:.0f} MiB before building the graphs, {rss_mb():.0f} MiB after running them "
          f"(maxRSS {max_rss_mb():.0f} MiB): the graphs' own working set")
    results = []
    for r in runs:
        wall = sorted(r["times"])[len(r["times"]) // 2]
        print(f"{r['path']}: {r['spec']['workload']}, {len(r['fdef'].node_def)} FunctionDef nodes; "
              f"Session step median {wall:.2f} ms ({a.threads} intra-op / {a.inter or a.threads} inter-op threads, "
              f"oneDNN {a.onednn})")
        opts = tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE)
        meta = tf.compat.v1.RunMetadata()
        r["sess"].run(r["g"].outputs, r["feed"], options=opts, run_metadata=meta)
        r["sess"].close()
        results.append({"fdef": r["path"], "workload": r["spec"]["workload"], "onednn": a.onednn,
                        "threads": a.threads, "nodes": len(r["fdef"].node_def), "step_ms_all": r["times"],
                        **summarize_step_stats(meta.step_stats, wall)})
    return {"graphs": results, "rss_before_mb": rss_before, "max_rss_mb": max_rss_mb()}


def torch_ops(a) -> dict:
    import torch

    captured = {}
    original = peers.time_repeats

    def grab(step, items, warmup, repeats):
        captured["step"] = step
        return original(step, items, warmup, repeats)

    peers.time_repeats = grab
    result = peers.torch_run(a.workload, a.threads, 2, a.steps)
    wall = 1000 * peers.WORKLOADS[a.workload][3] / sorted(result["items_per_s"])[len(result["items_per_s"]) // 2]
    with torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU]) as prof:
        captured["step"]()
    rows = []
    for e in prof.key_averages():
        rows.append((e.key, e.count, e.self_cpu_time_total / 1000))
    rows.sort(key=lambda r: -r[2])
    total = sum(r[2] for r in rows)
    print(f"torch {a.workload}: step median {wall:.2f} ms; profiled step {total:.2f} ms self time over {len(rows)} op kinds")
    for key, n, ms in rows[:15]:
        print(f"  {key:40s} {n:5d} x  {ms:8.2f} ms  ({100 * ms / max(total, 1e-9):4.1f}%)")
    return {"workload": a.workload, "wall_ms": wall, "self_ms_total": total,
            "per_op": {k: {"count": n, "ms": ms} for k, n, ms in rows}}


# ResNet-34 at 32x32 (the fine-tuning row): (input side, in channels, out channels, kernel, stride, how many).
RESNET34_32_CONVS = [
    (32, 3, 64, 7, 2, 1),
    (8, 64, 64, 3, 1, 6),
    (8, 64, 128, 3, 2, 1), (8, 64, 128, 1, 2, 1), (4, 128, 128, 3, 1, 7),
    (4, 128, 256, 3, 2, 1), (4, 128, 256, 1, 2, 1), (2, 256, 256, 3, 1, 11),
    (2, 256, 512, 3, 2, 1), (2, 256, 512, 1, 2, 1), (1, 512, 512, 3, 1, 5),
]


def median_ms(f, repeats: int) -> float:
    f()
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        f()
        times.append((time.perf_counter() - t) * 1000)
    return sorted(times)[len(times) // 2]


def convs(a) -> dict:
    """Every conv of the fine-tuning row (batch 128), forward / input gradient / filter gradient, timed alone (one op
    per call, same threads) in TensorFlow (NHWC and NCHW, oneDNN as --onednn) and PyTorch; summed with multiplicity:
    the conv time of one training step per framework, and its FLOP rate."""
    batch = 128
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1" if a.onednn == "on" else "0"
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import tensorflow as tf
    import torch

    tf.config.threading.set_intra_op_parallelism_threads(a.threads)
    tf.config.threading.set_inter_op_parallelism_threads(a.threads)
    torch.set_num_threads(a.threads)
    rng = np.random.default_rng(0)
    totals = defaultdict(float)
    flops_total = 0.0
    rows = []
    for side, cin, cout, k, stride, count in RESNET34_32_CONVS:
        out = -(-side // stride)
        flops = 2.0 * batch * out * out * k * k * cin * cout
        flops_total += flops * count
        x = rng.standard_normal((batch, side, side, cin), dtype=np.float32)
        w = rng.standard_normal((k, k, cin, cout), dtype=np.float32)
        dy = rng.standard_normal((batch, out, out, cout), dtype=np.float32)
        row = {"shape": f"{side}x{side} {cin}->{cout} k{k} s{stride}", "count": count, "mflop": flops / 1e6}
        # NHWC_padded: what our ResNet records (torchvision's symmetric padding as an explicit zero pad, then a
        # 'VALID' conv over the padded input), against TensorFlow's own padding ('SAME'; for stride 2 it pads
        # asymmetrically, a different function, but the same work).
        # NHWC_explicit: the folded frozen backbone's convs (tf.fused.conv2d with an explicit symmetric pad, padding
        # 'EXPLICIT').
        for variant in ("NHWC", "NCHW", "NHWC_padded", "NHWC_explicit"):
            fmt = "NCHW" if variant == "NCHW" else "NHWC"
            padding = {"NHWC_padded": "VALID", "NHWC_explicit": "EXPLICIT"}.get(variant, "SAME")
            p = k // 2
            explicit = [0, 0, p, p, p, p, 0, 0] if padding == "EXPLICIT" else []
            xv = np.pad(x, ((0, 0), (k // 2, k // 2), (k // 2, k // 2), (0, 0))) if padding == "VALID" else x
            perm = (0, 3, 1, 2) if fmt == "NCHW" else (0, 1, 2, 3)
            tx, tdy = tf.constant(xv.transpose(perm)), tf.constant(dy.transpose(perm))
            tw = tf.constant(w)
            strides = [1, 1, stride, stride] if fmt == "NCHW" else [1, stride, stride, 1]
            fwd = tf.function(lambda: tf.raw_ops.Conv2D(
                input=tx, filter=tw, strides=strides, padding=padding, explicit_paddings=explicit, data_format=fmt))
            dfil = tf.function(lambda: tf.raw_ops.Conv2DBackpropFilter(
                input=tx, filter_sizes=tw.shape, out_backprop=tdy, strides=strides, padding=padding,
                explicit_paddings=explicit, data_format=fmt))
            dinp = tf.function(lambda: tf.raw_ops.Conv2DBackpropInput(
                input_sizes=tx.shape, filter=tw, out_backprop=tdy, strides=strides, padding=padding,
                explicit_paddings=explicit, data_format=fmt))
            try:
                for name, f in (("fwd", fwd), ("dfilter", dfil), ("dinput", dinp)):
                    ms = median_ms(lambda: f().numpy(), a.steps)
                    row[f"tf_{variant}_{name}_ms"] = ms
                    totals[f"tf_{variant}_{name}"] += ms * count
            except Exception as e:  # NCHW without oneDNN: not supported on CPU
                row[f"tf_{variant}_error"] = str(e).splitlines()[0][:120]
        px = torch.from_numpy(x.transpose(0, 3, 1, 2).copy())
        pw = torch.from_numpy(w.transpose(3, 2, 0, 1).copy())
        pdy = torch.from_numpy(dy.transpose(0, 3, 1, 2).copy())
        pad = k // 2
        with torch.no_grad():
            row["torch_fwd_ms"] = median_ms(lambda: torch.nn.functional.conv2d(px, pw, stride=stride, padding=pad), a.steps)
            for name, mask in (("dfilter", [False, True, False]), ("dinput", [True, False, False])):
                row[f"torch_{name}_ms"] = median_ms(lambda: torch.ops.aten.convolution_backward(
                    pdy, px, pw, None, [stride, stride], [pad, pad], [1, 1], False, [0, 0], 1, mask), a.steps)
        for name in ("fwd", "dfilter", "dinput"):
            totals[f"torch_{name}"] += row[f"torch_{name}_ms"] * count
        rows.append(row)
    print(f"ResNet-34 32x32 b{batch} convs, {a.threads} threads, oneDNN {a.onednn}: forward {flops_total / 1e9:.1f} GFLOP")
    for fw in ("tf_NHWC", "tf_NCHW", "tf_NHWC_padded", "tf_NHWC_explicit", "torch"):
        parts = [totals.get(f"{fw}_{n}") for n in ("fwd", "dfilter", "dinput")]
        if None in parts or 0.0 in parts:
            print(f"  {fw:14s} not available")
            continue
        print(f"  {fw:14s} forward {parts[0]:7.1f} ms ({flops_total / parts[0] / 1e6:5.1f} GFLOP/s), filter gradient "
              f"{parts[1]:7.1f} ms ({flops_total / parts[1] / 1e6:5.1f}), input gradient {parts[2]:7.1f} ms; "
              f"sum {sum(parts):7.1f} ms")
    n = 2048
    ta, tb = tf.random.normal([n, n]), tf.random.normal([n, n])
    tf_mm = median_ms(lambda: tf.linalg.matmul(ta, tb).numpy(), a.steps)
    pa, pb = torch.randn(n, n), torch.randn(n, n)
    torch_mm = median_ms(lambda: torch.mm(pa, pb), a.steps)
    print(f"  matmul {n}^3: TensorFlow {2 * n**3 / tf_mm / 1e6:.1f} GFLOP/s, PyTorch {2 * n**3 / torch_mm / 1e6:.1f} GFLOP/s")
    return {"threads": a.threads, "onednn": a.onednn, "forward_gflop": flops_total / 1e9, "totals_ms": dict(totals),
            "rows": rows, "matmul_gflops": {"tensorflow": 2 * n**3 / tf_mm / 1e6, "torch": 2 * n**3 / torch_mm / 1e6}}


def keras_flops(a) -> dict:
    """Forward FLOPs per image of the Keras side's backbone (2 x MACs of its Conv2D and Dense layers): Keras's ResNet50
    is the V1 variant (stride on the first 1x1 conv), ours and torchvision's are V1.5."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import keras

    kind, arch, size, batch, trains = peers.WORKLOADS[a.workload]
    model = peers.keras_resnet(arch, size)
    conv = dense = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            kh, kw, cin, cout = layer.kernel.shape
            _, oh, ow, _ = layer.output.shape
            conv += 2 * oh * ow * kh * kw * cin * cout
        elif isinstance(layer, keras.layers.Dense):
            dense += 2 * layer.kernel.shape[0] * layer.kernel.shape[1]
    print(f"keras {arch} {size}x{size}: forward {(conv + dense) / 1e6:.1f} MFLOP/image (conv {conv / 1e6:.1f})")
    return {"workload": a.workload, "arch": arch, "forward_mflop_per_image": (conv + dense) / 1e6, "conv_mflop": conv / 1e6}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["memory", "graph", "torch-ops", "convs", "keras-flops"])
    ap.add_argument("--framework", choices=["torch", "keras"], default="torch")
    ap.add_argument("--workload", choices=sorted(peers.WORKLOADS), default="lstm")
    ap.add_argument("--fdef", nargs="+")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--inter", type=int, default=0, help="graph: inter-op threads (default: --threads)")
    ap.add_argument("--onednn", choices=["on", "off"], default="on")
    a = ap.parse_args()
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(a.threads))
    result = {"memory": memory, "graph": graph, "torch-ops": torch_ops, "convs": convs, "keras-flops": keras_flops}[a.mode](a)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

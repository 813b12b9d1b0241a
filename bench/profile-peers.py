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
        intra_op_parallelism_threads=a.threads, inter_op_parallelism_threads=a.threads
    )
    runs = []
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
    results = []
    for r in runs:
        wall = sorted(r["times"])[len(r["times"]) // 2]
        print(f"{r['path']}: {r['spec']['workload']}, {len(r['fdef'].node_def)} FunctionDef nodes; "
              f"Session step median {wall:.2f} ms ({a.threads} threads, oneDNN {a.onednn})")
        opts = tf.compat.v1.RunOptions(trace_level=tf.compat.v1.RunOptions.FULL_TRACE)
        meta = tf.compat.v1.RunMetadata()
        r["sess"].run(r["g"].outputs, r["feed"], options=opts, run_metadata=meta)
        r["sess"].close()
        results.append({"fdef": r["path"], "workload": r["spec"]["workload"], "onednn": a.onednn,
                        "threads": a.threads, "nodes": len(r["fdef"].node_def), "step_ms_all": r["times"],
                        **summarize_step_stats(meta.step_stats, wall)})
    return {"graphs": results}


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


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["memory", "graph", "torch-ops"])
    ap.add_argument("--framework", choices=["torch", "keras"], default="torch")
    ap.add_argument("--workload", choices=sorted(peers.WORKLOADS), default="lstm")
    ap.add_argument("--fdef", nargs="+")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--onednn", choices=["on", "off"], default="on")
    a = ap.parse_args()
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, str(a.threads))
    result = {"memory": memory, "graph": graph, "torch-ops": torch_ops}[a.mode](a)
    print(json.dumps(result))


if __name__ == "__main__":
    main()

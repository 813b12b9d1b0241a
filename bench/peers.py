"""PyTorch and Keras sides of the benchmark: the lesson's workloads with random weights and synthetic inputs.

Run by bench/main.ts, one process per (framework, workload), so that peak memory is per workload:

    python bench/peers.py --framework torch|keras --workload NAME --threads N --repeats R --warmup W [--e2e-samples N]

Prints one JSON line: {"framework", "workload", "items_per_s": [...], "peak_rss_mb", "versions"}.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
import types

WORKLOADS = {
    # name: (kind, arch, image size, batch, what trains)
    "resnet34-frozen": ("cnn", "resnet34", 32, 128, "head"),
    "resnet34-finetune": ("cnn", "resnet34", 32, 128, "all"),
    "resnet34-eval": ("cnn", "resnet34", 32, 128, "eval"),
    "resnet50-frozen-224-b32": ("cnn", "resnet50", 224, 32, "head"),
    "resnet50-frozen-224-b128": ("cnn", "resnet50", 224, 128, "head"),
    "simplernn": ("rnn", "simplernn", 28, 128, "all"),
    "lstm": ("rnn", "lstm", 28, 128, "all"),
    "gru": ("rnn", "gru", 28, 128, "all"),
    "bilstm": ("rnn", "bilstm", 28, 128, "all"),
    "e2e-strategy3": ("e2e", "resnet34", 32, 128, "head"),
}

E2E_SAMPLES = 1024
E2E_EPOCHS = 5
HIDDEN = 128
CLASSES = 10


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


# Shortest timed repeat in seconds: a short step runs again until this much time has passed (bench/timing.ts has
# the same rule), so a 20 ms step is timed over a dozen runs rather than one.
MIN_REPEAT_SECONDS = 0.25


def time_repeats(step, items: int, warmup: int, repeats: int) -> list[float]:
    for _ in range(warmup):
        step()
    rates = []
    for _ in range(repeats):
        t = time.perf_counter()
        steps = 0
        while True:
            step()
            steps += 1
            seconds = time.perf_counter() - t
            if seconds >= MIN_REPEAT_SECONDS:
                break
        rates.append(items * steps / seconds)
    return rates


# --------------------------------------------------------------------------------------------------- PyTorch
def torch_run(workload: str, threads: int, warmup: int, repeats: int, e2e_samples: int = E2E_SAMPLES) -> dict:
    import torch

    torch.set_num_threads(threads)
    torch.manual_seed(0)
    kind, arch, size, batch, trains = WORKLOADS[workload]
    versions = {"torch": torch.__version__}
    loss_fn = torch.nn.CrossEntropyLoss()

    if kind in ("cnn", "e2e"):
        # torchvision's compiled ops are built against CUDA torch; its pure-Python models do not need them.
        for mod in ("torchvision._meta_registrations", "torchvision._autograd_registrations"):
            sys.modules.setdefault(mod, types.ModuleType(mod))
        import torchvision

        versions["torchvision"] = torchvision.__version__
        model = getattr(torchvision.models, arch)(weights=None)
        model.fc = torch.nn.Linear(model.fc.in_features, CLASSES)
        if trains == "head":
            for name, p in model.named_parameters():
                p.requires_grad = name.startswith("fc.")
        x = torch.randn(batch, 3, size, size)
        y = torch.randint(0, CLASSES, (batch,))
        if trains == "eval":
            model.eval()

            def step():
                with torch.inference_mode():
                    model(x)

            rates = time_repeats(step, batch, warmup, repeats)
        elif kind == "cnn":
            # The original lesson trains with model.train() even when the backbone is frozen.
            model.train()
            opt = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3)

            def step():
                opt.zero_grad()
                loss_fn(model(x), y).backward()
                opt.step()

            rates = time_repeats(step, batch, warmup, repeats)
        else:
            # The original loop: the frozen backbone is re-run on every batch of every epoch.
            data = torch.randn(e2e_samples, 3, size, size)
            labels = torch.randint(0, CLASSES, (e2e_samples,))
            model.train()
            opt = torch.optim.Adam(model.fc.parameters(), lr=1e-3)

            def run_all():
                for _ in range(E2E_EPOCHS):
                    perm = torch.randperm(e2e_samples)
                    for i in range(0, e2e_samples, batch):
                        idx = perm[i : i + batch]
                        opt.zero_grad()
                        loss_fn(model(data[idx]), labels[idx]).backward()
                        opt.step()

            rates = time_repeats(run_all, e2e_samples * E2E_EPOCHS, 0, max(1, repeats // 3))
    else:
        cells = {"simplernn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "bilstm": torch.nn.LSTM}

        class Net(torch.nn.Module):
            def __init__(self):
                super().__init__()
                bi = arch == "bilstm"
                self.rnn = cells[arch](28, HIDDEN, batch_first=True, bidirectional=bi)
                self.fc = torch.nn.Linear(HIDDEN * (2 if bi else 1), CLASSES)

            def forward(self, x):
                out, _ = self.rnn(x)
                return self.fc(out[:, -1])

        model = Net()
        opt = torch.optim.Adam(model.parameters(), lr=1e-3)
        x = torch.randn(batch, size, 28)
        y = torch.randint(0, CLASSES, (batch,))

        def step():
            opt.zero_grad()
            loss_fn(model(x), y).backward()
            opt.step()

        rates = time_repeats(step, batch, warmup, repeats)
    return {"versions": versions, "items_per_s": rates}


# --------------------------------------------------------------------------------------------------- Keras
def keras_resnet(arch: str, size: int):
    """torchvision-shaped ResNet-34 (BasicBlock) or Keras' own ResNet50 (V1: stride on the first 1x1 conv)."""
    import keras
    from keras import layers

    if arch == "resnet50":
        return keras.applications.ResNet50(weights=None, include_top=False, pooling="avg", input_shape=(size, size, 3))

    def conv_bn(x, filters, k, stride, relu=True):
        x = layers.ZeroPadding2D(k // 2)(x) if k > 1 else x
        x = layers.Conv2D(filters, k, strides=stride, use_bias=False)(x)
        x = layers.BatchNormalization(epsilon=1e-5)(x)
        return layers.ReLU()(x) if relu else x

    inp = keras.Input((size, size, 3))
    x = conv_bn(inp, 64, 7, 2)
    x = layers.ZeroPadding2D(1)(x)
    x = layers.MaxPooling2D(3, 2)(x)
    for stage, (filters, blocks) in enumerate([(64, 3), (128, 4), (256, 6), (512, 3)]):
        for b in range(blocks):
            stride = 2 if stage > 0 and b == 0 else 1
            shortcut = x
            y = conv_bn(x, filters, 3, stride)
            y = conv_bn(y, filters, 3, 1, relu=False)
            if stride != 1 or x.shape[-1] != filters:
                shortcut = conv_bn(x, filters, 1, stride, relu=False)
            x = layers.ReLU()(layers.Add()([y, shortcut]))
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inp, x)


def keras_run(workload: str, threads: int, warmup: int, repeats: int, e2e_samples: int = E2E_SAMPLES) -> dict:
    if WORKLOADS[workload][0] == "e2e":
        # Decided before importing TensorFlow, which takes seconds.
        return {"versions": {}, "items_per_s": [], "skipped": "the end-to-end row compares against the original PyTorch loop"}
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    import numpy as np
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    import keras
    from keras import layers

    kind, arch, size, batch, trains = WORKLOADS[workload]
    versions = {"tensorflow": tf.__version__, "keras": keras.__version__}
    rng = np.random.default_rng(0)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    if kind in ("cnn", "e2e"):
        backbone = keras_resnet(arch, size)
        backbone.trainable = trains == "all"
        inp = keras.Input((size, size, 3))
        feats = backbone(inp, training=False) if trains == "head" else backbone(inp)
        model = keras.Model(inp, layers.Dense(CLASSES)(feats))
        x = rng.standard_normal((batch, size, size, 3), dtype=np.float32)
        y = rng.integers(0, CLASSES, batch)
        if trains == "eval":
            fn = tf.function(lambda t: model(t, training=False))
            rates = time_repeats(lambda: fn(x).numpy(), batch, warmup, repeats)
        else:
            model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss)
            rates = time_repeats(lambda: model.train_on_batch(x, y), batch, warmup, repeats)
    else:
        cells = {"simplernn": layers.SimpleRNN, "lstm": layers.LSTM, "gru": layers.GRU, "bilstm": layers.LSTM}
        rnn = cells[arch](HIDDEN)
        if arch == "bilstm":
            rnn = layers.Bidirectional(rnn)
        model = keras.Sequential([keras.Input((size, 28)), rnn, layers.Dense(CLASSES)])
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss=loss)
        x = rng.standard_normal((batch, size, 28), dtype=np.float32)
        y = rng.integers(0, CLASSES, batch)
        rates = time_repeats(lambda: model.train_on_batch(x, y), batch, warmup, repeats)
    return {"versions": versions, "items_per_s": rates}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--framework", choices=["torch", "keras"], required=True)
    ap.add_argument("--workload", choices=sorted(WORKLOADS), required=True)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--e2e-samples", type=int, default=E2E_SAMPLES)
    a = ap.parse_args()
    run = torch_run if a.framework == "torch" else keras_run
    result = run(a.workload, a.threads, a.warmup, a.repeats, a.e2e_samples)
    result.update(framework=a.framework, workload=a.workload, threads=a.threads, peak_rss_mb=peak_rss_mb())
    print(json.dumps(result))


if __name__ == "__main__":
    main()

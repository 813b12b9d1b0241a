"""PyTorch references for the ResNet parity tests (run by test/models/torch-reference.ts).

For each architecture: torchvision's model with random weights, BatchNorm given non-trivial affine parameters and
running statistics, its state_dict saved as safetensors (num_batches_tracked included, as torch saves it), and the
eval-mode logits and pooled features for fixed random inputs at each size, saved channels-last.

usage: python torch_reference.py OUT_DIR ARCH[,ARCH...] SIZE[,SIZE...] BATCH
"""
import json
import sys
import types

# torchvision's compiled ops are built for CUDA torch and do not load with the CPU wheel; the model code is pure Python.
for name in ("torchvision._meta_registrations", "torchvision._autograd_registrations"):
    sys.modules.setdefault(name, types.ModuleType(name))

import torch  # noqa: E402
import torchvision  # noqa: E402
from safetensors.torch import save_file  # noqa: E402


def main() -> None:
    out_dir, archs, sizes, batch = sys.argv[1], sys.argv[2].split(","), [int(s) for s in sys.argv[3].split(",")], int(sys.argv[4])
    torch.set_num_threads(2)
    manifest = {"torch": torch.__version__, "torchvision": torchvision.__version__, "archs": {}}
    for i, arch in enumerate(archs):
        torch.manual_seed(1000 + i)
        model = getattr(torchvision.models, arch)(weights=None)
        with torch.no_grad():
            for m in model.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.normal_(0.0, 0.2)
                    m.running_mean.normal_(0.0, 0.5)
                    m.running_var.uniform_(0.5, 2.0)
                    m.num_batches_tracked.fill_(7)
        model.eval()
        save_file({k: v.contiguous() for k, v in model.state_dict().items()}, f"{out_dir}/{arch}.safetensors")
        pooled = {}
        model.avgpool.register_forward_hook(lambda _m, _i, out: pooled.__setitem__("f", out.flatten(1)))
        io = {}
        for size in sizes:
            x = torch.randn(batch, 3, size, size, generator=torch.Generator().manual_seed(size + i))
            with torch.no_grad():
                logits = model(x)
            io[f"input{size}"] = x.permute(0, 2, 3, 1).contiguous()
            io[f"logits{size}"] = logits.contiguous()
            io[f"features{size}"] = pooled["f"].contiguous()
        save_file(io, f"{out_dir}/{arch}-io.safetensors")
        manifest["archs"][arch] = {"params": sum(p.numel() for p in model.parameters())}
    with open(f"{out_dir}/manifest.json", "w") as f:
        json.dump(manifest, f)


if __name__ == "__main__":
    main()

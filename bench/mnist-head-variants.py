# Head-only variants on cached strategy-3 features (800 train, 1,000 test) of one MNIST stand-in, written by
# bench/mnist-standin-probe.mjs to /tmp/bb/feat-<tag>.json. Usage: .venv/bin/python bench/mnist-head-variants.py FILE
import json, sys, torch, numpy as np
torch.set_num_threads(1)
d = json.load(open(sys.argv[1])); D = d['d']
xtr = torch.tensor(d['xtr']).view(-1, D); ytr = torch.tensor(d['ytr']).long()
xte = torch.tensor(d['xte']).view(-1, D); yte = torch.tensor(d['yte']).long()
print('features', xtr.shape, 'mean', xtr.mean().item(), 'max', xtr.max().item())
def run(x, xt, lr=1e-3, epochs=30, wd=0.0, seed=42, bs=64):
    g = torch.Generator().manual_seed(seed); torch.manual_seed(seed)
    lin = torch.nn.Linear(D, 10)
    opt = torch.optim.AdamW(lin.parameters(), lr=lr, weight_decay=wd) if wd else torch.optim.Adam(lin.parameters(), lr=lr)
    for e in range(epochs):
        perm = torch.randperm(len(x), generator=g)
        for i in range(0, len(x), bs):
            idx = perm[i:i+bs]
            loss = torch.nn.functional.cross_entropy(lin(x[idx]), ytr[idx])
            opt.zero_grad(); loss.backward(); opt.step()
    with torch.no_grad(): return (lin(xt).argmax(1) == yte).float().mean().item()
m, s = xtr.mean(0), xtr.std(0) + 1e-6
zs, zt = (xtr - m) / s, (xte - m) / s
n2 = lambda x: x / x.norm(dim=1, keepdim=True)
rows = []
def rep(name, f):
    accs = [f(seed) for seed in (42, 1, 2)]
    print(f'{name}: ' + ' / '.join(f'{100*a:.1f}' for a in accs) + f'  mean {100*np.mean(accs):.1f}', flush=True)
rep('raw, Adam 1e-3, 30 ep (the lesson)', lambda sd: run(xtr, xte, seed=sd))
rep('standardised', lambda sd: run(zs, zt, seed=sd))
rep('raw, 100 ep', lambda sd: run(xtr, xte, epochs=100, seed=sd))
rep('raw, lr 3e-3', lambda sd: run(xtr, xte, lr=3e-3, seed=sd))
rep('raw, AdamW wd 1e-2', lambda sd: run(xtr, xte, wd=1e-2, seed=sd))
rep('L2-normalised x sqrt(D)', lambda sd: run(n2(xtr) * D ** 0.5 / 10, n2(xte) * D ** 0.5 / 10, seed=sd))
rep('standardised, 100 ep', lambda sd: run(zs, zt, epochs=100, seed=sd))

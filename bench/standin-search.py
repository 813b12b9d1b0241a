"""How lesson 02's `ci` stand-in recipe was chosen (docs/models.md, "How the patch-features recipe was found").

Not part of the kit or its tests: PyTorch + torchvision on a CUDA GPU (it also runs on a CPU, far slower; SMOKE=1 is a
tiny CPU check of the code paths). Run from the repository root: `OUT=/tmp python3 bench/standin-search.py`
(PHASE=1: the candidate tasks; PHASE=2: variations of the patch-features regression); results are appended to
$OUT/sweep.jsonl. SWEEP_LIMIT (seconds) stops before starting a new candidate.

Recipe sweep for lesson 02's offline stand-in (ResNet-34, CIFAR-10 at 32x32), run in PyTorch on a GPU only to
search quickly; the chosen recipe is then implemented and measured in the kit on 2 CPU cores.

Probe = lesson 02's strategy 3: frozen backbone (eval mode, precise-BN recalibrated on the pre-training images),
a Linear head trained 30 epochs with Adam 1e-3, batch 64, on 800 labelled images (0-79 of each class), scored on
the 1,000 test images of the shipped sample. Pre-training data: training images 100-999 of each class (9,000),
never the lesson's. Budget: image-steps (one 32x32 image forward+backward).
"""
import io, json, math, os, sys, tarfile, time
import numpy as np
import torch, torch.nn as nn, torch.nn.functional as F
if not torch.cuda.is_available():  # the CPU venv here: torchvision's compiled ops do not load; its models need none
    import types
    for mod in ('torchvision._meta_registrations', 'torchvision._autograd_registrations'):
        sys.modules[mod] = types.ModuleType(mod)
import torchvision
from PIL import Image

torch.backends.cudnn.benchmark = True
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
dev = 'cuda' if torch.cuda.is_available() else 'cpu'
SMOKE = os.environ.get('SMOKE') == '1'
OUT = os.environ.get('OUT', '/tmp')
T0 = time.time()
LIMIT = float(os.environ.get('SWEEP_LIMIT', '480'))
CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck']


def log(**kw):
    kw['t'] = round(time.time() - T0, 1)
    line = json.dumps(kw)
    print(line, flush=True)
    with open(os.path.join(OUT, 'sweep.jsonl'), 'a') as f:
        f.write(line + '\n')


def load():
    tr = np.zeros((10, 1000, 32, 32, 3), np.uint8)
    te = np.zeros((10, 100, 32, 32, 3), np.uint8)
    with tarfile.open('data/cifar10-sample.tar.gz') as t:
        for m in t:
            if not m.name.endswith('.jpg'):
                continue
            split, cls, fn = m.name.split('/')[-3:]
            i = int(fn[:4])
            img = np.asarray(Image.open(io.BytesIO(t.extractfile(m).read())).convert('RGB'))
            (tr if split == 'train' else te)[CLASSES.index(cls), i] = img
    return tr, te


tr, te = load()
def flat(a, lo, hi):
    x = a[:, lo:hi].reshape(-1, 32, 32, 3)
    y = np.repeat(np.arange(10), hi - lo)
    return torch.tensor(x).permute(0, 3, 1, 2).float().div(255).to(dev), torch.tensor(y).to(dev)

Xl, Yl = flat(tr, 0, 80)
Xt, Yt = flat(te, 0, 100)
Xp, Yp = flat(tr, 100, 130 if SMOKE else 1000)  # Yp: never trained on; only for cluster agreement
log(msg='data', labelled=len(Xl), test=len(Xt), pool=len(Xp))


def norm(x):
    return (x - 0.5) / 0.5


def augment(x):
    n = x.shape[0]
    flip = torch.rand(n, device=dev) < 0.5
    x = torch.where(flip[:, None, None, None], x.flip(3), x)
    p = F.pad(x, (4, 4, 4, 4))
    i = torch.randint(0, 9, (n,), device=dev)
    j = torch.randint(0, 9, (n,), device=dev)
    out = torch.empty_like(x)
    for a in range(9):
        for b in range(9):
            m = (i == a) & (j == b)
            if m.any():
                out[m] = p[m, :, a:a + 32, b:b + 32]
    return out


def rot4(x):
    return torch.cat([x, x.rot90(1, (2, 3)), x.rot90(2, (2, 3)), x.rot90(3, (2, 3))])


def backbone(seed, outputs):
    torch.manual_seed(seed)
    m = (torchvision.models.resnet18 if SMOKE else torchvision.models.resnet34)(num_classes=outputs)
    return m.to(dev).to(memory_format=torch.channels_last)


def features(m, x, bs=500):
    m.eval()
    fc = m.fc
    m.fc = nn.Identity()
    with torch.no_grad():
        f = torch.cat([m(norm(x[i:i + bs])) for i in range(0, len(x), bs)])
    m.fc = fc
    return f


def recalibrate(m, x, bs=256):
    for mod in m.modules():
        if isinstance(mod, nn.BatchNorm2d):
            mod.reset_running_stats()
            mod.momentum = None
    m.train()
    with torch.no_grad():
        for i in range(0, len(x), bs):
            m(norm(x[i:i + bs]))
    m.eval()


def probe(fl, ft, seed=0, standardise=False, epochs=30, lr=1e-3):
    if standardise:
        mu, sd = fl.mean(0), fl.std(0) + 1e-6
        fl, ft = (fl - mu) / sd, (ft - mu) / sd
    torch.manual_seed(seed)
    head = nn.Linear(fl.shape[1], 10).to(dev)
    opt = torch.optim.Adam(head.parameters(), lr)
    g = torch.Generator(device='cpu').manual_seed(seed)
    for _ in range(epochs):
        perm = torch.randperm(len(fl), generator=g).to(dev)
        for i in range(0, len(fl), 64):
            b = perm[i:i + 64]
            loss = F.cross_entropy(head(fl[b]), Yl[b])
            opt.zero_grad(); loss.backward(); opt.step()
    with torch.no_grad():
        return (head(ft).argmax(1) == Yt).float().mean().item()


def score(name, m, extra=None):
    recalibrate(m, Xp)
    fl, ft = features(m, Xl), features(m, Xt)
    raw = probe(fl, ft)
    std = probe(fl, ft, standardise=True)
    log(recipe=name, probe=round(100 * raw, 1), probe_std=round(100 * std, 1), **(extra or {}))
    return raw


def train(m, x, targets, epochs, bs, lr, cosine=True, aug=True, loss='ce', rotation=False, seed=0):
    """targets: LongTensor (classification) or FloatTensor (regression, loss 'mse'/'cos')."""
    opt = torch.optim.Adam(m.parameters(), lr)
    g = torch.Generator(device='cpu').manual_seed(seed)
    steps_per_epoch = math.ceil(len(x) / bs)
    total = epochs * steps_per_epoch
    step = 0
    image_steps = 0
    m.train()
    for _ in range(epochs):
        perm = torch.randperm(len(x), generator=g).to(dev)
        for i in range(0, len(x), bs):
            b = perm[i:i + bs]
            xb = x[b]
            if aug:
                xb = augment(xb)
            if rotation:
                yb = torch.arange(4, device=dev).repeat_interleave(len(b))
                xb = rot4(xb)
            else:
                yb = targets[b]
            if cosine:
                for pg in opt.param_groups:
                    pg['lr'] = lr * 0.5 * (1 + math.cos(math.pi * step / total))
            out = m(norm(xb).contiguous(memory_format=torch.channels_last))
            if loss == 'ce':
                l = F.cross_entropy(out, yb)
            elif loss == 'mse':
                l = F.mse_loss(out, yb)
            else:
                l = (1 - F.cosine_similarity(out, yb, dim=1)).mean()
            opt.zero_grad(set_to_none=True); l.backward(); opt.step()
            step += 1
            image_steps += len(xb)
    return image_steps, l.item()


def kmeans(z, k, iters=20, seed=0):
    g = torch.Generator(device='cpu').manual_seed(seed)
    c = z[torch.randperm(len(z), generator=g)[:k].to(dev)].clone()
    for _ in range(iters):
        d = (z * z).sum(1, keepdim=True) - 2 * z @ c.T + (c * c).sum(1)[None]
        a = d.argmin(1)
        for j in range(k):
            mj = a == j
            if mj.any():
                c[j] = z[mj].mean(0)
    return a, c


def agreement(a, y, k):
    tot = 0
    for j in range(k):
        mj = a == j
        if mj.any():
            tot += torch.bincount(y[mj], minlength=10).max().item()
    return tot / len(y)


# ---- Coates & Ng (2011) single-layer features: 6x6 patches, contrast-normalised, ZCA, k-means, triangle code, 4 quadrants
EPS_CN = 10 / 255 ** 2


def coates_dictionary(x, k=256, n=100000, seed=0):
    g = torch.Generator(device='cpu').manual_seed(seed)
    idx = torch.randint(0, len(x), (n,), generator=g).to(dev)
    r = torch.randint(0, 27, (n,), generator=g).to(dev)
    c = torch.randint(0, 27, (n,), generator=g).to(dev)
    sel = r * 27 + c
    P = torch.cat([F.unfold(x[idx[s:s + 5000]], 6)[torch.arange(len(idx[s:s + 5000]), device=dev), :, sel[s:s + 5000]]
                   for s in range(0, n, 5000)])  # [n, 108]
    P = (P - P.mean(1, keepdim=True)) / torch.sqrt(P.var(1, keepdim=True) + EPS_CN)
    mean = P.mean(0)
    C = torch.cov((P - mean).T)
    e, V = torch.linalg.eigh(C)
    W = V @ torch.diag(1 / torch.sqrt(e + 0.1)) @ V.T
    Z = (P - mean) @ W
    _, cent = kmeans(Z, k, iters=10, seed=seed)
    return mean, W, cent


def coates_features(x, dic, bs=500):
    mean, W, cent = dic
    out = []
    for i in range(0, len(x), bs):
        P = F.unfold(x[i:i + bs], 6).transpose(1, 2)  # [b, 729, 108]
        P = (P - P.mean(2, keepdim=True)) / torch.sqrt(P.var(2, keepdim=True) + EPS_CN)
        Z = (P - mean) @ W
        d = torch.cdist(Z, cent[None].expand(len(Z), -1, -1))  # [b, 729, k]
        f = F.relu(d.mean(2, keepdim=True) - d)
        f = f.view(len(Z), 27, 27, -1)
        q = torch.cat([f[:, :14, :14].sum((1, 2)), f[:, :14, 14:].sum((1, 2)), f[:, 14:, :14].sum((1, 2)), f[:, 14:, 14:].sum((1, 2))], 1)
        out.append(q)
    return torch.cat(out)


def pca(z, d):
    z = (z - z.mean(0)) / (z.std(0) + 1e-6)
    U, S, V = torch.pca_lowrank(z, q=min(d, z.shape[1], z.shape[0]), center=False)
    return z @ V


def over():
    return time.time() - T0 > LIMIT



PHASE = os.environ.get('PHASE', '1')
if PHASE == '2':
    m = backbone(0, 4)
    steps, l = train(m, flat(tr, 100, 110 if SMOKE else 500)[0], None, 1, 32, 1e-3, cosine=False, rotation=True)
    score('rotation 4k x4 1ep bs32 (current)', m, {'image_steps': steps})
    dics = {}
    def target(K=256, d=128, seed=0):
        key = (K, d, seed)
        if key not in dics:
            t = time.time()
            dic = coates_dictionary(Xp, k=K, seed=seed)
            cp = coates_features(Xp, dic)
            z = pca(cp, d) if d else (cp - cp.mean(0)) / (cp.std(0) + 1e-6)
            dics[key] = z / z.std()
            log(msg='target', K=K, d=d, seconds=round(time.time() - t, 2))
        return dics[key]
    runs = [
        dict(name='mse pca128 4ep seed1', seed=1),
        dict(name='mse pca128 4ep seed2', seed=2),
        dict(name='mse pca128 2ep', ep=2),
        dict(name='mse pca128 3ep', ep=3),
        dict(name='mse pca128 4ep no aug', aug=False),
        dict(name='mse pca64 4ep', d=64),
        dict(name='mse pca256 4ep', d=256),
        dict(name='mse full1024 std 4ep', d=0),
        dict(name='mse K128 pca128 4ep', K=128),
        dict(name='mse pca128 4ep lr1e-3', lr=1e-3),
        dict(name='mse pca128 4ep bs32 lr1e-3', bs=32, lr=1e-3),
        dict(name='mse pca128 4ep constant lr', cosine=False),
        dict(name='mse pca128 6ep', ep=6),
        dict(name='cos pca128 4ep seed1', loss='cos', seed=1),
    ]
    for r in runs:
        if over(): break
        K, d, seed = r.get('K', 256), r.get('d', 128), r.get('seed', 0)
        tgt = target(K, d)
        m = backbone(seed, tgt.shape[1])
        steps, l = train(m, Xp, tgt, r.get('ep', 4), r.get('bs', 64), r.get('lr', 2e-3), cosine=r.get('cosine', True),
                         aug=r.get('aug', True), loss=r.get('loss', 'mse'), seed=seed)
        score('distil ' + r['name'], m, {'image_steps': steps, 'loss': round(l, 3)})
    log(msg='done')
    sys.exit(0)

results = {}
# baselines
m = backbone(0, 10); score('random', m)
m = backbone(0, 4)
steps, l = train(m, flat(tr, 100, 110 if SMOKE else 500)[0], None, 1, 32, 1e-3, cosine=False, rotation=True)
score('rotation 4k x4 1ep bs32 (current)', m, {'image_steps': steps, 'loss': round(l, 3)})

# Coates features: label agreement and a probe of the features themselves
dic = coates_dictionary(Xp, k=16 if SMOKE else 256, n=2000 if SMOKE else 100000)
cp = coates_features(Xp, dic)
cl, ct = coates_features(Xl, dic), coates_features(Xt, dic)
log(msg='coates', dims=cp.shape[1], probe_std=round(100 * probe(cl, ct, standardise=True), 1))
zp = pca(cp, 128)
zr = pca(Xp.flatten(1), 128)
labels = {}
for name, z in [('coates', zp), ('raw', zr)]:
    for k in ((10, 50, 100) if not SMOKE else (10,)):
        a, _ = kmeans(z, k, iters=20)
        labels[(name, k)] = a
        log(msg='clusters', on=name, k=k, agreement=round(100 * agreement(a, Yp, k), 1),
            sizes=[int(torch.bincount(a, minlength=k).min()), int(torch.bincount(a, minlength=k).max())])

for (name, k, ep, lr, aug) in [('coates', 50, 4, 2e-3, True), ('coates', 100, 4, 2e-3, True), ('raw', 50, 4, 2e-3, True),
                               ('coates', 50, 4, 2e-3, False), ('coates', 10, 4, 2e-3, True), ('coates', 50, 2, 2e-3, True),
                               ('coates', 50, 8, 2e-3, True)]:
    if over(): break
    if (name, k) not in labels: continue
    m = backbone(0, k)
    steps, l = train(m, Xp, labels[(name, k)], ep, 64, lr, aug=aug)
    score(f'clusters {name} k={k} {ep}ep lr{lr} aug={aug}', m, {'image_steps': steps, 'loss': round(l, 3)})

# distillation: regress the pooled features (through fc) onto standardised PCA-128 Coates features
for (ep, loss) in [(4, 'mse'), (4, 'cos')]:
    if over() and not SMOKE: break
    m = backbone(0, zp.shape[1])
    tgt = zp / zp.std()
    steps, l = train(m, Xp, tgt, ep, 64, 2e-3, loss=loss)
    score(f'distil coates pca128 {loss} {ep}ep', m, {'image_steps': steps, 'loss': round(l, 3)})

# DeepCluster, two rounds: Coates clusters, then clusters of the network's own features
if not over() or SMOKE:
    m = backbone(0, 50)
    s1, _ = train(m, Xp, labels[('coates', 50)] if ('coates', 50) in labels else labels[('coates', 10)] % 50, 2, 64, 2e-3)
    recalibrate(m, Xp)
    a2, _ = kmeans(pca(features(m, Xp), 128), 50, iters=20, seed=1)
    log(msg='round2', agreement=round(100 * agreement(a2, Yp, 50), 1))
    m.fc = nn.Linear(512, 50).to(dev)
    s2, l = train(m, Xp, a2, 2, 64, 2e-3, seed=1)
    score('deepcluster 2 rounds x 2ep (coates, then own features)', m, {'image_steps': s1 + s2, 'loss': round(l, 3)})

# rotation on the whole pool
if not over() or SMOKE:
    m = backbone(0, 4)
    steps, l = train(m, Xp, None, 1, 64, 2e-3, rotation=True)
    score('rotation 9k x4 1ep bs64 cos2e-3', m, {'image_steps': steps, 'loss': round(l, 3)})

# seeds of the best kinds
for seed in (1, 2):
    if over() or SMOKE: break
    m = backbone(seed, 50)
    a, _ = kmeans(zp, 50, iters=20, seed=seed)
    steps, l = train(m, Xp, a, 4, 64, 2e-3, seed=seed)
    score(f'clusters coates k=50 4ep seed{seed}', m, {'image_steps': steps, 'loss': round(l, 3)})
log(msg='done')

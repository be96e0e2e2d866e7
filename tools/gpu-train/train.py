#!/usr/bin/env python3
"""NTP-MRISeg training on a GPU: a PyTorch port of the TypeScript training step.

The app trains on onnxruntime-node on the CPU (src/main/training/train-loop.ts); that is what a radiologist's
fine-tuning uses. This script exists for the one thing a CPU cannot do in reasonable time: many epochs of
the base model. It runs the same network (src/main/model/network.ts, src/main/engine/transformer.ts), the same
losses (NTP + NkTP, TCL, HET; src/main/model/losses.ts), the same AdamW with clipping and the same
learning-rate schedule, on token dumps (`nextmask tokens`), starting from and writing NMCKPT01 checkpoints
(src/main/engine/checkpoint.ts), so `nextmask export` turns its output into a model folder.
`parity.py` checks this forward and losses against the TypeScript graph on the CPU.

Differences from the CPU loop, on purpose: mask inputs are corrupted with torch's RNG (same rule), HET
records head 1's teacher-forced prediction of the step's own forward pass (the CPU loop re-runs the
model after the update), augmentation is the dump's fixed draws instead of fresh ones per step, and
optional residual dropout guards the many epochs this makes possible.

Usage: train.py --init ckpt --data a.nmtok [b.nmtok ...] --out dir --seconds S [--batch 256] [--lr 2e-3]
"""

import argparse
import contextlib
import gzip
import json
import lzma
import math
import os
import struct
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F

GRID = 16
GRID_TOKENS = GRID * GRID
ALIGN = 64
BACKGROUND_CODE = 0


def align(n):
    return (n + ALIGN - 1) // ALIGN * ALIGN


# ---- files ---------------------------------------------------------------------------------------------


def read_checkpoint(path):
    """NMCKPT01 → (header, {role: {name: array}})."""
    b = open(path, "rb").read()
    if b[:8] != b"NMCKPT01":
        raise SystemExit(f"{path}: not a NextMask checkpoint (bad magic)")
    n = struct.unpack_from("<I", b, 8)[0]
    header = json.loads(b[12 : 12 + n])
    base = align(12 + n)
    out = {"param": {}, "adam.m": {}, "adam.v": {}}
    for t in header["tensors"]:
        a = np.frombuffer(b, dtype="<f4", count=t["length"], offset=base + t["offset"]).copy()
        out[t["role"]][t["name"]] = a.reshape(t.get("shape", [t["length"]]))
    return header, out


def write_checkpoint(path, steps, config, params):
    """Parameters only (a shipped model needs no Adam moments); written then renamed, never torn."""
    entries, chunks, offset = [], [], 0
    for name, a in params.items():
        a = np.ascontiguousarray(a, dtype="<f4")
        entries.append({"name": name, "role": "param", "length": int(a.size), "shape": list(a.shape), "offset": offset})
        chunks.append((offset, a))
        offset = align(offset + a.nbytes)
    header = json.dumps({"steps": steps, "config": config, "tensors": entries}).encode()
    prefix = bytearray(align(12 + len(header)))
    prefix[:8] = b"NMCKPT01"
    struct.pack_into("<I", prefix, 8, len(header))
    prefix[12 : 12 + len(header)] = header
    buf = bytearray(len(prefix) + offset)
    buf[: len(prefix)] = prefix
    for off, a in chunks:
        buf[len(prefix) + off : len(prefix) + off + a.nbytes] = a.tobytes()
    tmp = f"{path}.tmp"
    with open(tmp, "wb") as f:
        f.write(buf)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def split_file(path, dest, part_bytes):
    """path → dest.00, dest.01, … of at most part_bytes each (for transfers with a per-file limit)."""
    data = open(path, "rb").read()
    for i in range(0, max(1, math.ceil(len(data) / part_bytes))):
        with open(f"{dest}.{i:02d}", "wb") as f:
            f.write(data[i * part_bytes : (i + 1) * part_bytes])
    os.remove(path)


def read_dump(path):
    """A .nmtok file (src/main/training/token-dump.ts) → header and numpy arrays."""
    # .nmtok is gzip (as written); an .xz recompression of it is 25% smaller (the GPU machine's 64 MiB).
    b = (lzma.open if path.endswith(".xz") else gzip.open)(path, "rb").read()
    if b[:8] != b"NMTOK001":
        raise SystemExit(f"{path}: not a NextMask token dump (bad magic)")
    n = struct.unpack_from("<I", b, 8)[0]
    h = json.loads(b[12 : 12 + n])
    lay, r = h["layout"], h["records"]
    at = 12 + n
    arrays = {}
    # Text then region ids per record, and with a region part the prior after the mask (token-dump.ts).
    for name, dtype, per in [
        ("image", "<u2", GRID_TOKENS * lay["imageLevels"]),
        ("text", "<u2", lay.get("promptTokens", lay["maxText"])),
        ("mask", "<u2", GRID_TOKENS),
        ("prior", "<u1", lay.get("priorTokens", 0)),
        ("sample", "<u4", 1),
    ]:
        if per == 0:
            continue
        a = np.frombuffer(b, dtype=dtype, count=r * per, offset=at)
        at += a.nbytes
        arrays[name] = a.reshape(r, per) if per > 1 else a
    arrays["image"] = arrays["image"].reshape(r, GRID_TOKENS, lay["imageLevels"])
    return h, arrays


def load_dumps(paths):
    """Concatenates dumps of one token layout. Their sample lists may differ (a btxrd-only dump beside the full
    list): samples are merged by id, so HET remembers a film's errors across dumps."""
    header, parts, index = None, [], {}
    for p in paths:
        h, a = read_dump(p)
        if header and h["layout"] != header["layout"]:
            raise SystemExit(f"{p}: a different token layout than {paths[0]}")
        header = header or dict(h, samples=[])
        remap = np.empty(len(h["samples"]), dtype=np.int64)
        for i, s in enumerate(h["samples"]):
            if s["id"] not in index:
                index[s["id"]] = len(header["samples"])
                header["samples"].append(s)
            remap[i] = index[s["id"]]
        parts.append(dict(a, sample=remap[a["sample"]]))
    return header, {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def read_mask_codebook(path):
    """models/tokenizers/mask-codebook.bin → [K, 256] bool codewords."""
    b = open(path, "rb").read()
    if b[:4] != b"NMMK":
        raise SystemExit(f"{path}: not a NextMask mask codebook")
    k = struct.unpack_from("<I", b, 8)[0]
    words = np.frombuffer(b, dtype="<u4", count=k * 8, offset=16).reshape(k, 8)
    bits = (words[:, :, None] >> np.arange(32, dtype=np.uint32)) & 1
    return bits.reshape(k, 256).astype(bool)


# ---- layout and network ---------------------------------------------------------------------------------


PRIOR_LEVELS = 16


def token_layout(s):
    """shared/tokens.ts tokenLayout (with its region part: box and click tokens after the text, the prior)."""
    eos = s["maskCodes"]
    image_offset = eos + 1
    text_offset = image_offset + s["imageLevels"] * s["imageCodes"]
    region_offset = text_offset + s["textVocab"]
    bins = s.get("regionBins", 0) or 0
    slots = 4 + 2 * s.get("regionClicks", 0) if bins > 0 else 0
    return {
        **s,
        "eos": eos,
        "imageOffset": image_offset,
        "textOffset": text_offset,
        "regionOffset": region_offset,
        "regionSlots": slots,
        "promptTokens": s["maxText"] + slots,
        "priorTokens": GRID_TOKENS if bins > 0 else 0,
        "vocab": region_offset + (1 + 6 * bins if bins > 0 else 0),
        "outputVocab": s["maskCodes"] + 1,
        "prefix": GRID_TOKENS + s["maxText"] + slots,
        "outputs": GRID_TOKENS + 1,
    }


def position_pairs(lay, length):
    """shared/tokens.ts positionPair for positions [0, length)."""
    G, T = GRID, lay["maxText"]
    text_end = GRID_TOKENS + T
    region_rows = 4 * G + T + 2
    a, b = [], []
    for s in range(length):
        if s < GRID_TOKENS:
            p = (s // G, G + s % G)
        elif s < text_end:
            p = (4 * G + s - GRID_TOKENS, 4 * G + T)
        elif s < lay["prefix"]:
            p = (region_rows + s - text_end, region_rows + lay["regionSlots"])
        else:
            m = s - lay["prefix"]
            p = (4 * G + T + 1, 4 * G + T) if m == GRID_TOKENS else (2 * G + m // G, 3 * G + m % G)
        a.append(p[0])
        b.append(p[1])
    return torch.tensor(a), torch.tensor(b)


def causal_attention(q, k, v):
    if hasattr(F, "scaled_dot_product_attention"):  # torch ≥ 2 (flash attention on the GPU)
        return F.scaled_dot_product_attention(q, k, v, is_causal=True)
    T = q.shape[-2]
    scores = (q / math.sqrt(q.shape[-1])) @ k.transpose(-1, -2)
    scores = scores.masked_fill(torch.ones(T, T, dtype=torch.bool, device=q.device).triu(1), -1e9)
    return scores.softmax(-1) @ v


class Network(torch.nn.Module):
    """network.ts teacherForced over the engine's decoder; parameters keep the engine's names."""

    def __init__(self, arch, params, dropout=0.0):
        super().__init__()
        self.arch, self.lay, self.dropout = arch, token_layout(arch["tokens"]), dropout
        # ParameterDict keys may not contain '.'; keep the engine's names in a side map.
        self.names = list(params)
        self.p = torch.nn.ParameterList([torch.nn.Parameter(torch.from_numpy(params[n])) for n in self.names])
        self.index = {n: i for i, n in enumerate(self.names)}
        a, b = position_pairs(self.lay, self.lay["prefix"] + GRID_TOKENS)
        self.register_buffer("pos_a", a, persistent=False)
        self.register_buffer("pos_b", b, persistent=False)

    def w(self, name):
        return self.p[self.index[name]]

    def linear(self, x, name):
        return x @ self.w(f"{name}.w") + self.w(f"{name}.b")

    def norm(self, x, name):
        return F.layer_norm(x, x.shape[-1:], self.w(f"{name}.scale"), self.w(f"{name}.bias"), 1e-5)

    def drop(self, x):
        return F.dropout(x, self.dropout, self.training) if self.dropout > 0 else x

    def forward(self, image, tokens, prior=None):
        """image [B, 256, L], tokens [B, promptTokens + 256], prior [B, 256] levels with a region part
        → hidden [B, 257, D], head logits, embedding."""
        arch, lay = self.arch, self.lay
        E = self.w("embed.tokens")
        P = self.w("embed.positions")
        # F.embedding, not E[ids]: indexing's backward serialises repeated ids on the GPU (the background
        # code fills most of the mask grid), which made a step ~100x slower.
        pictured = F.embedding(image, E).sum(2)
        if lay["priorTokens"] > 0:
            pictured = pictured + (prior.float() / PRIOR_LEVELS)[..., None] * self.w("embed.prior")
        x = torch.cat([pictured, F.embedding(tokens, E)], 1)
        x = x + F.embedding(self.pos_a, P) + F.embedding(self.pos_b, P)
        B, T, D = x.shape
        H = arch["heads"]
        for l in range(arch["layers"]):
            q, k, v = self.linear(self.norm(x, f"layer{l}.norm1"), f"layer{l}.attn.qkv").split(D, -1)
            q, k, v = (t.view(B, T, H, D // H).transpose(1, 2) for t in (q, k, v))
            a = causal_attention(q, k, v).transpose(1, 2).reshape(B, T, D)
            x = x + self.drop(self.linear(a, f"layer{l}.attn.out"))
            up = F.gelu(self.linear(self.norm(x, f"layer{l}.norm2"), f"layer{l}.mlp.up"), approximate="tanh")
            x = x + self.drop(self.linear(up, f"layer{l}.mlp.down"))
        hidden = self.norm(x, "final.norm")[:, lay["prefix"] - 1 :]
        out = E[: lay["outputVocab"]].t()
        logits = [(hidden if j == 0 else hidden + self.linear(hidden, f"head{j + 1}")) @ out for j in range(arch["predictHeads"])]
        return hidden, logits, E


# ---- losses (src/main/model/losses.ts) --------------------------------------------------------------------


def weighted_ce(logits, targets, weights):
    logp = F.log_softmax(logits.float(), -1).gather(-1, targets[..., None])[..., 0]
    return -(logp * weights).sum() / weights.sum().clamp_min(1e-6)


def next_tokens_loss(logits, targets, decay):
    Bn, P = targets.shape
    loss = weighted_ce(logits[0], targets, torch.ones_like(targets, dtype=torch.float32))
    if decay is not None:
        for j in range(2, len(logits) + 1):
            s = j - 1
            shifted = torch.cat([targets[:, s:], targets.new_zeros(Bn, s)], 1)
            weights = (torch.arange(P, device=targets.device) < P - s).float().expand(Bn, P)
            loss = loss + decay ** (j - 1) * weighted_ce(logits[j - 1], shifted, weights)
    return loss


def unit_rows(x):
    return x / torch.sqrt((x * x).sum(-1, keepdim=True) + 1e-8)


def token_contrastive_loss(hidden, targets, predicted, E, negatives, temperature):
    Bn, P = targets.shape
    ids, penalties = [targets], [torch.zeros(Bn, P, device=targets.device)]
    position = torch.arange(P, device=targets.device)
    for i in range(1, negatives + 1):
        prev = torch.cat([targets.new_zeros(Bn, i), predicted[:, : P - i]], 1)
        excluded = (position < i)[None, :] | (prev == targets)
        ids.append(prev)
        penalties.append(excluded.float() * -1e9)
    candidates = unit_rows(F.embedding(torch.stack(ids, -1), E).float())
    h = unit_rows(hidden.float())[:, :, None, :]
    scores = (h * candidates).sum(-1) / temperature + torch.stack(penalties, -1)
    return -F.log_softmax(scores, -1)[..., 0].mean()


def hard_error_loss(logits, targets, positions, wrong, weights):
    V = logits.shape[-1]
    rows = F.log_softmax(logits.float(), -1).gather(1, positions[..., None].expand(-1, -1, V))
    y = targets.gather(1, positions)
    toward = -rows.gather(-1, y[..., None])[..., 0]
    away = -torch.log((1 - rows.gather(-1, wrong[..., None])[..., 0].exp()).clamp_min(1e-6))
    valid = weights * (wrong != y).float()
    return ((toward + away) * valid).sum() / valid.sum().clamp_min(1e-6)


def model_loss(net, losses, image, tokens, targets, het, prior=None):
    """train-graph.ts modelLoss: returns (loss, metrics, head 1's argmax)."""
    hidden, logits, E = net(image, tokens, prior)
    first = logits[0]
    predicted = first.argmax(-1)
    ntp = next_tokens_loss(logits, targets, losses["nktp"]["decay"] if losses["nktp"]["enabled"] else None)
    loss, metrics = ntp, {"accuracy": (predicted == targets).float().mean(), "ntp": ntp}
    if losses["tcl"]["enabled"]:
        c = losses["tcl"]
        tcl = token_contrastive_loss(hidden, targets, predicted, E, c["negatives"], c["temperature"])
        metrics["tcl"] = tcl
        loss = loss + c["weight"] * tcl
    if losses["het"]["enabled"]:
        h = hard_error_loss(first, targets, *het)
        metrics["het"] = h
        loss = loss + losses["het"]["weight"] * h
    return loss, metrics, predicted


# ---- training ---------------------------------------------------------------------------------------------


def learning_rate(t, step, total):
    """train-config.ts learningRate: linear warm-up, then cosine from lr to 0.1 lr."""
    if step < t["warmupSteps"]:
        return t["lr"] * (step + 1) / t["warmupSteps"]
    progress = min(1.0, (step - t["warmupSteps"]) / max(1, total - t["warmupSteps"]))
    return t["lr"] * (0.1 + 0.45 * (1 + math.cos(math.pi * progress)))


def corrupt_mask_inputs(tokens, max_text, mask_codes, rate, blank, gen):
    """input-noise.ts: per sample a blanking rate r ~ U(0, blank); blanked → background, else noise."""
    m = tokens[:, max_text:]
    Bn, N = m.shape
    r = torch.rand(Bn, 1, device=m.device, generator=gen) * blank
    blanked = torch.rand(Bn, N, device=m.device, generator=gen) < r
    noised = ~blanked & (torch.rand(Bn, N, device=m.device, generator=gen) < rate)
    random_codes = torch.randint(0, mask_codes, (Bn, N), device=m.device, generator=gen)
    m = torch.where(blanked, torch.full_like(m, BACKGROUND_CODE), torch.where(noised, random_codes, m))
    return torch.cat([tokens[:, :max_text], m], 1)


class HetMemory:
    """het-memory.ts on the GPU: per sample the top-H wrong tokens by Hamming distance (EOS: 256)."""

    def __init__(self, samples, top, codewords, device):
        k = codewords.shape[0]
        cw = torch.from_numpy(codewords).to(device)
        dev = torch.full((k + 1, k + 1), 256, dtype=torch.int32, device=device)
        dev[:k, :k] = (cw[:, None, :] != cw[None, :, :]).sum(-1).int()
        dev[k, k] = 0
        self.deviation, self.top = dev, top
        self.positions = torch.zeros(samples, top, dtype=torch.long, device=device)
        self.wrong = torch.zeros(samples, top, dtype=torch.long, device=device)
        self.weights = torch.zeros(samples, top, device=device)

    def fill(self, sample):
        return self.positions[sample], self.wrong[sample], self.weights[sample]

    def record(self, sample, predicted, targets):
        P = targets.shape[1]
        wrong = predicted != targets
        d = self.deviation[predicted, targets].long()
        # Rank by deviation, ties by earlier position (het-memory.ts sort); right ones rank last.
        score = torch.where(wrong, d * (P + 1) + (P - torch.arange(P, device=d.device)), torch.full_like(d, -1))
        best, pos = score.topk(self.top, -1)
        self.positions[sample] = pos
        self.wrong[sample] = predicted.gather(1, pos)
        self.weights[sample] = (best >= 0).float()


def autocast(cuda):
    """bf16 matrix work on the GPU; plain float32 elsewhere (parity and smoke runs)."""
    return torch.autocast("cuda", torch.bfloat16) if cuda else contextlib.nullcontext()


def starting_params(saved, params, seed):
    """The checkpoint's tensors, plus any parameter it gives only as an init rule (tools/gpu-train/init.ts)."""
    rng = np.random.default_rng(seed)
    out = dict(params)
    for name, rule in saved.get("initRules", {}).items():
        shape, init = rule["shape"], rule["init"]
        if init["kind"] == "normal":
            out[name] = (rng.standard_normal(shape) * init["std"]).astype(np.float32)
        elif init["kind"] in ("zeros", "ones"):
            out[name] = np.full(shape, 1.0 if init["kind"] == "ones" else 0.0, dtype=np.float32)
        else:
            raise SystemExit(f"{name}: init rule {init['kind']} is not supported here")
    return out


def to_device(arrays, device):
    return {k: torch.from_numpy(v.astype(np.int64)).to(device) for k, v in arrays.items()}


def batch_tensors(data, idx, lay):
    """image, tokens (text and region, then mask inputs), targets, and the prior (None without a region part)."""
    text = data["text"][idx]
    mask = data["mask"][idx]
    eos = torch.full((len(idx), 1), lay["eos"], dtype=torch.long, device=mask.device)
    prior = data["prior"][idx] if "prior" in data else None
    return data["image"][idx], torch.cat([text, mask], 1), torch.cat([mask, eos], 1), prior


@torch.no_grad()
def evaluate(net, data, lay, batch):
    """Teacher-forced head-1 cross-entropy and token accuracy over a dump (clean inputs)."""
    net.eval()
    n = data["mask"].shape[0]
    ce, acc = 0.0, 0.0
    for s in range(0, n, batch):
        idx = torch.arange(s, min(n, s + batch), device=data["mask"].device)
        image, tokens, targets, prior = batch_tensors(data, idx, lay)
        with autocast(image.is_cuda):
            _, logits, _ = net(image, tokens, prior)
        ce += F.cross_entropy(logits[0].float().flatten(0, 1), targets.flatten(), reduction="sum").item()
        acc += (logits[0].argmax(-1) == targets).sum().item()
    net.train()
    total = n * lay["outputs"]
    return ce / total, acc / total


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--init", required=True, help="NMCKPT01 checkpoint to start from (nextmask train --stop-at 0 writes a fresh one)")
    ap.add_argument("--data", nargs="+", required=True, help=".nmtok training dumps")
    ap.add_argument("--val", nargs="*", default=[], help=".nmtok dumps of the val split (teacher-forced loss only)")
    ap.add_argument("--codebook", default="models/tokenizers/mask-codebook.bin")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seconds", type=float, required=True, help="wall-clock budget for the training steps")
    ap.add_argument("--batch", type=int, default=256)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--warmup", type=int, default=300)
    ap.add_argument("--dropout", type=float, default=0.0)
    ap.add_argument("--noise", type=float, default=None, help="mask input noise (default: the init config's)")
    ap.add_argument("--blank", type=float, default=None, help="mask input blanking (default: the init config's)")
    ap.add_argument("--save-every", type=float, default=90, help="seconds between checkpoints")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--eval-every", type=int, default=500, help="steps between val evaluations")
    ap.add_argument("--keep-best", action="store_true", help="also keep best.ckpt, the lowest val loss so far")
    ap.add_argument("--best-only", action="store_true", help="write best.ckpt only (half the bytes to bring back)")
    ap.add_argument("--split-mb", type=float, default=0, help="write checkpoints as NAME.00, NAME.01, … parts of this size (cat them back)")
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many steps; the cosine then ends there, or when --seconds does if sooner")
    ap.add_argument("--profile", type=int, default=0, help="profile this many steps (after 5 untimed), print the top ops, stop")
    args = ap.parse_args()

    if args.best_only and not (args.keep_best and args.val):
        raise SystemExit("--best-only needs --keep-best and --val")
    device = "cuda" if torch.cuda.is_available() else "cpu"
    torch.manual_seed(args.seed)
    gen = torch.Generator(device=device)
    gen.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    scratch = tempfile.mkdtemp(prefix="nextmask-train-")
    log = open(os.path.join(args.out, "train.log.jsonl"), "a")

    def record(entry):
        log.write(json.dumps({"time": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime()), **entry}) + "\n")
        log.flush()

    header, state = read_checkpoint(args.init)
    saved = header["config"]
    cfg, arch = saved["config"], saved["architecture"]
    lay = token_layout(arch["tokens"])
    dump_header, arrays = load_dumps(args.data)
    if {k: dump_header["layout"][k] for k in arch["tokens"]} != arch["tokens"]:
        raise SystemExit("the dumps' token layout differs from the checkpoint's architecture")
    data = to_device(arrays, device)
    val = to_device(load_dumps(args.val)[1], device) if args.val else None
    net = Network(arch, starting_params(saved, state["param"], args.seed), args.dropout).to(device)
    het_cfg = cfg["losses"]["het"]
    het = HetMemory(len(dump_header["samples"]), het_cfg["top"], read_mask_codebook(args.codebook), device) if het_cfg["enabled"] else None

    decay = [p for p in net.p if p.ndim >= 2]
    no_decay = [p for p in net.p if p.ndim < 2]
    opt = torch.optim.AdamW(
        [{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
        lr=args.lr, betas=(0.9, 0.999), eps=1e-8, **({"fused": True} if device == "cuda" else {}),
    )
    t = dict(cfg["train"], lr=args.lr, warmupSteps=args.warmup, batch=args.batch)
    noise = t.get("maskInputNoise", 0) if args.noise is None else args.noise
    blank = t.get("maskInputBlank", 0) if args.blank is None else args.blank
    start = header["steps"]
    n = data["mask"].shape[0]
    per_epoch = n // args.batch
    if per_epoch == 0:
        raise SystemExit(f"{n} records are fewer than one batch of {args.batch}")
    # File names only: the run's folders exist on the training machine, not where the model ships.
    file_name = lambda path: os.path.basename(os.path.normpath(path))
    gpu = {"seconds": args.seconds, "dropout": args.dropout, "data": [file_name(d) for d in args.data], "init": file_name(args.init), "startStep": start}
    run_cfg = dict(cfg, out=file_name(args.out), train=dict(t, gpu=gpu))
    record({"type": "start", "resumedAt": start, "samples": n, "sources": len(dump_header["samples"]), "perEpoch": per_epoch, "device": torch.cuda.get_device_name() if device == "cuda" else "cpu", "config": run_cfg, "architecture": arch})
    print(f"{n} records, {per_epoch} steps per epoch, {sum(p.numel() for p in net.p)} parameters on {device}", flush=True)

    def save(step, name="checkpoint.ckpt"):
        params = {nm: p.detach().float().cpu().numpy() for nm, p in zip(net.names, net.p)}
        path = os.path.join(args.out, name)
        # Parts are written from a whole file elsewhere, so the out folder never holds an oversized one.
        whole = os.path.join(scratch, name) if args.split_mb else path
        write_checkpoint(whole, step, {"config": run_cfg, "architecture": arch}, params)
        if args.split_mb:
            split_file(whole, path, int(args.split_mb * 2**20))

    def report(step, loss, best):
        """Prints progress; with a val dump, logs its teacher-forced loss and keeps the best checkpoint."""
        line = f"step {step}/{total}: loss {loss:.4f} ({time.time() - began:.0f} s)"
        if val:
            ce, acc = evaluate(net, val, lay, 512)
            record({"type": "valTokens", "step": start + step, "ce": ce, "accuracy": acc})
            line += f" val ce {ce:.4f} acc {acc:.4f}"
            if args.keep_best and (best is None or ce < best):
                save(start + step, "best.ckpt")
            best = ce if best is None else min(best, ce)
        print(line, flush=True)
        return best

    order = torch.randperm(n, device=device, generator=gen)
    total = None  # fixed once the step time is measured, so the cosine ends when the budget does
    began = time.time()
    last_save, timed_from, step, best = began, None, 0, None
    logged = (began, 0)  # (time, step) of the last step line, for its mean step time
    profiler = None
    while total is None or step < total:
        if args.max_steps and step >= args.max_steps:
            break
        if args.profile and step == 5:
            profiler = torch.profiler.profile(activities=[torch.profiler.ProfilerActivity.CPU] + ([torch.profiler.ProfilerActivity.CUDA] if device == "cuda" else []))
            profiler.__enter__()
        if profiler and step == 5 + args.profile:
            if device == "cuda":
                torch.cuda.synchronize()
            profiler.__exit__(None, None, None)
            sort = "self_cuda_time_total" if device == "cuda" else "self_cpu_time_total"
            print(profiler.key_averages().table(sort_by=sort, row_limit=25), flush=True)
            return
        k = step % per_epoch
        if k == 0 and step > 0:
            order = torch.randperm(n, device=device, generator=gen)
        idx = order[k * args.batch : (k + 1) * args.batch]
        image, tokens, targets, prior = batch_tensors(data, idx, lay)
        noisy = corrupt_mask_inputs(tokens, lay["promptTokens"], lay["maskCodes"], noise, blank, gen)
        sample = data["sample"][idx]
        het_in = het.fill(sample) if het else None
        lr = learning_rate(t, step, total or args.max_steps or 10**9)
        for g in opt.param_groups:
            g["lr"] = lr
        with autocast(device == "cuda"):
            loss, metrics, predicted = model_loss(net, cfg["losses"], image, noisy, targets, het_in, prior)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(net.p, 1.0)
        opt.step()
        if het:
            het.record(sample, predicted, targets)
        step += 1
        if step == 20:
            if device == "cuda":
                torch.cuda.synchronize()
            timed_from = (time.time(), step)
        if step == 120 and total is None:
            if device == "cuda":
                torch.cuda.synchronize()
            per_step = (time.time() - timed_from[0]) / (step - timed_from[1])
            total = step + int((args.seconds - (time.time() - began)) / per_step * 0.97)
            if args.max_steps:
                total = min(total, args.max_steps)
            print(f"{per_step * 1000:.1f} ms per step: {total} steps ({total / per_epoch:.1f} epochs)", flush=True)
            record({"type": "plan", "msPerStep": per_step * 1000, "total": total, "epochs": total / per_epoch})
        if step % 20 == 0 or step == total:
            now = time.time()
            ms = (now - logged[0]) / (step - logged[1]) * 1000
            logged = (now, step)
            entry = {"type": "step", "step": start + step, "epoch": step // per_epoch, "lr": lr, "loss": loss.item(), "gradNorm": grad_norm.item(), "stepMs": ms}
            record({**entry, **{k2: v.item() for k2, v in metrics.items()}})
        if step % args.eval_every == 0 or step == total:
            best = report(step, loss.item(), best)
        if step % 20 == 0 and not math.isfinite(loss.item()):
            raise SystemExit(f"loss is {loss.item()} at step {step}; stopping (the last checkpoint is intact)")
        if not args.best_only and time.time() - last_save > args.save_every:
            save(start + step)
            last_save = time.time()
    if args.max_steps and step % args.eval_every:
        best = report(step, loss.item(), best)
    if not args.best_only:
        save(start + step)
    record({"type": "end", "steps": start + step, "seconds": time.time() - began})
    print(json.dumps({"steps": start + step, "seconds": time.time() - began, "bestValCe": best}), flush=True)


if __name__ == "__main__":
    main()

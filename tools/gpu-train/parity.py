#!/usr/bin/env python3
"""Checks train.py's network and losses against the TypeScript graph: both compute the training losses of
the first `count` records of a token dump under a checkpoint's parameters (clean mask inputs, the same
fixed HET inputs), and every value must agree to `--tolerance` (relative). Runs on the CPU, in float32.

Usage: parity.py <checkpoint> <dump.nmtok> [--count 4]   (needs node/npx here for parity.ts)
"""

import argparse
import json
import subprocess
import sys

import numpy as np
import torch

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from train import Network, load_dumps, model_loss, read_checkpoint, token_layout, to_device, batch_tensors  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoint")
    ap.add_argument("dump")
    ap.add_argument("--count", type=int, default=4)
    ap.add_argument("--tolerance", type=float, default=2e-4)
    args = ap.parse_args()
    ts = subprocess.run(
        ["npx", "tsx", "tools/gpu-train/parity.ts", args.checkpoint, args.dump, str(args.count)],
        check=True, capture_output=True, text=True,
    )
    expected = json.loads(ts.stdout.strip().splitlines()[-1])

    header, state = read_checkpoint(args.checkpoint)
    cfg, arch = header["config"]["config"], header["config"]["architecture"]
    lay = token_layout(arch["tokens"])
    data = to_device(load_dumps([args.dump])[1], "cpu")
    net = Network(arch, state["param"])
    B, P, H = args.count, lay["outputs"], cfg["losses"]["het"]["top"]
    image, tokens, targets, prior = batch_tensors(data, torch.arange(B), lay)
    i = torch.arange(B * H)
    het = (
        ((i * 16 + i // H) % P).view(B, H),
        ((i * 37 + 11) % lay["outputVocab"]).view(B, H),
        (i % 3 != 2).float().view(B, H),
    )
    with torch.no_grad():
        loss, metrics, _ = model_loss(net, cfg["losses"], image, tokens, targets, het, prior)
    got = {"loss": loss.item(), **{k: v.item() for k, v in metrics.items()}}
    bad = []
    for k, want in expected.items():
        if k == "count":
            continue
        have = got[k]
        ok = abs(have - want) <= args.tolerance * max(1.0, abs(want))
        print(f"{k:10s} typescript {want:.6f}  pytorch {have:.6f}  {'ok' if ok else 'MISMATCH'}")
        if not ok:
            bad.append(k)
    if bad:
        raise SystemExit(f"parity failed: {', '.join(bad)}")
    print("parity ok")


if __name__ == "__main__":
    main()

#!/usr/bin/env bash
# The GPU run behind the shipped model (docs/MODEL.md, "Training on a GPU"): on one GPU, side by side,
#   base  the CPU-trained model (step 12100) continued at batch 256;
#   wide  a fresh 8-layer, 256-wide model from its codeword init (dropout 0.1).
# Inputs under gpu/, made on the CPU machine (docs/MODEL.md) and carried over; outputs under $OUT/<name>:
# train.log.jsonl and checkpoint parts: checkpoint.ckpt.* (last step) and best.ckpt.* (lowest val loss;
# wide keeps only that one, to stay under 64 MB coming back). cat the parts, then nextmask export.
# Usage, on the GPU machine in the repo root: OUT=<folder> [BASE_INIT=<ckpt>] bash tools/gpu-train/device-run.sh <seconds>
set -uo pipefail
budget=${1:?usage: device-run.sh <seconds of training per run>}
out=${OUT:?set OUT to the folder the results go to}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c 'import torch; print("torch", torch.__version__, torch.cuda.is_available())'
run() {
  local name=$1
  shift
  python3 tools/gpu-train/train.py --data gpu/train-0.nmtok gpu/train-1.nmtok --val gpu/val.nmtok \
    --out "$out/$name" --seconds "$budget" --batch 256 --split-mb 15 "$@" 2>&1 | sed -u "s/^/[$name] /"
}
run base --init "${BASE_INIT:-gpu/base-12100.init.ckpt}" --lr 1e-3 --warmup 200 --keep-best &
run wide --init gpu/wide.init.ckpt --lr 2e-3 --warmup 300 --dropout 0.1 --keep-best --best-only &
wait
ls -la "$out"/*

#!/usr/bin/env bash
# What runs on the GPU machine (docs/MODEL.md, "Training on a GPU"):
#   base  the shipped model (CALL/base.init.ckpt) continued at batch 256, keeping the lowest val loss;
#   wide  with WIDE_INIT=<ckpt> (`init.ts --config <cfg>`), a fresh wider model beside it (dropout 0.1).
# Inputs: the folder prepare-call.sh made (CALL), copied to the machine. Needs an NVIDIA GPU with CUDA and a
# CUDA build of PyTorch. Outputs under $OUT/<name>:
# train.log.jsonl and checkpoint parts, checkpoint.ckpt.* (last step) and best.ckpt.* (lowest val loss;
# wide keeps only that one, to keep the results small). cat the parts, then nextmask export.
# Usage, on the GPU machine in the repo root:
#   CALL=<folder> OUT=<folder> [BASE_LR=5e-4] [WIDE_INIT=<ckpt>] [PROFILE=<steps>] \
#     bash tools/gpu-train/device-run.sh <seconds>
# PROFILE first profiles that many steps of base alone (torch.profiler's top ops), then trains.
set -uo pipefail
budget=${1:?usage: device-run.sh <seconds of training per run>}
out=${OUT:?set OUT to the folder the results go to}
call=${CALL:?set CALL to the folder prepare-call.sh made}
data=("$call/train-0.nmtok.xz" "$call/train-1.nmtok.xz")
val="$call/val.nmtok.xz"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c 'import torch; print("torch", torch.__version__, torch.cuda.is_available())'
train() {
  python3 tools/gpu-train/train.py --batch 256 --split-mb 15 "$@"
}
if [ -n "${PROFILE:-}" ]; then
  train --data "${data[@]}" --init "$call/base.init.ckpt" --out "$(mktemp -d)" --seconds 60 --profile "$PROFILE" 2>&1 |
    sed -u 's/^/[profile] /'
fi
run() {
  local name=$1
  shift
  train --out "$out/$name" --seconds "$budget" "$@" 2>&1 | sed -u "s/^/[$name] /"
}
run base --data "${data[@]}" --val "$val" --init "$call/base.init.ckpt" --lr "${BASE_LR:-5e-4}" --warmup 200 \
  --keep-best &
if [ -n "${WIDE_INIT:-}" ]; then
  run wide --data "${data[@]}" --val "$val" --init "$WIDE_INIT" --lr 2e-3 --warmup 300 --dropout 0.1 \
    --keep-best --best-only &
fi
wait
ls -la "$out"/*

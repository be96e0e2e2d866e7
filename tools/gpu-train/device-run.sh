#!/usr/bin/env bash
# What runs on the GPU machine (docs/MODEL.md, "Training on a GPU"). Session 7's two calls, side by side:
#   base  the CPU-trained model (step 12100; BASE_INIT) continued at batch 256;
#   wide  a fresh 8-layer, 256-wide model from its codeword init (dropout 0.1).
# Inputs under gpu/, made on the CPU machine and carried over; outputs under $OUT/<name>: train.log.jsonl
# and checkpoint parts: checkpoint.ckpt.* (last step) and best.ckpt.* (lowest val loss; wide keeps only
# that one, to stay under 64 MB coming back). cat the parts, then nextmask export.
# Usage, on the GPU machine in the repo root:
#   OUT=<folder> [BASE_INIT=<ckpt>] [BASE_LR=1e-3] [RUNS="base wide"] [DATA="<dumps>"] [PROFILE=<steps>] \
#     bash tools/gpu-train/device-run.sh <seconds>
# PROFILE first profiles that many steps of base alone (torch.profiler's top ops), then trains.
set -uo pipefail
budget=${1:?usage: device-run.sh <seconds of training per run>}
out=${OUT:?set OUT to the folder the results go to}
read -ra data <<<"${DATA:-gpu/train-0.nmtok gpu/train-1.nmtok}"
runs=" ${RUNS:-base wide} "
base_init=${BASE_INIT:-gpu/base-12100.init.ckpt}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c 'import torch; print("torch", torch.__version__, torch.cuda.is_available())'
train() {
  python3 tools/gpu-train/train.py --data "${data[@]}" --val gpu/val.nmtok --batch 256 --split-mb 15 "$@"
}
if [ -n "${PROFILE:-}" ]; then
  train --init "$base_init" --out /tmp/profile --seconds 60 --profile "$PROFILE" 2>&1 | sed -u 's/^/[profile] /'
fi
run() {
  local name=$1
  shift
  train --out "$out/$name" --seconds "$budget" "$@" 2>&1 | sed -u "s/^/[$name] /"
}
[[ $runs == *" base "* ]] && run base --init "$base_init" --lr "${BASE_LR:-1e-3}" --warmup 200 --keep-best &
[[ $runs == *" wide "* ]] && run wide --init gpu/wide.init.ckpt --lr 2e-3 --warmup 300 --dropout 0.1 --keep-best --best-only &
wait
ls -la "$out"/*

#!/usr/bin/env bash
# What runs on the GPU machine (docs/MODEL.md, "Training on a GPU"). Up to three runs, side by side:
#   base  the shipped model (BASE_INIT, from `init.ts --model models/base`) continued at batch 256;
#   zoom  the shipped model fine-tuned on region draws of the BTXRD films (ZOOM_DATA, ZOOM_VAL; `tokens
#         --region`), for the zoomed second look; dropout and the best val loss, as 1305 films overfit fast;
#   wide  a fresh 8-layer, 256-wide model from its codeword init (dropout 0.1).
# Inputs: gpu/call/, made on the CPU machine by prepare-call.sh and carried over (other runs' inputs under
# gpu/ by the variables below); outputs under $OUT/<name>: train.log.jsonl
# and checkpoint parts: checkpoint.ckpt.* (last step) and best.ckpt.* (lowest val loss; wide and zoom keep
# only that one, to stay under 64 MB coming back). cat the parts, then nextmask export.
# Usage, on the GPU machine in the repo root:
#   OUT=<folder> [BASE_INIT=<ckpt>] [BASE_LR=5e-4] [RUNS="base zoom"] [DATA="<dumps>"] [VAL=<dump>] \
#     [ZOOM_DATA="<dumps>"] [ZOOM_VAL=<dump>] [ZOOM_LR=5e-4] [ZOOM_STEPS=400] [PROFILE=<steps>] \
#     bash tools/gpu-train/device-run.sh <seconds>
# PROFILE first profiles that many steps of base alone (torch.profiler's top ops), then trains.
set -uo pipefail
budget=${1:?usage: device-run.sh <seconds of training per run>}
out=${OUT:?set OUT to the folder the results go to}
read -ra data <<<"${DATA:-gpu/call/train-0.nmtok.xz gpu/call/train-1.nmtok.xz}"
read -ra zoom_data <<<"${ZOOM_DATA:-gpu/call/region-train.0.nmtok.xz gpu/call/region-train.1.nmtok.xz}"
runs=" ${RUNS:-base zoom} "
base_init=${BASE_INIT:-gpu/call/base.init.ckpt}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c 'import torch; print("torch", torch.__version__, torch.cuda.is_available())'
train() {
  python3 tools/gpu-train/train.py --batch 256 --split-mb 15 "$@"
}
if [ -n "${PROFILE:-}" ]; then
  train --data "${data[@]}" --init "$base_init" --out /tmp/profile --seconds 60 --profile "$PROFILE" 2>&1 | sed -u 's/^/[profile] /'
fi
run() {
  local name=$1
  shift
  train --out "$out/$name" --seconds "$budget" "$@" 2>&1 | sed -u "s/^/[$name] /"
}
val=${VAL:-gpu/call/val.nmtok.xz}
[[ $runs == *" base "* ]] &&
  run base --data "${data[@]}" --val "$val" --init "$base_init" --lr "${BASE_LR:-5e-4}" --warmup 200 --keep-best &
# 10 440 region draws are 40 steps of 256: evaluate every epoch, keep the best, stop after ZOOM_STEPS
# (10 epochs) so that base has the GPU to itself for the rest of the budget.
[[ $runs == *" zoom "* ]] &&
  run zoom --data "${zoom_data[@]}" --val "${ZOOM_VAL:-gpu/call/region-val.nmtok.xz}" --init "$base_init" \
    --lr "${ZOOM_LR:-5e-4}" --warmup 40 --dropout 0.1 --eval-every 40 --max-steps "${ZOOM_STEPS:-400}" \
    --keep-best --best-only &
[[ $runs == *" wide "* ]] &&
  run wide --data "${data[@]}" --val "$val" --init gpu/wide.init.ckpt --lr 2e-3 --warmup 300 --dropout 0.1 \
    --keep-best --best-only &
wait
ls -la "$out"/*

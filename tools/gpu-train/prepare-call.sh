#!/usr/bin/env bash
# Makes gpu/call/: everything one device call of device-run.sh (RUNS="base zoom") reads, 47 MiB, so a
# session that is lent a GPU spends its device minutes training, not waiting. On this 2-core machine ≈1
# hour (the mixture's draws are most of it); rerun it to go on where it stopped (finished files are kept).
#   base.init.ckpt          the shipped model's weights (init.ts --model models/base; byte-exact round trip)
#   train-{0,1}.nmtok.xz    two augmented draws of every training sample (the mixture, configs/base-leg5.json)
#   val.nmtok.xz            one draw of every val sample (teacher-forced val loss)
#   region-train.{0,1}.nmtok.xz, region-val.nmtok.xz   the same for the zoom model: BTXRD films cropped to the
#                           part of the film their description names (tokens --region), seed 7 as session 13
# Usage, in the repo root: bash tools/gpu-train/prepare-call.sh
set -euo pipefail
dir=gpu/call
mkdir -p "$dir"
tokens() { npx tsx src/cli/nextmask.ts tokens --config configs/base-leg5.json "$@"; }

# One dump, recompressed to .xz (25% smaller than the gzip `tokens` writes: what lets it all fit one call).
dump() {
  local name=$1
  shift
  [ -f "$dir/$name.nmtok.xz" ] && return 0
  [ -f "gpu/$name.nmtok" ] || tokens "$@" --out "gpu/$name.nmtok.part"
  [ -f "gpu/$name.nmtok.part" ] && mv "gpu/$name.nmtok.part" "gpu/$name.nmtok"
  gunzip -c "gpu/$name.nmtok" | xz -T2 >"$dir/$name.nmtok.xz.part"
  mv "$dir/$name.nmtok.xz.part" "$dir/$name.nmtok.xz"
}

[ -f "$dir/base.init.ckpt" ] || npx tsx tools/gpu-train/init.ts --model models/base --out "$dir/base.init.ckpt"
# Two shards at a time, one per core; `wait <pid>` stops the script if either failed.
dump train-0 --variants 2 --shard 0/2 &
a=$!
dump train-1 --variants 2 --shard 1/2 &
b=$!
wait "$a"
wait "$b"
dump val --split val --variants 1
region=(--groups btxrd --region --seed 7)
dump region-train.0 "${region[@]}" --variants 2 --shard 0/2 &
a=$!
dump region-train.1 "${region[@]}" --variants 2 --shard 1/2 &
b=$!
wait "$a"
wait "$b"
dump region-val --split val "${region[@]}" --variants 1
ls -la "$dir"
du -sh "$dir"

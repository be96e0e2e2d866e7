#!/usr/bin/env bash
# Makes everything device-run.sh reads, in the folder given (keep it git-ignored), so the GPU's time goes
# to training, not to drawing samples. On a 2-core machine ≈1 hour (the training draws are
# most of it); rerun it to go on where it stopped (finished files are kept).
#   base.init.ckpt          the shipped model's weights (init.ts --model models/base; byte-exact round trip)
#   train-{0,1}.nmtok.xz    two augmented draws of every training sample (configs/base.json)
#   val.nmtok.xz            one draw of every val sample (teacher-forced val loss)
# Usage, in the repo root: bash tools/gpu-train/prepare-call.sh <folder>
set -euo pipefail
dir=${1:?usage: prepare-call.sh <folder for the inputs>}
mkdir -p "$dir"
tokens() { npx tsx src/cli/nextmask.ts tokens --config configs/base.json "$@"; }

# One dump, recompressed to .xz (25% smaller than the gzip `tokens` writes, so the folder copies faster).
dump() {
  local name=$1
  shift
  [ -f "$dir/$name.nmtok.xz" ] && return 0
  [ -f "$dir/$name.nmtok" ] || tokens "$@" --out "$dir/$name.nmtok.part"
  [ -f "$dir/$name.nmtok.part" ] && mv "$dir/$name.nmtok.part" "$dir/$name.nmtok"
  gunzip -c "$dir/$name.nmtok" | xz -T2 >"$dir/$name.nmtok.xz.part"
  mv "$dir/$name.nmtok.xz.part" "$dir/$name.nmtok.xz"
  rm "$dir/$name.nmtok"
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
ls -la "$dir"
du -sh "$dir"

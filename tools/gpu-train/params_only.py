#!/usr/bin/env python3
"""A checkpoint's parameters without its Adam moments (a third of the size), as train.py's --init for
continuing a CPU-trained run on a GPU machine with less to copy there.

Usage: params_only.py <run>/checkpoint.ckpt <out.ckpt>
"""

import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0])
from train import read_checkpoint, write_checkpoint  # noqa: E402

if len(sys.argv) != 3:
    raise SystemExit(__doc__)
header, state = read_checkpoint(sys.argv[1])
write_checkpoint(sys.argv[2], header["steps"], header["config"], state["param"])

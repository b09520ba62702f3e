"""Where the check scripts find mixcost: $MIXCOST, else a debug build made with cargo.

Python 3 standard library only.
"""

import os
import subprocess

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def mixcost_binary():
    binary = os.environ.get("MIXCOST")
    if binary:
        return binary
    subprocess.run(["cargo", "build", "--quiet", "--locked"], cwd=ROOT, check=True)
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(ROOT, "target")
    return os.path.join(target, "debug", "mixcost")

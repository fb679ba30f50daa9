"""A served worker settles the garbage collector once built (objectbase/app.py): what exists then is
frozen, so a full collection no longer walks the whole app while requests wait, and young
collections run less often. In a child process: freezing the test process would keep its garbage."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from objectbase.app import YOUNG_COLLECTION_EVERY

_PROBE = """
import gc, json, time
from objectbase.app import create_app_from_env
app = create_app_from_env()
frozen = gc.get_freeze_count()
started = time.perf_counter()
gc.collect()
print(json.dumps({"frozen": frozen, "young": gc.get_threshold()[0], "tracked": len(gc.get_objects()),
                  "full_ms": (time.perf_counter() - started) * 1000}))
"""


def test_a_worker_freezes_what_it_built_and_collects_young_objects_less_often(tmp_path: Path) -> None:
    env = {"OBJECTBASE_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["young"] == YOUNG_COLLECTION_EVERY
    # The built app (tens of thousands of objects) is frozen; a full collection walks only what came after.
    assert seen["frozen"] > 20_000
    assert seen["tracked"] < seen["frozen"] / 10

"""G8 memory: peak resident memory of a full demo run and of publishing 10,000 events.

Each command runs under a small wrapper process that waits for it and reads
``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``: the peak RSS of the
largest process in the command's tree (the crawl, if it ever moves to its own
subprocess, is counted too). The baseline is the same interpreter importing
ventanas' CLI and doing nothing.

The issue sets no memory target; the budget here is 512 MB per process, so
that the whole job fits next to a database on a 1 GB machine (DESIGN §12:
one machine serves a regional network).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.common import Figure

ROOT = Path(__file__).resolve().parent.parent
BUDGET_MB = 512
N_EVENTS = 10_000
_WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)\n"
)


def peak_mb(command: list[str], *, env: dict[str, str], cwd: Path, ok_codes: tuple[int, ...] = (0,)) -> float:
    result = subprocess.run([sys.executable, "-c", _WRAPPER, *command], env=env, cwd=cwd, capture_output=True,
                            text=True, timeout=900, check=True)
    kilobytes, code = result.stdout.split()
    if int(code) not in ok_codes:
        raise RuntimeError(f"{' '.join(command[1:])} exited {code}")
    return int(kilobytes) / 1024  # Linux reports ru_maxrss in KiB


def clean_env(**settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VENTANAS_")}
    env.update(settings)
    return env


def seed_events(database_url: str) -> None:
    from bench.g1_ingest import ingest, raw_rows
    from ventanas.storage import Storage

    storage = Storage.open(database_url)
    try:
        report = ingest(storage, raw_rows(N_EVENTS))
        if report.inserted != N_EVENTS:
            raise RuntimeError(f"seeding stored {report.inserted} of {N_EVENTS} events")
    finally:
        storage.dispose()


def run() -> list[Figure]:
    python, cli = sys.executable, str(ROOT / "run.py")
    with tempfile.TemporaryDirectory(prefix="bench-g8-") as tmp_name:
        tmp = Path(tmp_name)
        env = clean_env()
        baseline = peak_mb([python, "-c", "import run, ventanas"], env=env, cwd=ROOT)
        bare = peak_mb([python, "-c", "pass"], env=env, cwd=ROOT)

        demo_env = clean_env(VENTANAS_VAR_DIR=str(tmp / "demo" / "var"), VENTANAS_PUBLIC_DIR=str(tmp / "demo" / "public"))
        (tmp / "demo").mkdir()
        demo = peak_mb([python, cli, "demo", "--port", "0"], env=demo_env, cwd=tmp / "demo", ok_codes=(0, 1))

        database = f"sqlite:///{tmp / 'publish' / 'var' / 'ventanas.db'}"
        seed_events(database)
        publish_env = clean_env(VENTANAS_VAR_DIR=str(tmp / "publish" / "var"), VENTANAS_DATABASE_URL=database,
                                VENTANAS_PUBLIC_DIR=str(tmp / "publish" / "public"), VENTANAS_TODAY="2025-08-01")
        publish = peak_mb([python, cli, "publish", "--all"], env=publish_env, cwd=tmp / "publish")
        feeds = sum(1 for _ in (tmp / "publish" / "public").rglob("*.ics"))

    reference = {"baseline_mb": round(baseline, 1), "python_alone_mb": round(bare, 1)}
    return [
        Figure(
            "G8 memory demo", demo / baseline, f"x baseline ({demo:.0f} MB)", f"<= {BUDGET_MB} MB",
            demo <= BUDGET_MB, {"peak_mb": round(demo, 1), **reference},
        ),
        Figure(
            "G8 memory publish 10k", publish / baseline, f"x baseline ({publish:.0f} MB)", f"<= {BUDGET_MB} MB",
            publish <= BUDGET_MB, {"peak_mb": round(publish, 1), "events": N_EVENTS, "ics_files": feeds, **reference},
        ),
    ]

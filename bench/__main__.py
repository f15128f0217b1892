"""`make bench`: run every bench/g*.py module and end with one line per figure.

    python -m bench            # all
    python -m bench g1 g6      # some
"""

from __future__ import annotations

import importlib
import json
import sys
import traceback
from pathlib import Path

from bench.common import Figure


def main(argv: list[str]) -> int:
    modules = sorted(p.stem for p in Path(__file__).parent.glob("g*_*.py"))
    wanted = [m for m in modules if not argv or any(m.startswith(a) for a in argv)]
    figures: list[Figure] = []
    broken: list[str] = []
    for name in wanted:
        print(f"== {name}", flush=True)
        try:
            module_figures = importlib.import_module(f"bench.{name}").run()
        except Exception:  # noqa: BLE001 - one broken benchmark must not hide the others' figures
            traceback.print_exc()
            broken.append(name)
            continue
        for figure in module_figures:
            print(f"   {figure.name}: {json.dumps(figure.absolute)}", flush=True)
        figures.extend(module_figures)
    print()
    for figure in figures:
        print(figure.line())
    for name in broken:
        print(f"{name}: ERROR (see the traceback above)")
    return 1 if broken else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

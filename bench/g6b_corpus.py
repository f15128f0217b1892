"""G6b corpus score: the share of stated facts `extract` finds in real documents.

Real announcements nobody here wrote, with their stated facts, live beside the
checkout in ``../shared/realtexts`` (or ``VENTANAS_REALTEXTS``); their scorer is
``../shared/eval/score_extraction.py``. This runs the same scoring in one process
(each document read as ``run.py extract FILE --lang L --published D`` reads it,
no hints) and reports the score, the documents per second and the slowest
document. Without the corpus it reports nothing: the texts are not ours to ship.
"""

from __future__ import annotations

import importlib.util
import json
import os
import time
from datetime import date
from pathlib import Path

from bench.common import Figure
from ventanas.normalize.extraction import extract_file

TARGET = 95.0
ROOT = Path(__file__).resolve().parent.parent


def _corpus() -> tuple[Path, Path] | None:
    corpus = Path(os.environ.get("VENTANAS_REALTEXTS") or ROOT.parent / "shared" / "realtexts")
    scorer = corpus.parent / "eval" / "score_extraction.py"
    if not (corpus / "expected.json").exists() or not scorer.exists():
        return None
    return corpus, scorer


def run() -> list[Figure]:
    found = _corpus()
    if found is None:
        print("   G6b: no ../shared/realtexts beside the checkout (or VENTANAS_REALTEXTS): not measured")
        return []
    corpus, scorer_path = found
    spec = importlib.util.spec_from_file_location("score_extraction", scorer_path)
    scorer = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(scorer)  # type: ignore[union-attr]
    cases = json.loads((corpus / "expected.json").read_text(encoding="utf-8"))
    got = total = 0
    slowest = (0.0, "")
    started = time.perf_counter()
    for case in cases:
        published = date.fromisoformat(case["published"]) if case.get("published") else None
        t0 = time.perf_counter()
        events, _notes = extract_file(str(corpus / case["file"]), lang=case.get("lang"), published=published)
        slowest = max(slowest, (time.perf_counter() - t0, case["file"]))
        g, t, misses = scorer.score_case(json.loads(json.dumps(events, default=str)), case)
        got, total = got + g, total + t
        if misses:
            print(f"   {case['file']}: {g}/{t}; missing: {'; '.join(misses)[:200]}")
    elapsed = time.perf_counter() - started
    rate = 100.0 * got / total if total else 0.0
    return [Figure("G6b corpus score", rate, "% of stated facts", f">= {TARGET:g}%", rate >= TARGET,
                   {"facts_found": got, "facts": total, "documents": len(cases),
                    "docs_per_s": round(len(cases) / elapsed, 1), "slowest_doc_s": round(slowest[0], 3),
                    "slowest_doc": slowest[1]})]

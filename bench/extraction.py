"""Extraction accuracy on the labelled fixture set (tests/fixtures/extraction).

    .venv/bin/python bench/extraction.py [-v]

Prints per-field accuracy; exits non-zero below the targets (100% dates and readout
yes/no, 95% body boundaries).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawler.reading import ReadRequest, read_article  # noqa: E402
from tests.fixtures.extraction.generate import sentences  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "extraction"
TARGETS = {"date": 1.0, "readout": 1.0, "first_sentence": 0.95, "last_sentence": 0.95}


def measure(verbose: bool = False) -> dict[str, float]:
    labels = json.loads((FIXTURES / "labels.json").read_text(encoding="utf-8"))
    hits = {k: 0 for k in ("title", "date", "readout", "kind", "first_sentence", "last_sentence")}
    for label in labels:
        html = (FIXTURES / "pages" / label["file"]).read_bytes().decode(label["encoding"])
        got = read_article(ReadRequest(html, label["url"], "Asia/Shanghai", label["language"],
                                       None, None, None))
        body = sentences(got.text.replace("\n\n", " ")) or [""]
        found = {"title": got.title, "date": (got.published or "")[:10], "readout": got.is_readout,
                 "kind": got.kind, "first_sentence": body[0], "last_sentence": body[-1]}
        for key in hits:
            ok = found[key] == label[key]
            hits[key] += ok
            if verbose and not ok:
                print(f"{label['file']} ({label['layout']}) {key}: got {found[key]!r}, "
                      f"expected {label[key]!r}")
    return {k: v / len(labels) for k, v in hits.items()} | {"articles": len(labels)}


def main() -> int:
    scores = measure(verbose="-v" in sys.argv)
    print(f"{scores['articles']:.0f} labelled articles")
    for key, value in scores.items():
        if key != "articles":
            target = TARGETS.get(key)
            note = f" (target {target:.0%})" if target else ""
            print(f"{key:15s} {value:7.1%}{note}")
    return 0 if all(scores[k] >= t for k, t in TARGETS.items()) else 1


if __name__ == "__main__":
    sys.exit(main())

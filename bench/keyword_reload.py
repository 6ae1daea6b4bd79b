"""How long the fan-out hook takes to rebuild its keyword-alert index, which it does before the first story
after any alert changes (issue 18): 20,000 alerts, first from scratch, then with the phrases already parsed.

Run: .venv/bin/python bench/keyword_reload.py [ALERTS]
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from delivery.fanout import KeywordAlertIndex  # noqa: E402
from model import KeywordAlert  # noqa: E402

WORDS = ("maduro", "ofac", "chevron", "petare", "cne", "machado", "gonzalez", "licencia", "barbados", "pdvsa")


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    rng = random.Random(18)
    alerts = [KeywordAlert(n, 1000 + n // 20, f"{' '.join(rng.sample(WORDS, 2))} palabra{n}") for n in range(count)]
    for label in ("first build (every phrase parsed)", "rebuild (phrases cached)", "rebuild (phrases cached)"):
        started = time.perf_counter()
        KeywordAlertIndex(alerts)
        print(f"{label}: {count} alerts in {(time.perf_counter() - started) * 1000:.0f} ms")


if __name__ == "__main__":
    main()

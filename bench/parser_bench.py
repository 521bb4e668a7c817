"""Parser throughput: read every corpus message over and over for about 3 seconds.

Run from the repository root:  .venv/bin/python bench/parser_bench.py [seconds]
Prints the command line used and messages read per second (one process, one thread).
bench/run.py calls `measure` for the parser line of RESULTS.md.
"""
from __future__ import annotations

import json
import shlex
import sys
import time
import tomllib
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from handlers.parser import KindWords, read  # noqa: E402


def load_kinds() -> tuple[KindWords, ...]:
    """The kinds of the embedded default config."""
    config = tomllib.loads((ROOT / "bot" / "defaults.toml").read_text(encoding="utf-8"))
    return tuple(KindWords(code, tuple(kind.get("synonyms", ())), tuple(kind.get("levels", {})),
                           kind.get("unit", ""))
                 for code, kind in config["rules"]["kinds"].items())


def measure(seconds: float = 3.0) -> dict:
    """Read the corpus over and over for `seconds`; returns counts and messages per second."""
    lines = (ROOT / "tests" / "data" / "parser_corpus.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines if line.strip()]
    messages = [(row["text"], date.fromisoformat(row.get("today", "2026-11-22"))) for row in rows]
    kinds = load_kinds()
    done, started = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - started) < seconds:
        for text, today in messages:
            read(text, kinds=kinds, today=today)
        done += len(messages)
    chars = sum(len(text) for text, _ in messages) / len(messages)
    return {"messages": done, "corpus_lines": len(messages), "chars": chars, "seconds": elapsed,
            "per_second": done / elapsed}


def main(argv: list[str]) -> None:
    seconds = float(argv[1]) if len(argv) > 1 else 3.0
    found = measure(seconds)
    print(f"command: {shlex.join([sys.executable, *argv])}")
    print(f"{found['messages']} messages ({found['corpus_lines']} corpus lines, {found['chars']:.1f} chars on average) "
          f"in {found['seconds']:.2f} s: {found['per_second']:,.0f} messages/s")


if __name__ == "__main__":
    main(sys.argv)

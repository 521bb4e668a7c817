"""CPU per report message through the dispatcher, in process: the A/B tool for the callback's code.

    .venv/bin/python bench/profile_report.py bench/.data/bench-quick-postgresql.toml [-n 600] [--profile]

Runs report messages (as in bench/run.py) from random members through `Dispatcher.handle`
(member lookup, rate limit, claim, parse, score, insert, answer, commit) and prints this
process's CPU milliseconds per message and the database statements per message. With
`--profile`, the 25 functions with the most cumulative time. Needs a database made by
`make bench` or `make bench-quick` (the config files are in bench/.data/).
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event  # noqa: E402

from bench.run import REPORTS, people  # noqa: E402
from bench import generate as gen  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Measure; print one line per round (and a profile when asked)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("config")
    parser.add_argument("-n", type=int, default=600, help="messages per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)

    from bot import create_app
    from bot.config import load_config
    from bot.wecom import Incoming

    app = create_app(load_config(args.config))
    state = app.extensions["hongling"]
    members = people(state.engine)["members"]
    statements = [0]
    event.listen(state.engine, "before_cursor_execute", lambda *a: statements.__setitem__(0, statements[0] + 1))
    rng = random.Random(5)
    stamp = time.time_ns()
    serial = iter(range(10**9))

    def one() -> str:
        text = rng.choice(REPORTS).format(book=rng.choice(gen.BOOKS), paper=rng.choice(gen.RESULTS))
        return state.dispatcher.handle(Incoming(userid=rng.choice(members), message_type="text", text=text,
                                                dedup_key=f"profile:{stamp}:{next(serial)}"))

    for _ in range(50):
        one()
    profiler = cProfile.Profile() if args.profile else None
    for round_no in range(args.rounds):
        statements[0] = 0
        cpu, wall = time.process_time(), time.perf_counter()
        if profiler and round_no == args.rounds - 1:
            profiler.enable()
        for _ in range(args.n):
            one()
        if profiler and round_no == args.rounds - 1:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
        print(f"round {round_no + 1}: {args.n} reports, CPU {cpu / args.n * 1000:.2f} ms/msg, "
              f"wall {wall / args.n * 1000:.2f} ms/msg, {statements[0] / args.n:.1f} statements/msg")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    state.engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())

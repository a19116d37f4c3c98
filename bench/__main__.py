"""`python -m bench`: start (or reach) the servers, run the benchmarks, print a summary."""

from __future__ import annotations

import time

from bench import (
    blindspots,
    bulk,
    forms,
    latency,
    ministry,
    packs,
    provision,
    referrals,
    rules,
    upgrade,
)
from bench.env import open_env
from bench.report import Figure, say, summary


def main() -> None:
    started = time.perf_counter()
    say("Dolbom bench: figures are printed next to the issue's goals; nothing is asserted.")
    env = open_env()
    figures: list[Figure] = []
    try:
        say(f"database {env.database_url.split('@')[-1]}, redis {env.redis_url}\n")
        figures += provision.run()
        figures += bulk.run()
        figures += upgrade.run(env.database_url, env.redis_url, bulk.COUNT)
        figures += latency.run(env.database_url, env.redis_url)
        figures += referrals.run(env.database_url, env.redis_url)
        figures += forms.run()
        figures += rules.run()
        figures += packs.run()
        figures += blindspots.run()
        figures += ministry.run()
    finally:
        env.close()
        summary(figures, time.perf_counter() - started)


if __name__ == "__main__":
    main()

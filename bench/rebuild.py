"""`directory search-rebuild` while searches go on (`python -m bench.rebuild`).

One client searches the API on the Meilisearch backend in a loop (words from `bench.run`,
whole country) while the rebuild command runs as a subprocess; it prints the searches made, how
many were answered empty or by another backend (both must be 0) and the rebuild's time.
"""

import argparse
import asyncio
import contextlib
import os
import random
import sys
import time
from collections.abc import Sequence

import httpx

from bench.run import WORDS, console, loopback_url


async def search_during(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    searches = empty = wrong = failed = 0
    async with httpx.AsyncClient(base_url=args.base_url, timeout=30.0) as client:
        started = time.perf_counter()
        rebuild = await asyncio.create_subprocess_exec(
            *args.command, env=os.environ.copy(), stdout=asyncio.subprocess.DEVNULL
        )
        while rebuild.returncode is None:
            response = await client.get("/services", params={"search": rng.choice(WORDS)})
            searches += 1
            if response.status_code != 200:
                failed += 1
            elif response.headers.get("x-search-backend") != "meilisearch":
                wrong += 1
            elif not response.json()["total_items"]:
                empty += 1
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(rebuild.wait()), 0.001)
        seconds = time.perf_counter() - started
    console.print(
        f"rebuild: {seconds:.1f} s (exit {rebuild.returncode}); searches meanwhile {searches}, "
        f"empty {empty}, answered by PostgreSQL {wrong}, non-200 {failed}"
    )
    return 0 if rebuild.returncode == 0 and not (empty or wrong or failed) else 1


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rebuild", description=__doc__)
    parser.add_argument("--base-url", type=loopback_url, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("command", nargs="+", help="the rebuild command, after --")
    return asyncio.run(search_during(parser.parse_args(argv)))


if __name__ == "__main__":
    sys.exit(main())

"""The open-data exports' build times (`python -m bench.exports`): each export whole and for one
district, one client, median of a few requests, with the size of the file."""

from __future__ import annotations

import argparse
import statistics
import time

import httpx
from rich.console import Console
from rich.table import Table

console = Console()
EXPORTS = [
    "/export/services.csv",
    "/export/services.geojson",
    "/export/hsds-datapackage.zip",
]
FILTERS: list[tuple[str, dict[str, str]]] = [("all", {}), ("district", {"district": "Jashore"})]


def timed(http: httpx.Client, path: str, params: dict[str, str]) -> tuple[float, int]:
    """Milliseconds to the last byte, and the bytes."""
    started = time.perf_counter()
    response = http.get(path, params=params)
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed * 1000, len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", default="http://127.0.0.1:8001")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    table = Table(title=f"exports {args.label}, median of {args.rounds} requests".strip())
    for column in ("export", "filter", "median ms", "max ms", "size (kB)"):
        table.add_column(column, justify="left" if column in ("export", "filter") else "right")
    with httpx.Client(base_url=args.base_url, timeout=600) as http:
        for path in EXPORTS:
            for label, params in FILTERS:
                timed(http, path, params)  # warm the caches
                runs = [timed(http, path, params) for _ in range(args.rounds)]
                times = [ms for ms, _ in runs]
                table.add_row(
                    path,
                    label,
                    f"{statistics.median(times):.0f}",
                    f"{max(times):.0f}",
                    f"{runs[-1][1] / 1000:.0f}",
                )
    console.print(table)


if __name__ == "__main__":
    main()

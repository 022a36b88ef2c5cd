"""`format=ndjson` beside a full walk of the JSON pages over the same list (`python -m
bench.ndjson`): a harvester's two ways of reading everything, interleaved so that both see the
same machine, with the medians, the record counts (they must agree) and the ratio."""

from __future__ import annotations

import argparse
import json
import statistics
import time

import httpx
from rich.console import Console
from rich.table import Table

console = Console()
LISTS: list[tuple[str, str, dict[str, str]]] = [
    ("services", "/services", {}),
    ("services minimal", "/services", {"minimal": "true"}),
    ("services near Kalaroa 25 km", "/services", {"near": "Kalaroa", "radius_km": "25"}),
    ("service_at_locations", "/service_at_locations", {}),
    ("organizations", "/organizations", {}),
    ("taxonomy_terms", "/taxonomy_terms", {}),
]
PER_PAGE = 100


def walk(http: httpx.Client, path: str, params: dict[str, str]) -> tuple[float, int]:
    """Milliseconds and records of a walk of every JSON page."""
    started, count, page = time.perf_counter(), 0, 1
    while True:
        response = http.get(path, params={**params, "page": str(page), "per_page": str(PER_PAGE)})
        response.raise_for_status()
        body = response.json()
        count += len(body["contents"])
        if body["last_page"] or body["empty"]:
            return (time.perf_counter() - started) * 1000, count
        page += 1


def stream(http: httpx.Client, path: str, params: dict[str, str]) -> tuple[float, int]:
    """Milliseconds and records of one ndjson stream, read line by line."""
    started, count = time.perf_counter(), 0
    with http.stream("GET", path, params={**params, "format": "ndjson"}) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if line:
                json.loads(line)
                count += 1
    return (time.perf_counter() - started) * 1000, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", default="http://127.0.0.1:8001")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    table = Table(title=f"ndjson beside a JSON page walk, median of {args.rounds} rounds (ms)")
    for column in ("list", "records", "JSON walk", "ndjson", "walk/ndjson"):
        table.add_column(column, justify="left" if column == "list" else "right")
    with httpx.Client(base_url=args.base_url, timeout=600) as http:
        for label, path, params in LISTS:
            walks, streams, counts = [], [], set()
            for _ in range(args.rounds):
                ms, count = walk(http, path, params)
                walks.append(ms)
                counts.add(count)
                ms, count = stream(http, path, params)
                streams.append(ms)
                counts.add(count)
            records = "/".join(str(c) for c in sorted(counts))  # one number unless they disagree
            walked, streamed = statistics.median(walks), statistics.median(streams)
            table.add_row(
                label, records, f"{walked:.0f}", f"{streamed:.0f}", f"{walked / streamed:.1f}x"
            )
    console.print(table)


if __name__ == "__main__":
    main()

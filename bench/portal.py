"""The portal's pages beside the API for the same queries (`python -m bench.portal`): one client,
requests interleaved so that both see the same machine, medians and the page/API ratio."""

from __future__ import annotations

import argparse
import statistics
import time

import httpx
from rich.console import Console
from rich.table import Table

console = Console()
QUERIES: list[tuple[str, dict[str, str]]] = [
    ("district", {"district": "Jashore"}),
    ("text + district", {"search": "legal aid", "district": "Jashore"}),
    ("Bangla text", {"search": "আইনগত সহায়তা"}),
    ("category + near", {"category": "health", "near": "Kalaroa"}),
    ("near + radius", {"near": "Kalaroa", "radius_km": "10"}),
]
PER_PAGE = "10"


def timed(http: httpx.Client, path: str, params: dict[str, str]) -> float:
    started = time.perf_counter()
    response = http.get(path, params=params)
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return elapsed * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base-url", default="http://127.0.0.1:8001")
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    table = Table(
        title=f"/find beside /services, median of {args.rounds} interleaved requests (ms)"
    )
    for column in (
        "query",
        "/services",
        "/services full=true",
        "/find",
        "/find ÷ /services",
        "/find ÷ full=true",
    ):
        table.add_column(column, justify="right" if column != "query" else "left")
    with httpx.Client(base_url=args.base_url, timeout=30) as http:
        for label, params in QUERIES:
            api = {**params, "per_page": PER_PAGE}
            for _ in range(3):  # warm the caches of all three
                timed(http, "/services", api)
                timed(http, "/services", {**api, "full": "true"})
                timed(http, "/find", params)
            lists, fulls, pages = [], [], []
            for _ in range(args.rounds):
                lists.append(timed(http, "/services", api))
                fulls.append(timed(http, "/services", {**api, "full": "true"}))
                pages.append(timed(http, "/find", params))
            listed, full, page = (statistics.median(x) for x in (lists, fulls, pages))
            table.add_row(
                label,
                f"{listed:.1f}",
                f"{full:.1f}",
                f"{page:.1f}",
                f"{page / listed:.2f}",
                f"{page / full:.2f}",
            )
    console.print(table)


if __name__ == "__main__":
    main()

"""The Meilisearch settings that cost, each against its alternative
(`python -m bench.meili_settings`).

Straight at Meilisearch, the searches of `bench.compare` (same parameter sets), interleaved in
rounds per scenario:

- `as-sent`: what the backend sends: for words without a geo filter one multi-search of the page
  (`offset`/`limit`) and the exact counts, estimated over services of one document, exhaustive
  over those of several; otherwise one exhaustive query;
- `exhaustive`: one search with `page`/`hitsPerPage` and the facets, counting every match
  exhaustively with the distinct attribute (what the backend sent before the split counts);
- `estimated`: one search with `offset`/`limit` and the facets, whose `estimatedTotalHits` and
  facet counts count documents, so a service of several locations more than once;
- `facets-100`: `maxValuesPerFacet` at Meilisearch's default 100 instead of 10,000 (an index
  setting: applied before the run and put back after it);
- `total-1000`: `maxTotalHits` at the default 1,000 instead of 1,000,000 (likewise);
- `no-distinct`: the index without its distinct attribute (likewise; this one re-indexes).

The index settings are restored at the end, also after a failure.
"""

import argparse
import asyncio
import os
import random
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

import httpx
from rich.table import Table

from bench.compare import Case, Run, draw_cases
from bench.run import SCENARIOS, console, loopback_url
from search.meili import (
    DISTINCT_ATTRIBUTE,
    MAX_TOTAL_HITS,
    MAX_VALUES_PER_FACET,
    SearchRequest,
    search_request,
)

# how a variant sends a search: (path, body) for the request and the index
Mutate = Callable[[SearchRequest, str], tuple[str, dict[str, Any]]]


def _as_sent(request: SearchRequest, index: str) -> tuple[str, dict[str, Any]]:
    return "/multi-search", {"queries": request.queries(index)}


def _one_search(request: SearchRequest, index: str, exhaustive: bool) -> tuple[str, dict[str, Any]]:
    body = {"q": request.text, **request.page}
    if request.counts is not None and "facets" in request.counts[0]:
        body["facets"] = request.counts[0]["facets"]
    if exhaustive and "offset" in body:
        offset, limit = body.pop("offset"), body.pop("limit")
        body |= {"page": offset // limit + 1, "hitsPerPage": limit}
    if not exhaustive and "page" in body:
        page, per_page = body.pop("page"), body.pop("hitsPerPage")
        body |= {"offset": (page - 1) * per_page, "limit": per_page}
    return f"/indexes/{index}/search", body


def _exhaustive(request: SearchRequest, index: str) -> tuple[str, dict[str, Any]]:
    return _one_search(request, index, exhaustive=True)


def _estimated(request: SearchRequest, index: str) -> tuple[str, dict[str, Any]]:
    return _one_search(request, index, exhaustive=False)


VARIANTS: dict[str, tuple[Mutate, dict[str, Any] | None, dict[str, Any] | None]] = {
    # name: (how the search changes, index settings for the variant, settings to put back)
    "as-sent": (_as_sent, None, None),
    "exhaustive": (_exhaustive, None, None),
    "estimated": (_estimated, None, None),
    "facets-100": (
        _as_sent,
        {"faceting": {"maxValuesPerFacet": 100}},
        {"faceting": {"maxValuesPerFacet": MAX_VALUES_PER_FACET}},
    ),
    "total-1000": (
        _as_sent,
        {"pagination": {"maxTotalHits": 1000}},
        {"pagination": {"maxTotalHits": MAX_TOTAL_HITS}},
    ),
    "no-distinct": (
        _as_sent,
        {"distinctAttribute": None},
        {"distinctAttribute": DISTINCT_ATTRIBUTE},
    ),
}


async def apply(client: httpx.AsyncClient, index: str, settings: dict[str, Any]) -> None:
    """Applies index settings and waits for the task."""
    response = await client.patch(f"/indexes/{index}/settings", json=settings)
    response.raise_for_status()
    uid = response.json()["taskUid"]
    while True:
        task = (await client.get(f"/tasks/{uid}")).json()
        if task["status"] in {"succeeded", "failed", "canceled"}:
            if task["status"] != "succeeded":
                raise RuntimeError(f"settings task {uid}: {task}")
            return
        await asyncio.sleep(0.2)


async def measure(
    client: httpx.AsyncClient,
    index: str,
    cases: Sequence[Case],
    mutate: Mutate,
    args: argparse.Namespace,
    rng: random.Random,
) -> tuple[list[float], float, int]:
    latencies: list[float] = []
    failures = 0
    loop = asyncio.get_running_loop()
    deadline = loop.time() + args.duration

    async def one(own: random.Random) -> None:
        nonlocal failures
        while loop.time() < deadline:
            request = search_request(cases[own.randrange(len(cases))].query)
            if request is None:
                continue
            path, body = mutate(request, index)
            started = loop.time()
            response = await client.post(path, json=body)
            if response.status_code == 200:
                latencies.append((loop.time() - started) * 1000)
            else:
                failures += 1

    started = loop.time()
    async with asyncio.TaskGroup() as group:
        for _ in range(args.concurrency):
            group.create_task(one(random.Random(rng.random())))
    return latencies, loop.time() - started, failures


async def run(args: argparse.Namespace) -> dict[str, dict[str, Run]]:
    cases = {
        s: await draw_cases(args.database_url, s, args.cases, args.seed) for s in args.scenarios
    }
    headers = {"Accept-Encoding": "identity", "Authorization": f"Bearer {args.meili_key}"}
    runs: dict[str, dict[str, Run]] = defaultdict(lambda: defaultdict(Run))
    rng = random.Random(args.seed)
    async with httpx.AsyncClient(base_url=args.meili_url, headers=headers, timeout=60) as client:
        for _ in range(args.rounds):
            for variant in args.variants:
                mutate, settings, restore = VARIANTS[variant]
                if settings:
                    await apply(client, args.meili_index, settings)
                try:
                    for scenario in args.scenarios:
                        latencies, seconds, failures = await measure(
                            client, args.meili_index, cases[scenario], mutate, args, rng
                        )
                        runs[scenario][variant].add(latencies, seconds, failures)
                        console.print(
                            f"{variant:<12} {scenario:<20} {len(latencies) / seconds:>8.1f} req/s"
                        )
                finally:
                    if restore:
                        await apply(client, args.meili_index, restore)
    return runs


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.meili_settings", description=__doc__)
    add = parser.add_argument
    add("--meili-url", type=loopback_url, required=True)
    add("--meili-key", default=os.environ.get("MEILI_API_KEY"))
    add("--meili-index", required=True)
    add("--database-url", default=os.environ.get("DATABASE_URL"), required=True)
    add("--concurrency", type=int, default=16)
    add("--duration", type=float, default=6.0)
    add("--rounds", type=int, default=2)
    add("--cases", type=int, default=1000)
    add("--seed", type=int, default=1)
    add(
        "--scenarios",
        nargs="+",
        default=["radius+text+facets", "typo-text", "admin+category"],
        choices=list(SCENARIOS),
    )
    add("--variants", nargs="+", default=list(VARIANTS), choices=list(VARIANTS))
    args = parser.parse_args(argv)
    runs = asyncio.run(run(args))
    table = Table(
        title=f"bare Meilisearch, index {args.meili_index}: req/s (p50 ms), c={args.concurrency}"
    )
    table.add_column("scenario")
    for variant in args.variants:
        table.add_column(variant, justify="right")
    for scenario, variants in runs.items():
        base = variants[args.variants[0]].summary()["rps"] or 1.0
        cells = []
        for variant in args.variants:
            s = variants[variant].summary()
            cells.append(f"{s['rps']:.1f} ({s['p50_ms']:.0f}) ×{s['rps'] / base:.2f}")
        table.add_row(scenario, *cells)
    console.print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())

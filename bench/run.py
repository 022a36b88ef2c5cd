"""HTTP load generator for GET /services (`python -m bench.run`).

Runs each search scenario for a fixed time with N concurrent clients after a short warm-up, and
reports p50/p95/p99 latency, requests per second and non-200 responses. Results are printed as a
table and written to bench/results/<timestamp>.json. Only loopback URLs are accepted, and every
scenario is bounded by both `--duration` and `--max-requests`.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import csv
import json
import math
import os
import platform
import random
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from directory_data.records import CATEGORY_CODES

BENCH_DIR = Path(__file__).resolve().parent
DISTRICTS_CSV = BENCH_DIR.parent / "directory_data" / "geo" / "admin" / "bd_districts.csv"
RESULTS_DIR = BENCH_DIR / "results"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
MAX_DURATION_S = 600.0
MAX_FAILURES_KEPT = 20
SETTLE_LIMIT_S = 60.0
SETTLED_MS = 500.0

WORDS = (
    "health",
    "legal",
    "training",
    "shelter",
    "clinic",
    "police",
    "counselling",
    "migration",
    "child",
    "legal aid",
    "community clinic",
    "women",
    "স্বাস্থ্য",
    "আইনি",
    "প্রশিক্ষণ",
    "আশ্রয়",
    "ক্লিনিক",
    "থানা",
    "শিশু",
    "আইনি সহায়তা",
)
# misspelt as people type them: one typo from 5 characters, two from 9
TYPO_WORDS = (
    "helth",
    "sheltr",
    "hospitl",
    "counceling",
    "traning",
    "migraton",
    "poliec",
    "comunity clinic",
    "হাসপাতল",
    "প্রশিক্ষন",
    "স্বাস্থ",
)
CATEGORIES = tuple(sorted(CATEGORY_CODES))

# Wide enough for the table when the output goes to a file or pipe (rich would use 80).
console = Console(width=None if sys.stdout.isatty() else 150)
Params = dict[str, str]


@dataclass(frozen=True)
class District:
    """A district with its pcode, English name and centroid."""

    pcode: str
    name_en: str
    lat: float
    lng: float


def load_districts(path: Path = DISTRICTS_CSV) -> list[District]:
    """The 64 districts of the vendored gazetteer file."""
    with path.open(encoding="utf-8") as handle:
        return [
            District(
                row["pcode"], row["name_en"], float(row["centroid_lat"]), float(row["centroid_lon"])
            )
            for row in csv.DictReader(handle)
        ]


def _near(rng: random.Random, district: District, spread: float = 0.15) -> tuple[str, str]:
    """A point (lat, lng as strings) within `spread` degrees of the district centroid."""
    lat = district.lat + rng.uniform(-spread, spread)
    lng = district.lng + rng.uniform(-spread, spread)
    return f"{lat:.5f}", f"{lng:.5f}"


def radius_text(rng: random.Random, districts: Sequence[District]) -> Params:
    """Text near a point: `search`, `lat`, `lng`, `radius_km` 5..25."""
    lat, lng = _near(rng, rng.choice(districts))
    radius = rng.choice((5, 10, 15, 20, 25))
    return {"search": rng.choice(WORDS), "lat": lat, "lng": lng, "radius_km": str(radius)}


def bbox(rng: random.Random, districts: Sequence[District]) -> Params:
    """A ~0.3° box around a point near a district centroid."""
    district = rng.choice(districts)
    lat, lng = (float(v) for v in _near(rng, district, 0.05))
    half = 0.15
    box = (lng - half, lat - half, lng + half, lat + half)
    return {"bbox": ",".join(f"{v:.4f}" for v in box)}


def admin_category(rng: random.Random, districts: Sequence[District]) -> Params:
    """A district (pcode or English name) and a category code."""
    district = rng.choice(districts)
    value = district.pcode if rng.random() < 0.5 else district.name_en
    return {"district": value, "category": rng.choice(CATEGORIES)}


def text_only(rng: random.Random, districts: Sequence[District]) -> Params:
    """A search word alone, over the whole country."""
    return {"search": rng.choice(WORDS)}


def typo_text(rng: random.Random, districts: Sequence[District]) -> Params:
    """A misspelt word alone, over the whole country (typo-tolerant matching)."""
    return {"search": rng.choice(TYPO_WORDS)}


def typo_text_radius(rng: random.Random, districts: Sequence[District]) -> Params:
    """A misspelt word near a point, `radius_km` 5..25."""
    return {**radius_text(rng, districts), "search": rng.choice(TYPO_WORDS)}


def radius_text_facets(rng: random.Random, districts: Sequence[District]) -> Params:
    """As radius+text, with category and district facets."""
    return {**radius_text(rng, districts), "facets": "category,district"}


ParamMaker = Callable[[random.Random, Sequence[District]], Params]
SCENARIOS: dict[str, ParamMaker] = {
    "radius+text": radius_text,
    "bbox": bbox,
    "admin+category": admin_category,
    "text-only": text_only,
    "typo-text": typo_text,
    "typo-text+radius": typo_text_radius,
    "radius+text+facets": radius_text_facets,
}


@dataclass
class Tally:
    """What the requests of one scenario run produced."""

    latencies_ms: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    totals: list[int] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    errors: int = 0

    def fail(self, message: str) -> None:
        """Keeps the first failure messages."""
        if len(self.failures) < MAX_FAILURES_KEPT:
            self.failures.append(message)


@dataclass
class Budget:
    """Stops every client at the deadline or after the request limit, whichever comes first."""

    deadline: float
    remaining: int

    def take(self) -> bool:
        """Whether one more request may start."""
        if self.remaining <= 0 or time.perf_counter() >= self.deadline:
            return False
        self.remaining -= 1
        return True


@dataclass
class Result:
    """Summary figures of one scenario."""

    scenario: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    non_200: int
    non_200_share: float
    transport_errors: int
    statuses: dict[str, int]
    median_total_items: float | None
    zero_result_share: float | None
    failures: list[str]


def percentile(sorted_values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile of already sorted values (0 for none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(pct / 100 * len(sorted_values)))
    return sorted_values[rank - 1]


async def one_request(client: httpx.AsyncClient, params: Params, tally: Tally) -> None:
    """Sends one search request and records its latency, status and result count."""
    started = time.perf_counter()
    try:
        response = await client.get("/services", params=params)
    except httpx.HTTPError as exc:
        tally.errors += 1
        tally.fail(f"{type(exc).__name__}: {exc} params={params}")
        return
    tally.latencies_ms.append((time.perf_counter() - started) * 1000)
    tally.statuses[response.status_code] += 1
    if response.status_code != 200:
        tally.fail(f"HTTP {response.status_code} params={params} body={response.text[:300]}")
        return
    total = response.json().get("total_items")
    if isinstance(total, int):
        tally.totals.append(total)


async def client_loop(
    client: httpx.AsyncClient,
    make: ParamMaker,
    districts: Sequence[District],
    rng: random.Random,
    budget: Budget,
    tally: Tally,
) -> None:
    """One simulated user: requests back to back until the budget runs out."""
    while budget.take():
        await one_request(client, make(rng, districts), tally)


async def drive(
    client: httpx.AsyncClient,
    make: ParamMaker,
    districts: Sequence[District],
    rng: random.Random,
    concurrency: int,
    seconds: float,
    max_requests: int,
) -> tuple[Tally, float]:
    """Runs `concurrency` clients for `seconds`; returns the tally and the elapsed time."""
    tally = Tally()
    budget = Budget(time.perf_counter() + seconds, max_requests)
    started = time.perf_counter()
    rngs = [random.Random(rng.random()) for _ in range(concurrency)]
    async with asyncio.TaskGroup() as group:
        for own in rngs:
            group.create_task(client_loop(client, make, districts, own, budget, tally))
    return tally, time.perf_counter() - started


def summarise(name: str, tally: Tally, seconds: float) -> Result:
    """Percentiles, throughput and failure share of a scenario run."""
    latencies = sorted(tally.latencies_ms)
    done = len(latencies) + tally.errors
    non_200 = sum(n for status, n in tally.statuses.items() if status != 200) + tally.errors
    totals = sorted(tally.totals)
    return Result(
        scenario=name,
        requests=done,
        seconds=round(seconds, 3),
        rps=round(done / seconds, 1) if seconds > 0 else 0.0,
        p50_ms=round(percentile(latencies, 50), 1),
        p95_ms=round(percentile(latencies, 95), 1),
        p99_ms=round(percentile(latencies, 99), 1),
        mean_ms=round(sum(latencies) / len(latencies), 1) if latencies else 0.0,
        max_ms=round(latencies[-1], 1) if latencies else 0.0,
        non_200=non_200,
        non_200_share=round(non_200 / done, 5) if done else 0.0,
        transport_errors=tally.errors,
        statuses={str(k): v for k, v in sorted(tally.statuses.items())},
        median_total_items=percentile(totals, 50) if totals else None,
        zero_result_share=round(totals.count(0) / len(totals), 3) if totals else None,
        failures=tally.failures,
    )


async def run_scenario(
    client: httpx.AsyncClient,
    name: str,
    districts: Sequence[District],
    args: argparse.Namespace,
    rng: random.Random,
) -> Result:
    """Warm-up (discarded), then the measured run of one scenario."""
    make = SCENARIOS[name]
    if args.warmup > 0:
        await drive(client, make, districts, rng, args.concurrency, args.warmup, args.max_requests)
    tally, seconds = await drive(
        client, make, districts, rng, args.concurrency, args.duration, args.max_requests
    )
    result = summarise(name, tally, seconds)
    console.print(
        f"{name:<20} {result.requests:>7} req  {result.rps:>7.1f} req/s  "
        f"p50 {result.p50_ms:>7.1f}  p95 {result.p95_ms:>7.1f}  p99 {result.p99_ms:>7.1f} ms  "
        f"non-200 {result.non_200}"
    )
    return result


async def settle(client: httpx.AsyncClient) -> None:
    """Waits (up to SETTLE_LIMIT_S) until a cheap search is fast, so that requests a previous
    scenario abandoned on timeout no longer load the server."""
    deadline = time.perf_counter() + SETTLE_LIMIT_S
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        with contextlib.suppress(httpx.HTTPError):
            await client.get("/services", params={"per_page": "1"})
        elapsed_ms = (time.perf_counter() - started) * 1000
        if elapsed_ms < SETTLED_MS:
            return
        await asyncio.sleep(1.0)


async def dataset_size(client: httpx.AsyncClient) -> int | None:
    """How many services the API reports for an unfiltered search."""
    response = await client.get("/services", params={"per_page": "1"})
    if response.status_code != 200:
        return None
    total = response.json().get("total_items")
    return total if isinstance(total, int) else None


async def run_all(args: argparse.Namespace) -> tuple[list[Result], int | None]:
    """Runs every selected scenario in turn against one connection pool."""
    districts = load_districts()
    rng = random.Random(args.seed)
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    async with httpx.AsyncClient(
        base_url=args.base_url, limits=limits, timeout=httpx.Timeout(args.timeout)
    ) as client:
        size = await dataset_size(client)
        results = []
        for name in args.scenarios:
            await settle(client)
            results.append(await run_scenario(client, name, districts, args, rng))
    return results, size


def print_table(results: Sequence[Result], title: str) -> None:
    """The results as a rich table, with any failures listed below it."""
    table = Table(title=title)
    for column in (
        "scenario",
        "requests",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "max ms",
        "non-200",
        "median hits",
        "zero hits",
    ):
        table.add_column(column, justify="left" if column == "scenario" else "right")
    for r in results:
        table.add_row(
            r.scenario,
            str(r.requests),
            f"{r.rps:.1f}",
            f"{r.p50_ms:.1f}",
            f"{r.p95_ms:.1f}",
            f"{r.p99_ms:.1f}",
            f"{r.max_ms:.1f}",
            f"{r.non_200} ({r.non_200_share:.2%})",
            "-" if r.median_total_items is None else f"{r.median_total_items:g}",
            "-" if r.zero_result_share is None else f"{r.zero_result_share:.0%}",
        )
    console.print(table)
    for r in results:
        for failure in r.failures:
            console.print(f"[red]{r.scenario}[/red] {escape(failure)}", highlight=False)


def write_json(args: argparse.Namespace, results: Sequence[Result], size: int | None) -> Path:
    """Writes the run's settings, environment and results to bench/results/<timestamp>.json."""
    now = datetime.now(UTC)
    out_dir = Path(args.output_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"{now.strftime('%Y%m%dT%H%M%SZ')}.json"
    document = {
        "timestamp": now.isoformat(timespec="seconds"),
        "label": args.label,
        "base_url": args.base_url,
        "services_total_items": size,
        "settings": {
            "concurrency": args.concurrency,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            "max_requests": args.max_requests,
            "seed": args.seed,
        },
        "environment": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpu_count": os.cpu_count(),
            "httpx": httpx.__version__,
        },
        "results": [asdict(r) for r in results],
    }
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def loopback_url(value: str) -> str:
    """The base URL, if it is http(s) on a loopback host; argparse rejects anything else."""
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or parts.hostname not in LOOPBACK:
        raise argparse.ArgumentTypeError("only http(s) URLs on 127.0.0.1, localhost or ::1")
    return value.rstrip("/")


def bounded_seconds(value: str) -> float:
    """A positive duration of at most MAX_DURATION_S seconds."""
    seconds = float(value)
    if not 0 < seconds <= MAX_DURATION_S:
        raise argparse.ArgumentTypeError(f"must be in (0, {MAX_DURATION_S:g}]")
    return seconds


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    add = parser.add_argument
    add("--base-url", type=loopback_url, default="http://127.0.0.1:8001")
    add("--concurrency", type=int, default=16, choices=range(1, 257), metavar="1..256")
    add("--duration", type=bounded_seconds, default=20.0, help="measured seconds per scenario")
    add("--warmup", type=float, default=3.0, help="unmeasured seconds per scenario")
    add("--max-requests", type=int, default=200_000, help="request cap per scenario run")
    add("--timeout", type=float, default=30.0, help="per-request timeout in seconds")
    add("--seed", type=int, default=1)
    add("--label", default=None, help="free text stored in the JSON, e.g. the dataset size")
    add("--scenarios", nargs="+", default=list(SCENARIOS), choices=list(SCENARIOS))
    add("--output-dir", default=str(RESULTS_DIR))
    args = parser.parse_args(argv)
    args.warmup = min(max(args.warmup, 0.0), MAX_DURATION_S)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m bench.run`; exit status 1 if any response was not 200."""
    args = parse_args(argv)
    console.print(
        f"bench: {args.base_url}/services, {args.concurrency} clients, "
        f"{args.warmup:g} s warm-up + {args.duration:g} s per scenario"
    )
    results, size = asyncio.run(run_all(args))
    title = f"GET /services — {size if size is not None else '?'} services, c={args.concurrency}"
    print_table(results, title)
    path = write_json(args, results, size)
    console.print(f"bench: results written to {path}")
    return 1 if any(r.non_200 for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())

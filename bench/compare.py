"""Both search backends side by side (`python -m bench.compare`).

Every scenario of `bench.run` is measured four ways, interleaved scenario by scenario in rounds
(A/B/C/D, then again), so that a machine shared with other work loads all four alike:

- `api-pg`: `GET /services` of an API process on the PostgreSQL backend;
- `sql`: the statements that backend sends, straight at PostgreSQL through `pgbench`
  (`-M prepared`, as psycopg prepares a statement it runs often), one script per query shape;
- `api-meili`: `GET /services` of an API process with `SEARCH_BACKEND=meilisearch`;
- `meili`: the same searches straight at Meilisearch's multi-search API, built by
  `search.meili.search_request`, so filters, facets and page are what the backend sends.

The parameter sets are drawn once per scenario by the scenario's own maker and turned into
`ServiceQuery`s by the API's own parsing (`build_service_query`), so all four ask the same
questions. pgbench reads each set from a table `bench_param_<n>` (one indexed lookup per
transaction, `\\gset`), which its figures include.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from rich.table import Table
from sqlalchemy.dialects.postgresql import psycopg as psycopg_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from app.core.db import CONNECTION_OPTIONS
from app.directory.params import SearchParams, build_service_query
from bench.run import (
    RESULTS_DIR,
    SCENARIOS,
    Params,
    load_districts,
    loopback_url,
    percentile,
)
from bench.run import console as run_console
from search.meili import search_request
from search.postgres import Shape, _statements, bind_values
from search.query import ServiceQuery

console = run_console
TARGETS = ("api-pg", "sql", "api-meili", "meili")
PGBENCH = Path("/usr/lib/postgresql/15/bin/pgbench")
PLACEHOLDER = re.compile(r"%\((\w+)\)s(::)?")
SQL_TYPES = {bool: "boolean", int: "integer", float: "float8", str: "text"}


@dataclass
class Run:
    """Requests, latencies and failures of one target on one scenario, over all rounds."""

    requests: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    failures: int = 0
    wrong_backend: int = 0
    messages: list[str] = field(default_factory=list)

    def add(self, latencies: Sequence[float], seconds: float, failures: int) -> None:
        self.requests += len(latencies) + failures
        self.seconds += seconds
        self.latencies_ms.extend(latencies)
        self.failures += failures

    def summary(self) -> dict[str, Any]:
        ordered = sorted(self.latencies_ms)
        return {
            "requests": self.requests,
            "rps": round(self.requests / self.seconds, 1) if self.seconds else 0.0,
            "p50_ms": round(percentile(ordered, 50), 1),
            "p95_ms": round(percentile(ordered, 95), 1),
            "failures": self.failures,
            "wrong_backend": self.wrong_backend,
            "messages": self.messages[:10],
        }


@dataclass(frozen=True)
class Case:
    """One drawn parameter set: the API's query string and the parsed query."""

    params: Params
    query: ServiceQuery


async def draw_cases(database_url: str, scenario: str, count: int, seed: int) -> list[Case]:
    """`count` parameter sets of a scenario, parsed as the API parses them."""
    districts = load_districts()
    rng = random.Random(f"{seed}-{scenario}")
    make = SCENARIOS[scenario]
    engine = create_async_engine(database_url)
    cases = []
    try:
        async with AsyncSession(engine) as session:
            for _ in range(count):
                params = make(rng, districts)
                parsed = SearchParams(**_typed(params))
                cases.append(Case(params, await build_service_query(session, parsed)))
    finally:
        await engine.dispose()
    return cases


def _typed(params: Params) -> dict[str, Any]:
    floats = {"lat", "lng", "radius_km"}
    return {key: float(value) if key in floats else value for key, value in params.items()}


# --- straight at PostgreSQL: pgbench ------------------------------------------------------------


def _sql_literal(value: Any) -> str:
    """A bound value as pgbench substitutes it (text, cast by the statement)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        inner = ",".join(
            '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"' for v in value
        )
        return "{" + inner + "}"
    return str(value)


def _pgbench_sql(statement: Any, values: dict[str, Any], prefix: str) -> tuple[str, dict[str, Any]]:
    """The statement's SQL with pgbench variables, and every value it binds; the statement's
    own constants (`param_1`, ...) get `prefix`, since each statement numbers its own."""
    compiled = statement.compile(dialect=psycopg_dialect.dialect())  # type: ignore[no-untyped-call]

    def own(name: str) -> str:
        return name if name in values else f"{prefix}{name}"

    bound = {own(name): values.get(name, default) for name, default in compiled.params.items()}

    def variable(match: re.Match[str]) -> str:
        name, cast = own(match.group(1)), match.group(2)
        if cast:  # the statement casts it already
            return f":{name}::"
        return f"(:{name})::{SQL_TYPES[type(bound[name])]}"

    return PLACEHOLDER.sub(variable, str(compiled)), bound


def _shape_statements(query: ServiceQuery) -> list[Any]:
    """What the PostgreSQL backend executes for a query with rows on its page."""
    statements = _statements(Shape.of(query))
    sent = [] if statements.windowed else [statements.count]
    sent.append(statements.page)
    # facets ride on the page's rows where the backend counts them in the same pass
    if statements.facets is not None and not statements.facets_in_page:
        sent.append(statements.facets)
    return sent


@dataclass
class ShapeScript:
    """One query shape of a scenario: its pgbench script and its parameter rows."""

    table: str
    sql: list[str]
    names: list[str]
    rows: list[list[str]] = field(default_factory=list)


def sql_scripts(scenario: str, cases: Sequence[Case]) -> list[ShapeScript]:
    """The scenario's queries grouped by shape, each group with its statements and values."""
    slug = re.sub(r"\W", "_", scenario)
    shapes: dict[Shape, ShapeScript] = {}
    for case in cases:
        shape = Shape.of(case.query)
        values = bind_values(case.query)
        rendered = [
            _pgbench_sql(s, values, f"s{k}_") for k, s in enumerate(_shape_statements(case.query))
        ]
        merged: dict[str, Any] = {}
        for _, bound in rendered:
            merged |= bound
        if shape not in shapes:
            shapes[shape] = ShapeScript(
                table=f"bench_param_{slug}_{len(shapes)}",
                sql=[sql for sql, _ in rendered],
                names=sorted(merged),
            )
        script = shapes[shape]
        script.rows.append([_sql_literal(merged[name]) for name in script.names])
    return list(shapes.values())


def load_parameter_tables(dsn: str, scripts: Sequence[ShapeScript]) -> None:
    """Writes each shape's parameter rows into its table (numbered from 1)."""
    lines = []
    for script in scripts:
        columns = ", ".join(f'"{name}" text' for name in script.names)
        lines.append(f"DROP TABLE IF EXISTS {script.table};")
        lines.append(f"CREATE TABLE {script.table} (i int PRIMARY KEY, {columns});")
        lines.append(f"COPY {script.table} FROM STDIN;")
        for i, row in enumerate(script.rows, start=1):
            escaped = [v.replace("\\", "\\\\").replace("\t", "\\t") for v in row]
            lines.append("\t".join([str(i), *escaped]))
        lines.append("\\.")
        lines.append(f"ANALYZE {script.table};")
    subprocess.run(
        ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", dsn],
        input="\n".join(lines) + "\n",
        text=True,
        check=True,
        env={**os.environ, "PATH": f"{PGBENCH.parent}:{os.environ.get('PATH', '')}"},
    )


def write_script(directory: Path, script: ShapeScript) -> Path:
    """A pgbench script: draw a row, read its values, run the statements."""
    columns = ", ".join(f'"{name}"' for name in script.names)  # \gset names variables by them
    body = [
        f"\\set i random(1, {len(script.rows)})",
        f"SELECT {columns} FROM {script.table} WHERE i = :i",
        "\\gset",
        *(" ".join(sql.split()) + ";" for sql in script.sql),
    ]
    path = directory / f"{script.table}.sql"
    path.write_text("\n".join(body) + "\n", encoding="utf-8")
    return path


def run_pgbench(
    dsn_parts: dict[str, str],
    scripts: Sequence[tuple[Path, int]],
    concurrency: int,
    seconds: float,
    workdir: Path,
) -> tuple[list[float], float, int, str]:
    """Runs pgbench; per-transaction latencies (ms), elapsed seconds, failures, stderr tail."""
    for old in workdir.glob("pgbench_log.*"):
        old.unlink()
    command = [
        str(PGBENCH),
        "-n",
        "-M",
        "prepared",
        "-c",
        str(concurrency),
        "-j",
        "2",
        "-T",
        str(max(1, round(seconds))),
        "-l",
        "-h",
        dsn_parts["host"],
        "-p",
        dsn_parts["port"],
        "-U",
        dsn_parts["user"],
    ]
    for path, weight in scripts:
        command += ["-f", f"{path}@{weight}"]
    command.append(dsn_parts["database"])
    started = time.perf_counter()
    # the API's connection settings (without them JIT made the 1M radius+text SQL 5x slower)
    env = {**os.environ, "PGOPTIONS": CONNECTION_OPTIONS}
    done = subprocess.run(
        command, cwd=workdir, capture_output=True, text=True, check=False, env=env
    )
    elapsed = time.perf_counter() - started
    latencies = []
    for log in workdir.glob("pgbench_log.*"):
        for line in log.read_text().splitlines():
            fields = line.split()
            latencies.append(int(fields[2]) / 1000.0)
    failed = re.search(r"number of failed transactions: (\d+)", done.stdout)
    failures = int(failed.group(1)) if failed else 0
    if done.returncode != 0 or "aborted" in done.stdout + done.stderr:
        failures = max(failures, 1)  # a client that stopped on an error is no measurement
    measured = re.search(r"duration: (\d+) s", done.stdout)
    duration = float(measured.group(1)) if measured else elapsed
    return latencies, duration, failures, (done.stderr or "")[-500:]


# --- over HTTP: the APIs and Meilisearch --------------------------------------------------------


async def http_run(
    client: httpx.AsyncClient,
    send: Any,
    cases: Sequence[Case],
    concurrency: int,
    seconds: float,
    rng: random.Random,
) -> tuple[list[float], float, int, int, list[str]]:
    """`concurrency` clients sending `send(client, case)` back to back for `seconds`."""
    latencies: list[float] = []
    failures = wrong = 0
    messages: list[str] = []
    deadline = time.perf_counter() + seconds

    async def loop(own: random.Random) -> None:
        nonlocal failures, wrong
        while time.perf_counter() < deadline:
            case = cases[own.randrange(len(cases))]
            started = time.perf_counter()
            try:
                ok, message = await send(client, case)
            except httpx.HTTPError as exc:
                ok, message = False, f"{type(exc).__name__}: {exc}"
            if ok is True:
                latencies.append((time.perf_counter() - started) * 1000)
            elif ok is None:  # answered, by the wrong backend
                latencies.append((time.perf_counter() - started) * 1000)
                wrong += 1
            else:
                failures += 1
                if len(messages) < 10:
                    messages.append(message)

    started = time.perf_counter()
    async with asyncio.TaskGroup() as group:
        for _ in range(concurrency):
            group.create_task(loop(random.Random(rng.random())))
    return latencies, time.perf_counter() - started, failures, wrong, messages


def api_sender(backend: str) -> Any:
    async def send(client: httpx.AsyncClient, case: Case) -> tuple[bool | None, str]:
        response = await client.get("/services", params=case.params)
        if response.status_code != 200:
            return False, f"HTTP {response.status_code} {case.params} {response.text[:200]}"
        if response.headers.get("x-search-backend") != backend:
            return None, ""
        return True, ""

    return send


def meili_sender(index: str) -> Any:
    async def send(client: httpx.AsyncClient, case: Case) -> tuple[bool | None, str]:
        request = search_request(case.query)
        if request is None:
            return True, ""
        response = await client.post("/multi-search", json={"queries": request.queries(index)})
        if response.status_code != 200:
            return False, f"HTTP {response.status_code} {response.text[:200]}"
        response.json()
        return True, ""

    return send


# --- the run ------------------------------------------------------------------------------------


def _dsn_parts(database_url: str) -> dict[str, str]:
    url = make_url(database_url)
    return {
        "host": url.host or "127.0.0.1",
        "port": str(url.port or 5432),
        "user": url.username or "postgres",
        "database": url.database or "",
    }


def _libpq_dsn(parts: dict[str, str]) -> str:
    return (
        f"host={parts['host']} port={parts['port']} user={parts['user']} dbname={parts['database']}"
    )


async def run_all(args: argparse.Namespace) -> dict[str, dict[str, Run]]:
    runs: dict[str, dict[str, Run]] = defaultdict(lambda: defaultdict(Run))
    parts = _dsn_parts(args.database_url)
    workdir = Path(tempfile.mkdtemp(prefix="bench-pgbench-"))
    cases = {}
    scripts: dict[str, list[tuple[Path, int]]] = {}
    for scenario in args.scenarios:
        cases[scenario] = await draw_cases(args.database_url, scenario, args.cases, args.seed)
        shapes = sql_scripts(scenario, cases[scenario])
        load_parameter_tables(_libpq_dsn(parts), shapes)
        scripts[scenario] = [(write_script(workdir, s), len(s.rows)) for s in shapes]
    limits = httpx.Limits(
        max_connections=args.concurrency, max_keepalive_connections=args.concurrency
    )
    timeout = httpx.Timeout(30.0)
    meili_headers = {"Accept-Encoding": "identity"}
    if args.meili_key:
        meili_headers["Authorization"] = f"Bearer {args.meili_key}"
    rng = random.Random(args.seed)
    async with (
        httpx.AsyncClient(base_url=args.pg_api, limits=limits, timeout=timeout) as pg_api,
        httpx.AsyncClient(base_url=args.meili_api, limits=limits, timeout=timeout) as meili_api,
        httpx.AsyncClient(
            base_url=args.meili_url, limits=limits, timeout=timeout, headers=meili_headers
        ) as meili,
    ):
        http_targets = {
            "api-pg": (pg_api, api_sender("postgres")),
            "api-meili": (meili_api, api_sender("meilisearch")),
            "meili": (meili, meili_sender(args.meili_index)),
        }
        for round_number in range(1, args.rounds + 1):
            for scenario in args.scenarios:
                for target in args.targets:
                    run = runs[scenario][target]
                    if target == "sql":
                        if args.warmup > 0:
                            run_pgbench(
                                parts, scripts[scenario], args.concurrency, args.warmup, workdir
                            )
                        latencies, seconds, failures, tail = run_pgbench(
                            parts, scripts[scenario], args.concurrency, args.duration, workdir
                        )
                        if failures and tail:
                            run.messages.append(tail)
                        run.add(latencies, seconds, failures)
                    else:
                        client, send = http_targets[target]
                        if args.warmup > 0:
                            await http_run(
                                client, send, cases[scenario], args.concurrency, args.warmup, rng
                            )
                        latencies, seconds, failures, wrong, messages = await http_run(
                            client, send, cases[scenario], args.concurrency, args.duration, rng
                        )
                        run.add(latencies, seconds, failures)
                        run.wrong_backend += wrong
                        run.messages.extend(messages)
                    s = run.summary()
                    console.print(
                        f"round {round_number} {scenario:<20} {target:<10} "
                        f"{len(latencies) / seconds if seconds else 0:>8.1f} req/s  "
                        f"failures {failures}"
                    )
                    del s
    shutil.rmtree(workdir, ignore_errors=True)
    return runs


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "-"


def print_table(runs: dict[str, dict[str, Run]], title: str) -> list[dict[str, Any]]:
    table = Table(title=title)
    columns = [
        "scenario",
        "API/PG req/s",
        "p50",
        "p95",
        "SQL req/s",
        "p50",
        "p95",
        "API/SQL",
        "API/Meili req/s",
        "p50",
        "p95",
        "Meili req/s",
        "p50",
        "p95",
        "API/Meili",
        "Meili API / PG API",
    ]
    for column in columns:
        table.add_column(column, justify="left" if column == "scenario" else "right")
    rows = []
    for scenario, targets in runs.items():
        s = {target: targets[target].summary() for target in TARGETS if target in targets}
        empty = {"rps": 0.0, "p50_ms": 0.0, "p95_ms": 0.0}
        a, b, c, d = (s.get(t, empty) for t in TARGETS)
        table.add_row(
            scenario,
            f"{a['rps']:.1f}",
            f"{a['p50_ms']:.0f}",
            f"{a['p95_ms']:.0f}",
            f"{b['rps']:.1f}",
            f"{b['p50_ms']:.0f}",
            f"{b['p95_ms']:.0f}",
            _ratio(a["rps"], b["rps"]),
            f"{c['rps']:.1f}",
            f"{c['p50_ms']:.0f}",
            f"{c['p95_ms']:.0f}",
            f"{d['rps']:.1f}",
            f"{d['p50_ms']:.0f}",
            f"{d['p95_ms']:.0f}",
            _ratio(c["rps"], d["rps"]),
            _ratio(c["rps"], a["rps"]),
        )
        rows.append({"scenario": scenario, **s})
    console.print(table)
    for scenario, targets in runs.items():
        for target, run in targets.items():
            if run.failures or run.wrong_backend:
                console.print(
                    f"[red]{scenario} {target}: {run.failures} failed, "
                    f"{run.wrong_backend} answered by another backend[/red]"
                )
                for message in run.messages[:5]:
                    console.print(f"  {message}", highlight=False, markup=False)
    return rows


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.compare", description=__doc__)
    add = parser.add_argument
    add("--pg-api", type=loopback_url, required=True, help="API on the PostgreSQL backend")
    add("--meili-api", type=loopback_url, required=True, help="API on the Meilisearch backend")
    add("--meili-url", type=loopback_url, required=True)
    add("--meili-key", default=os.environ.get("MEILI_API_KEY"))
    add("--meili-index", default="services")
    add("--database-url", default=os.environ.get("DATABASE_URL"), required=False)
    add("--concurrency", type=int, default=16)
    add("--duration", type=float, default=10.0)
    add("--warmup", type=float, default=2.0)
    add("--rounds", type=int, default=2)
    add("--cases", type=int, default=2000, help="parameter sets drawn per scenario")
    add("--seed", type=int, default=1)
    add("--label", default="")
    add("--scenarios", nargs="+", default=list(SCENARIOS), choices=list(SCENARIOS))
    add("--targets", nargs="+", default=list(TARGETS), choices=list(TARGETS))
    add("--output-dir", default=str(RESULTS_DIR))
    args = parser.parse_args(argv)
    if not args.database_url:
        parser.error("--database-url or DATABASE_URL is required")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    console.print(
        f"compare: {', '.join(args.targets)}; {args.concurrency} clients, {args.rounds} rounds of "
        f"{args.warmup:g} s warm-up + {args.duration:g} s per scenario and target"
    )
    runs = asyncio.run(run_all(args))
    rows = print_table(runs, f"GET /services on both backends — {args.label}, c={args.concurrency}")
    now = datetime.now(UTC)
    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"compare-{now.strftime('%Y%m%dT%H%M%SZ')}.json"
    settings = {k: v for k, v in vars(args).items() if k != "meili_key"}
    document = {"timestamp": now.isoformat(timespec="seconds"), "settings": settings, "rows": rows}
    path.write_text(json.dumps(document, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    console.print(f"compare: results written to {path}")
    failed = any(run.failures or run.wrong_backend for t in runs.values() for run in t.values())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

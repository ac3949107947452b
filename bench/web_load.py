"""Bounded load test of the web app's JSON API on loopback: p50/p99 latency and errors.

Starts `foedus serve` on a free 127.0.0.1 port, warms every URL once, then sends a fixed number
of requests over the API routes, first one at a time, then with a few in flight, and prints the
latency percentiles per phase and per route. Bounded in count (--requests) and in time
(--max-seconds); it never talks to anything but 127.0.0.1.

    FOEDUS_DATA_DIR=../shared/data python bench/web_load.py --requests 3000

Baseline (same run): the same calls made in-process on foedus.web.answers, without HTTP, so
the report shows what the web layer adds to the domain's own time.

Goal: p99 under 50 ms for API calls. Exit code 1 if any request failed.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import os
import platform
import statistics
import sys
import time
from collections import defaultdict

import httpx

from foedus.cli.web import serving
from foedus.errors import FoedusError

HOST = "127.0.0.1"  # loopback only, by design

URLS = [
    "/api/allies?state=PRK&date=2025-06-01",
    "/api/allies?state=FIN&date=2024-01-01",
    "/api/allies?state=USA&date=1990-06-01",
    "/api/allies?state=FRA&date=1914-08-01",
    "/api/respond?attacker=USA&target=PRK&date=2025-01-01",
    "/api/respond?attacker=RUS&target=EST&date=2025-01-01",
    "/api/respond?attacker=CHN&target=JPN&date=2025-01-01&place=Okinawa",
    "/api/treaties?state=PRK",
    "/api/treaties?date=1950-01-01&kind=defense",
    "/api/treaty/nato_1949",
    "/api/treaty/rus_prk_2024",
    "/api/history?a=RUS&b=PRK",
    "/api/history?a=USA&b=GBR",
    "/api/search?q=korea",
    "/api/states?date=2025-06-01",
    "/api/map?date=2025-06-01",
    "/api/map?date=1960-01-01",
    "/api/network?year=1914",
]


def _route(url: str) -> str:
    path = url.split("?", 1)[0]
    return "/api/treaty/{id}" if path.startswith("/api/treaty/") else path


def _direct_call(url: str):
    """The in-process call behind an API URL (what the route calls, minus HTTP and JSON)."""
    from urllib.parse import parse_qs, urlsplit

    from foedus.web import answers

    parts = urlsplit(url)
    q = {k: v[-1] for k, v in parse_qs(parts.query).items()}
    every = parse_qs(parts.query)
    path = parts.path
    if path.startswith("/api/treaty/"):
        return lambda: answers.treaty(path.removeprefix("/api/treaty/"))
    calls = {
        "/api/allies": lambda: answers.allies(q["state"], q.get("date"), q.get("kind")),
        "/api/respond": lambda: answers.respond(
            every["attacker"],
            q["target"],
            q.get("date"),
            q.get("place"),
            q.get("kind"),
            q.get("cascade") == "true",
        ),
        "/api/treaties": lambda: answers.treaties_list(
            q.get("state"), q.get("date"), q.get("kind")
        ),
        "/api/history": lambda: answers.history(q["a"], q["b"]),
        "/api/search": lambda: answers.search(q["q"]),
        "/api/states": lambda: answers.states_on(q.get("date")),
        "/api/map": lambda: answers.world_map(q.get("date")),
        "/api/network": lambda: answers.network(q.get("date"), q.get("year")),
    }
    return calls[path]


def _direct_phase(urls: list[str], deadline: float):
    """The baseline: each call in-process, one at a time."""
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    calls = {url: _direct_call(url) for url in set(urls)}
    for call in calls.values():  # warm-up
        call()
    began = time.perf_counter()
    for url in urls:
        if time.monotonic() > deadline:
            break
        start = time.perf_counter()
        try:
            calls[url]()
        except Exception as err:  # report, do not stop: the load test counts errors
            errors.append(f"{type(err).__name__} {url}")
        latencies[_route(url)].append((time.perf_counter() - start) * 1000)
    return latencies, errors, time.perf_counter() - began


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


async def _phase(client: httpx.AsyncClient, urls: list[str], concurrency: int, deadline: float):
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    gate = asyncio.Semaphore(concurrency)

    async def one(url: str) -> None:
        async with gate:
            if time.monotonic() > deadline:
                return
            start = time.perf_counter()
            try:
                response = await client.get(url)
                elapsed = time.perf_counter() - start
                if response.status_code != 200:
                    errors.append(f"{response.status_code} {url}")
                latencies[_route(url)].append(elapsed * 1000)
            except httpx.HTTPError as err:
                errors.append(f"{type(err).__name__} {url}")

    began = time.perf_counter()
    await asyncio.gather(*(one(u) for u in urls))
    return latencies, errors, time.perf_counter() - began


def _report(
    name: str, latencies: dict[str, list[float]], errors: list[str], seconds: float
) -> None:
    every = [v for vs in latencies.values() for v in vs]
    if not every:
        print(f"{name}: no request completed")
        return
    print(
        f"\n{name}: {len(every)} requests in {seconds:.1f} s ({len(every) / seconds:.0f}/s), {len(errors)} errors"
    )
    print(f"  {'route':<22}{'n':>6}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for route in sorted(latencies):
        vs = latencies[route]
        print(
            f"  {route:<22}{len(vs):>6}{statistics.median(vs):>9.1f}{_percentile(vs, 99):>9.1f}{max(vs):>9.1f}"
        )
    print(
        f"  {'all':<22}{len(every):>6}{statistics.median(every):>9.1f}{_percentile(every, 99):>9.1f}{max(every):>9.1f}"
    )
    for line in errors[:10]:
        print(f"  error: {line}")


async def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--requests", type=int, default=3000, help="requests per phase (at most 20000)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=8, help="requests in flight in the concurrent phase"
    )
    parser.add_argument(
        "--max-seconds", type=float, default=120, help="stop each phase after this long"
    )
    parser.add_argument(
        "--workers", type=int, default=1, help="server processes (foedus serve --workers)"
    )
    parser.add_argument("--url", help="an already running server on 127.0.0.1 (default: start one)")
    args = parser.parse_args(argv)
    count = max(1, min(args.requests, 20_000))
    concurrency = max(1, min(args.concurrency, 64))

    if args.url:
        if httpx.URL(args.url).host not in (HOST, "localhost"):
            raise SystemExit("the load test only runs against 127.0.0.1")
        server = contextlib.nullcontext(args.url.rstrip("/"))
    else:
        os.environ.setdefault(
            "FOEDUS_DATA_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "shared", "data")
        )
        server = serving(workers=max(1, min(args.workers, 8)))
    try:
        with server as base:
            return await _run(base, count, concurrency, args.max_seconds)
    except FoedusError as err:  # e.g. the server did not start: its message, not a traceback
        raise SystemExit(str(err)) from None


async def _run(base: str, count: int, concurrency: int, max_seconds: float) -> int:
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(
        base_url=base, limits=limits, timeout=30, trust_env=False
    ) as client:
        for url in URLS:  # warm-up, not counted: first calls build caches
            try:
                response = await client.get(url)
            except httpx.HTTPError as err:
                print(f"warning: warm-up {url} -> {type(err).__name__}")
                continue
            if response.status_code != 200:
                print(f"warning: warm-up {url} -> {response.status_code} {response.text[:200]}")
        plan = list(itertools.islice(itertools.cycle(URLS), count))
        print(
            f"foedus web load test on {base}: {count} requests per phase over {len(URLS)} API URLs"
        )
        print(
            f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}"
        )
        failed = 0
        baseline = _direct_phase(plan, time.monotonic() + max_seconds)
        _report("baseline: the same calls in-process, no HTTP", *baseline)
        base_p50 = statistics.median(v for vs in baseline[0].values() for v in vs)
        for name, width in (
            ("sequential (1 in flight)", 1),
            (f"concurrent ({concurrency} in flight)", concurrency),
        ):
            latencies, errors, seconds = await _phase(
                client, plan, width, time.monotonic() + max_seconds
            )
            _report(name, latencies, errors, seconds)
            p50 = statistics.median(v for vs in latencies.values() for v in vs)
            print(f"  ratio of p50 to the in-process baseline: {p50 / base_p50:.2f}x")
            failed += len(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

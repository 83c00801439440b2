"""Load test on loopback: concurrent users searching, reading and uploading against the real
server (uvicorn) on PostgreSQL, for a fixed time.

    .venv/bin/python benchmarks/load.py [--users 50] [--seconds 120] [--workers 2]
        [--database-url postgresql+psycopg://caselearn:caselearn@127.0.0.1:5432/postgres]

Creates a fresh database, loads the bundled corpus (`caselearn demo --no-serve`), makes a
committee lead with an API token, starts the server, and runs the users with httpx. Prints
requests, throughput, p50/p95/max latency per kind and overall, and errors (any non-2xx or
transport error). Goal: zero errors, p95 under 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
CLI = [str(Path(sys.executable).parent / "caselearn")]  # the installed command
QUERIES = [
    "baby father not engaging mother mental health",
    "information sharing between agencies",
    "neglect chronology",
    "disguised compliance",
    "domestic abuse",
    "professional curiosity",
    "transition to adult services",
    "supervision",
]


def fresh_database(url: str) -> str:
    import psycopg

    name = f"caselearn_load_{uuid.uuid4().hex[:8]}"
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + "/" + name


def drop_database(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    plain = (base + "/postgres").replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def user(
    client: httpx.AsyncClient,
    reviews: list[int],
    until: float,
    results: list,
    think: tuple[float, float],
) -> None:
    rng = random.Random()
    # Users start spread over the first think interval, as people arriving would.
    await asyncio.sleep(rng.uniform(0, think[1]))
    while time.monotonic() < until:
        roll = rng.random()
        if roll < 0.45:
            kind, call = "search", client.get("/api/search", params={"q": rng.choice(QUERIES)})
        elif roll < 0.70:
            kind, call = "read (JSON)", client.get(f"/api/reviews/{rng.choice(reviews)}")
        elif roll < 0.90:
            kind, call = "read (page)", client.get(f"/reviews/{rng.choice(reviews)}")
        else:
            child = uuid.uuid4().hex[:6]
            body = f"Initial case review. Child {child} was neglected.".encode()
            kind = "upload"
            call = client.post("/api/ingest", files=[("files", (f"{uuid.uuid4().hex}.txt", body))])
        started = time.perf_counter()
        try:
            response = await call
            ok = response.status_code < 400
        except httpx.HTTPError:
            ok = False
        results.append((kind, time.perf_counter() - started, ok))
        # A person reads what came back before the next click.
        await asyncio.sleep(rng.uniform(*think))


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its children (Linux /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, pending = 0.0, [pid]
    while pending:
        current = pending.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def postgres_cpu() -> float:
    """CPU seconds used so far by every PostgreSQL process on this machine (server on
    loopback: its backends are its children, not ours)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        name, rest = stat.split("(", 1)[1].rsplit(")", 1)
        if name.startswith("postgres"):
            fields = rest.split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


async def run(
    base: str, token: str, users: int, seconds: float, think: tuple[float, float]
) -> list:
    headers = {"Authorization": f"Bearer {token}"}
    limits = httpx.Limits(max_connections=users, max_keepalive_connections=users)
    async with httpx.AsyncClient(
        base_url=base, headers=headers, timeout=60, limits=limits
    ) as client:
        listing = (await client.get("/api/reviews", params={"per_page": 100})).json()
        reviews = [r["id"] for r in listing["reviews"]]
        results: list = []
        until = time.monotonic() + seconds
        await asyncio.gather(*(user(client, reviews, until, results, think) for _ in range(users)))
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--think",
        default="0.5-1.5",
        help="seconds each user pauses between requests, as MIN-MAX (0 for none: a stress "
        "test of the most the server can do, not a model of people)",
    )
    parser.add_argument(
        "--database-url",
        default="postgresql+psycopg://caselearn:caselearn@127.0.0.1:5432/postgres",
    )
    args = parser.parse_args()
    low, _, high = args.think.partition("-")
    think = (float(low), float(high or low))
    url = fresh_database(args.database_url)
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "CASELEARN_HOME": home, "CASELEARN_DATABASE_URL": url}
        server = None
        try:
            t = time.perf_counter()
            subprocess.run([*CLI, "demo", "--no-serve"], env=env, check=True, capture_output=True)
            print(f"loaded the bundled corpus in {time.perf_counter() - t:.0f} s")
            out = subprocess.run(
                [
                    *CLI,
                    "users",
                    "add",
                    "load-lead",
                    "--role",
                    "lead",
                    "--committee",
                    "Riverside Child Protection Committee",
                    "--token",
                ],
                env=env,
                check=True,
                capture_output=True,
                text=True,
            )
            token = out.stdout.strip().splitlines()[-1]
            port = 8765
            server = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "uvicorn",
                    "caselearn.web.asgi:app",
                    "--port",
                    str(port),
                    "--workers",
                    str(args.workers),
                    "--log-level",
                    "warning",
                ],
                env=env,
            )
            base = f"http://127.0.0.1:{port}"
            for _ in range(100):
                try:
                    if httpx.get(base + "/login").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            cpu_before = process_tree_cpu(server.pid)
            database_before = postgres_cpu()
            started = time.perf_counter()
            results = asyncio.run(run(base, token, args.users, args.seconds, think))
            elapsed = time.perf_counter() - started
            server_cpu = process_tree_cpu(server.pid) - cpu_before
            database_cpu = postgres_cpu() - database_before
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)
            drop_database(url)
    print(
        f"{args.users} users for {elapsed:.0f} s on PostgreSQL, {args.workers} server workers, "
        f"thinking {think[0]:g}-{think[1]:g} s between requests"
    )
    print(f"{'kind':14} {'requests':>9} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'errors':>7}")
    kinds = sorted({k for k, _, _ in results})
    for kind in [*kinds, "all"]:
        rows = [r for r in results if kind == "all" or r[0] == kind]
        times = [r[1] * 1000 for r in rows]
        errors = sum(1 for r in rows if not r[2])
        print(
            f"{kind:14} {len(rows):9} {statistics.median(times):8.0f} "
            f"{percentile(times, 0.95):8.0f} {max(times):8.0f} {errors:7}"
        )
    print(f"throughput: {len(results) / elapsed:.1f} requests/s")
    # Latency depends on what else the two cores are doing; CPU per request much less so:
    # the figure to compare between runs and changes.
    print(
        f"server CPU: {server_cpu * 1000 / max(1, len(results)):.1f} ms per request "
        f"({server_cpu / elapsed:.2f} cores busy)"
    )
    print(
        f"PostgreSQL CPU: {database_cpu * 1000 / max(1, len(results)):.1f} ms per request "
        f"({database_cpu / elapsed:.2f} cores busy)"
    )


if __name__ == "__main__":
    main()

"""A read call on a kept-alive connection: the enrollment API (GET /v1/teams, with authentication, access
control and tracing) against plain uvicorn + FastAPI running the same read-model query, and the API as it
was served before TCP_NODELAY.

Run: python3 dev.py run --group bench python bench/bench_keepalive.py [REQUESTS_PER_ROUND] [ROUNDS]
"""

from __future__ import annotations

import asyncio
import sys
import time

import httpx
from common import servers
from enrollment_bench import caught_up, fmt_ms, free_port, load_average, percentiles, prepare, programme, wait_up

TEAMS = 10


def measure(url: str, headers: dict[str, str], count: int) -> list[float]:
    """`count` GETs one after another on one kept-alive connection."""
    times = []
    with httpx.Client(headers=headers) as client:
        client.get(url).raise_for_status()  # opens the connection
        for _ in range(count):
            start = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - start)
            response.raise_for_status()
    return times


async def main(per_round: int, rounds: int) -> None:
    with servers() as srv:
        bench = await prepare(srv, "bench_keepalive")
        api, old, bare = free_port(), free_port(), free_port()
        with (
            bench.process("api", api),
            bench.process("worker"),
            bench.process("nagle-api", old),
            bench.process("bare-read", bare),
        ):
            for port in (api, old, bare):
                await wait_up(f"http://127.0.0.1:{port}/docs")
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{api}") as client:
                await programme(client, bench, TEAMS)
            await caught_up(bench)
            token = bench.token()
            targets = {
                "ours (GET /v1/teams)": (f"http://127.0.0.1:{api}/v1/teams", token),
                "bare uvicorn+FastAPI, same query": (f"http://127.0.0.1:{bare}/teams", {}),
                "ours served as before (no TCP_NODELAY)": (f"http://127.0.0.1:{old}/v1/teams", token),
            }
            results: dict[str, list[float]] = {name: [] for name in targets}
            load = load_average()
            for _ in range(rounds):  # interleaved, so a burst of load on the machine hits every target alike
                for name, (url, headers) in targets.items():
                    results[name] += measure(url, headers, per_round)
            figures = {name: percentiles(times) for name, times in results.items()}
            for name, p in figures.items():
                print(f"{name}: {fmt_ms(p)}", flush=True)
            ours, bare_p = figures["ours (GET /v1/teams)"], figures["bare uvicorn+FastAPI, same query"]
            before = figures["ours served as before (no TCP_NODELAY)"]
            ratio = ours["p50"] / bare_p["p50"]
            verdict = "met" if ratio <= 1.5 else "NOT met"
            print(
                f"keep-alive read p50: ours / bare = {ratio:.2f} (target <= 1.5: {verdict}); before the fix / bare ="
                f" {before['p50'] / bare_p['p50']:.2f}; load average {load} -> {load_average()}",
                flush=True,
            )


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:3]]
    asyncio.run(main(args[0] if args else 500, args[1] if len(args) > 1 else 4))

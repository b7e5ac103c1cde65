"""From command to read model: enrollment commands over HTTP at a steady rate, and when each one's effect
is in the read model, beside the same run's bare baselines.

Run: python3 dev.py run --group bench python bench/bench_latency.py [RATE] [SECONDS]     (200 commands/s, 60 s)

- ours: the enrollment API and worker as deployed (two processes); keep-alive clients send a mix of
  commands (nomination, guardians informed, selection, the guardian's participation consent, enrolment;
  each child's in order) at RATE per second, open loop. A command's read-model latency runs from sending
  it to the commit of the projection transaction that applied its event, reported by a NOTIFY trigger
  the benchmark puts on the projection's duplicate-guard table (one row per event stream and version);
- bare HTTP: plain uvicorn + FastAPI, one POST inserting one row, at the same rate;
- bare NATS: JetStream publish (awaiting the ack) to a push consumer receiving it, at the same rate.

Prints p50/p99/max of each and writes bench/latency_histogram.png.
"""

from __future__ import annotations

import asyncio
import collections
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import nats
from common import servers
from enrollment_bench import (
    Bench,
    caught_up,
    fmt_ms,
    free_port,
    load_average,
    percentiles,
    prepare,
    programme,
    team_id,
    wait_up,
)

STEPS = 5  # commands per child
PNG = Path(__file__).with_name("latency_histogram.png")


def guardian(n: int) -> dict[str, str]:
    return {"guardian_id": f"guardian-{n}", "given_names": "Maija", "family_name": f"Huoltaja{n}",
            "phone": "+358 40 123 4567", "email": f"g{n}@example.fi"}  # fmt: skip


def command(n: int, step: int, teams: int) -> tuple[str, dict[str, Any], bool]:
    """The child's step-th command: (path, body, sent by the guardian)."""
    child, team = f"child-{n:05d}", team_id(n % teams)
    dob = f"2019-{1 + n % 6:02d}-{1 + n % 27:02d}"
    person = {"given_names": f"Lapsi{n}", "family_name": "Esimerkki", "date_of_birth": dob}
    if step == 0:
        return f"/children/{child}/nomination", {
            "municipality_code": "092", "team_id": team, "nominated_on": "2025-08-05",
            "preschool": {"name": "Hakunilan esikoulu"}, "nominated_by": ["preschool", "social_services"],
            "preschool_reference": f"esiopetus-{n}", "cohort_year": 2019,
        }, False  # fmt: skip
    if step == 1:
        return f"/children/{child}/guardians-informed", {
            "guardians": [guardian(n)], "informed_on": "2025-08-08", "reasons": ["no_other_hobby"], "child": person,
        }, False  # fmt: skip
    if step == 2:
        return f"/children/{child}/selection", {"team_id": team, "decided_on": "2025-08-12"}, False
    if step == 3:
        return f"/children/{child}/consents", {
            "consent_id": f"consent-{n}", "subject_id": child, "purpose": "participation",
            "evidence": {"method": "electronic", "information_version": "participation-information-2025-06"},
        }, True  # fmt: skip
    return f"/children/{child}/enrolment", {
        "team_id": team, "enrolled_on": "2025-08-20", "child": {**person, "hetu": ""},
        "guardians": [guardian(n)], "school": {"name": "Hakunilan koulu", "code": "12345"}, "class_name": "1A",
    }, False  # fmt: skip


async def install_probe(bench: Bench) -> None:
    """A NOTIFY at the commit of each projection transaction, per event stream and version it applied."""
    from rinnalla_enrollment.bootstrap import core

    conn = await asyncpg.connect(bench.dsn)
    try:
        await conn.execute(
            """CREATE OR REPLACE FUNCTION public.bench_seen_notify() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                PERFORM pg_notify('bench_seen', NEW.stream_type || ' ' || NEW.stream_id || ' ' || NEW.version);
                RETURN NULL;
            END $$"""
        )
        service = core()
        for projection in service.projections():
            generation = await conn.fetchval(
                f"SELECT generation FROM {service.schema}.projection_generations"
                " WHERE projection = $1 AND state = 'active'",
                projection.name,
            )
            seen = projection.tables_for(service.schema, generation).seen
            await conn.execute(
                f"CREATE OR REPLACE TRIGGER bench_seen AFTER INSERT OR UPDATE ON {seen}"
                " FOR EACH ROW EXECUTE FUNCTION public.bench_seen_notify()"
            )
    finally:
        await conn.close()


async def open_loop(rate: float, seconds: float, fire: Any) -> None:
    """Call fire(i) at i / rate seconds, for `seconds`, each in a task of its own."""
    tasks = set()
    start = time.perf_counter()
    for i in range(int(rate * seconds)):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(fire(i))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.gather(*tasks)


def team_count(rate: float, seconds: float) -> int:
    """Room for every child the run starts: a child starts when no started one has a command ready, so
    about rate / STEPS a second plus those waiting for an answer (2 s of them is ample when it keeps up)."""
    return int((rate * seconds / STEPS + 2 * rate) // 25) + 2


async def ours(bench: Bench, base_url: str, rate: float, seconds: float) -> dict[str, list[float]]:
    teams = team_count(rate, seconds)
    children = int(rate * seconds)
    staff = bench.token()
    guardians = [bench.token("guardian.vantaa", sub=f"guardian-{n}") for n in range(children)]
    listener = await asyncpg.connect(bench.dsn)
    # per child stream: (version, when) of each notification; one projection batch that applies several
    # versions of a stream writes its duplicate-guard row once, with the highest of them
    notified: dict[str, list[tuple[int, float]]] = collections.defaultdict(list)
    listener_ready = asyncio.Event()

    def on_seen(_c: Any, _pid: int, _channel: str, payload: str) -> None:
        stream_type, stream_id, version = payload.split(" ")
        if stream_type == "child":
            notified[stream_id].append((int(version), time.perf_counter()))

    await listener.add_listener("bench_seen", on_seen)
    listener_ready.set()
    ready: collections.deque[tuple[int, int]] = collections.deque()
    next_child = [0]
    sent: dict[tuple[str, int], float] = {}
    answered: list[float] = []
    failures: list[str] = []
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    async with httpx.AsyncClient(base_url=f"{base_url}/v1", limits=limits, timeout=60) as client:

        async def fire(_i: int) -> None:
            if ready:
                n, step = ready.popleft()
            else:
                n, step = next_child[0], 0
                next_child[0] += 1
            path, body, as_guardian = command(n, step, teams)
            headers = {**(guardians[n] if as_guardian else staff), "Idempotency-Key": str(uuid.uuid4())}
            started = time.perf_counter()
            response = await client.post(path, json=body, headers=headers)
            answered.append(time.perf_counter() - started)
            if response.status_code != 200:
                failures.append(f"{path}: {response.status_code} {response.text[:200]}")
                return
            sent[(f"child-{n:05d}", step + 1)] = started
            if step + 1 < STEPS:
                ready.append((n, step + 1))

        await open_loop(rate, seconds, fire)
    await caught_up(bench)
    await asyncio.sleep(0.5)  # the last notifications
    await listener.close()
    if failures:
        print(f"{len(failures)} commands failed, e.g. {failures[:3]}", flush=True)
    seen_at = {}
    for (stream_id, version), _started in sent.items():
        times = [at for applied, at in notified.get(stream_id, []) if applied >= version]
        if times:
            seen_at[(stream_id, version)] = min(times)
    missing = [key for key in sent if key not in seen_at]
    if missing:
        raise SystemExit(f"{len(missing)} commands never reached the read model, e.g. {missing[:3]}")
    return {"answered": answered, "read model": [seen_at[key] - started for key, started in sent.items()]}


async def bare_insert(base_url: str, rate: float, seconds: float) -> list[float]:
    times: list[float] = []
    limits = httpx.Limits(max_connections=32, max_keepalive_connections=32)
    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=60) as client:

        async def fire(i: int) -> None:
            started = time.perf_counter()
            (await client.post("/rows", json={"n": i, "label": "x" * 400})).raise_for_status()
            times.append(time.perf_counter() - started)

        await open_loop(rate, seconds, fire)
    return times


async def bare_nats(nats_url: str, rate: float, seconds: float) -> list[float]:
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    stream = f"BARE{uuid.uuid4().hex[:6].upper()}"
    await js.add_stream(name=stream, subjects=[f"{stream.lower()}.>"])
    published: dict[int, float] = {}
    times: list[float] = []

    async def received(msg: Any) -> None:
        times.append(time.perf_counter() - published[int(msg.data[:12])])

    sub = await js.subscribe(f"{stream.lower()}.>", cb=received, ordered_consumer=True)

    async def fire(i: int) -> None:
        published[i] = time.perf_counter()
        await js.publish(f"{stream.lower()}.e", f"{i:012d}".encode() + b"x" * 500)

    await open_loop(rate, seconds, fire)
    async with asyncio.timeout(30):
        while len(times) < len(published):  # noqa: ASYNC110 (waits for the consumer's callback)
            await asyncio.sleep(0.05)
    await sub.unsubscribe()
    await js.delete_stream(stream)
    await nc.close()
    return times


def histogram(series: dict[str, list[float]], title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    everything = [v for values in series.values() for v in values]
    bins = np.logspace(np.log10(max(min(everything), 1e-4)), np.log10(max(everything)), 80)
    fig, ax = plt.subplots(figsize=(10, 5.5))
    for name, values in series.items():
        ax.hist(
            [v * 1000 for v in values], bins=[float(b) * 1000 for b in bins], histtype="step", linewidth=1.5, label=name
        )
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("latency (ms, log scale)")
    ax.set_ylabel("commands / messages (log scale)")
    ax.set_title(title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(PNG, dpi=110)
    print(f"histogram: {PNG}", flush=True)


async def main(rate: float, seconds: float) -> None:
    with servers() as srv:
        bench = await prepare(srv, "bench_latency")
        api, bare = free_port(), free_port()
        with bench.process("api", api), bench.process("worker"), bench.process("bare-insert", bare):
            await wait_up(f"http://127.0.0.1:{api}/docs")
            await wait_up(f"http://127.0.0.1:{bare}/docs")
            async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{api}") as client:
                await programme(client, bench, team_count(rate, seconds))
            await caught_up(bench)
            await install_probe(bench)
            figures: dict[str, list[float]] = {}
            loads = []
            loads.append(load_average())
            figures["bare HTTP insert (uvicorn+FastAPI+asyncpg)"] = await bare_insert(
                f"http://127.0.0.1:{bare}", rate, seconds
            )
            loads.append(load_average())
            figures["bare NATS publish -> consumer"] = await bare_nats(srv.nats_url, rate, seconds)
            loads.append(load_average())
            result = await ours(bench, f"http://127.0.0.1:{api}", rate, seconds)
            loads.append(load_average())
            figures["ours: command answered"] = result["answered"]
            figures["ours: command -> read model"] = result["read model"]
        for name, values in figures.items():
            print(f"{name}: {fmt_ms(percentiles(values))}", flush=True)
        print(f"{rate:.0f}/s for {seconds:.0f} s; load average at each phase: {' | '.join(loads)}", flush=True)
        histogram(figures, f"Command to read model at {rate:.0f}/s for {seconds:.0f} s, with the same run's baselines")


if __name__ == "__main__":
    args = [float(a) for a in sys.argv[1:3]]
    asyncio.run(main(args[0] if args else 200.0, args[1] if len(args) > 1 else 60.0))

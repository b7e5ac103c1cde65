"""Read every event a Rinnalla service publishes, as a partner would: nats-py only, no Rinnalla code.

    python subscribe_example.py --nats-url nats://localhost:4222 --service enrollment

An ordered consumer (ephemeral, in stream order, recreated by the client on a gap) reads the stream
from its first message; events are deduplicated by event id; it stops after --idle-seconds without news.
A real partner would keep a durable consumer instead and store the ids it has processed.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

import nats
from nats.errors import TimeoutError as NatsTimeout


def sealed_fields(data: Any, path: str = "") -> list[tuple[str, str]]:
    """(dotted path, person id) of each encrypted personal field: {"$pii": <person id>, "ct": <base64>}."""
    if isinstance(data, dict):
        if set(data) == {"$pii", "ct"}:
            return [(path, data["$pii"])]
        return [found for key, value in data.items() for found in sealed_fields(value, f"{path}.{key}".strip("."))]
    if isinstance(data, list):
        return [found for item in data for found in sealed_fields(item, path)]
    return []


async def main(nats_url: str, prefix: str, service: str, idle_seconds: float) -> None:
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    seen: set[str] = set()
    subscription = await js.subscribe(f"{prefix}.{service}.>", ordered_consumer=True)
    try:
        while True:
            try:
                msg = await subscription.next_msg(timeout=idle_seconds)
            except NatsTimeout:
                break
            envelope = json.loads(msg.data)
            event_id = (msg.headers or {}).get("Nats-Msg-Id", envelope["event_id"])
            if event_id in seen:
                continue  # already processed: the same event delivered twice
            seen.add(event_id)
            print(f"event {event_id} {envelope['event_type']} v{envelope['schema_version']} on {msg.subject}")
            for path, person in sealed_fields(envelope["payload"]):
                print(f"  {path}: encrypted for {person}")
    finally:
        await subscription.unsubscribe()
        await nc.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nats-url", default="nats://localhost:4222")
    parser.add_argument("--prefix", default="rinnalla", help="the deployment's subject prefix")
    parser.add_argument("--service", default="enrollment")
    parser.add_argument("--idle-seconds", type=float, default=5.0)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.nats_url, arguments.prefix, arguments.service, arguments.idle_seconds))

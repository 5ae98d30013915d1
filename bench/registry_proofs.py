"""Benchmark: inclusion and consistency proof medians at log sizes 10^3, 10^5 and 10^6, on PostgreSQL.

Run on demand (not collected by pytest):

    .venv/bin/python bench/registry_proofs.py [--url postgresql://postgres@127.0.0.1:5432/postgres]

It creates a scratch database, migrates the registry schema into it, fills log_entries and
log_subtrees with synthetic entries (the perfect subtrees come from CompactRange, exactly what the
registry stores) using COPY, times proof generation through the registry's log service and
repository layer (the code the proof endpoints run: one query for the O(log n) subtree hashes a
proof needs), prints a table, and drops the database.
"""

from __future__ import annotations

import argparse
import json
import random
import secrets
import statistics
import time
from collections.abc import Callable

import psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from services.registry.log import service as log
from shared.canonical import canonical_bytes
from shared.db.engine import Database, connect
from shared.db.migrations import upgrade
from shared.transparency.merkle import CompactRange, leaf_hash

SIZES = (10**3, 10**5, 10**6)
SAMPLES = 300
SCHEMA = "registry"


def _entry(index: int) -> bytes:
    return canonical_bytes(
        {
            "index": index,
            "kind": "donation",
            "at": "2026-04-13T08:00:00.000000Z",
            "event_id": "evt-bench",
            "quantity_g": 350,
            "serials": [f"HNCI-BENCH-2025-{index * 350 + 1:015d}-{index * 350 + 350:015d}"],
        }
    )


def fill(conninfo: str, frontier: CompactRange, target: int) -> None:
    """Append synthetic entries up to ``target`` with COPY, storing every completed subtree."""
    with psycopg.connect(conninfo) as conn, conn.cursor() as cursor:
        cursor.execute(f'SET search_path TO "{SCHEMA}"')
        with cursor.copy("COPY log_entries (leaf_index, kind, record_id, canonical, leaf_hash) FROM STDIN") as copy_e:
            subtrees: list[tuple[int, int, bytes]] = []
            for index in range(frontier.size, target):
                data = _entry(index)
                leaf = leaf_hash(data)
                copy_e.write_row((index, "donation", None, data.decode(), leaf))
                subtrees.extend(frontier.append(leaf))
        with cursor.copy("COPY log_subtrees (level, position, hash) FROM STDIN") as copy_s:
            for row in subtrees:
                copy_s.write_row(row)
        conn.commit()
        cursor.execute("ANALYZE log_subtrees")
        conn.commit()


def median_ms(database: Database, action: Callable[[Session], object]) -> float:
    """Median wall time of ``action(session)`` over SAMPLES runs in one read session."""
    times = []
    with database.reads() as session:
        for _ in range(SAMPLES):
            started = time.perf_counter()
            action(session)
            times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure(database: Database, size: int, rng: random.Random) -> tuple[float, float, float]:
    """Median inclusion proof, consistency proof and root, at one log size."""

    def inclusion(session: Session) -> object:
        return log.inclusion_at(session, rng.randrange(size), size)

    def consistency(session: Session) -> object:
        return log.consistency_between(session, rng.randrange(1, size), size)

    def root(session: Session) -> object:
        return log.root_at(session, size)

    return median_ms(database, inclusion), median_ms(database, consistency), median_ms(database, root)


def main() -> None:
    """Create, fill, measure, drop."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    name = f"lingtan_proofs_{secrets.token_hex(3)}"
    admin = make_url(args.url).set(drivername="postgresql")
    admin_dsn = admin.render_as_string(hide_password=False)
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = admin.set(database=name).render_as_string(hide_password=False)
        database = connect(url, schema=SCHEMA)
        upgrade("registry", database)
        frontier = CompactRange()
        rows = []
        rng = random.Random(7)
        for size in SIZES:
            started = time.perf_counter()
            fill(url, frontier, size)
            filled = time.perf_counter() - started
            inclusion = median_ms(database, lambda s, n=size: log.inclusion_at(s, rng.randrange(n), n))  # type: ignore[misc]
            consistency = median_ms(
                database,
                lambda s, n=size: log.consistency_between(s, rng.randrange(1, n), n),  # type: ignore[misc]
            )
            root = median_ms(database, lambda s, n=size: log.root_at(s, n))  # type: ignore[misc]
            rows.append((size, inclusion, consistency, root, filled))
        database.dispose()
    finally:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"{'log size':>10} | {'inclusion ms':>12} | {'consistency ms':>14} | {'root ms':>8} | fill s")
    print("-" * 66)
    for size, inclusion, consistency, root, filled in rows:
        print(f"{size:>10,} | {inclusion:>12.3f} | {consistency:>14.3f} | {root:>8.3f} | {filled:.1f}")
    print(
        json.dumps(
            {
                "medians_ms": {str(r[0]): {"inclusion": round(r[1], 3), "consistency": round(r[2], 3)} for r in rows},
                "samples": SAMPLES,
            }
        )
    )


if __name__ == "__main__":
    main()

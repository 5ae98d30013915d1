"""Tamper evidence: the database refuses changes to the log, and an attacker who gets around that
(disabling the triggers, as anyone with database access could) is caught by `lingtan verify`."""

from __future__ import annotations

import base64
import json
import secrets
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from lingtan.cli import main
from shared.canonical import canonical_bytes
from shared.db.engine import Database
from shared.db.transactions import run_in_transaction
from shared.transparency.merkle import CompactRange, leaf_hash
from tests.registry.conftest import HOLDER_SCOPES, OPERATOR_SCOPES, Ledger, Operator, Registry, principal
from tests.support.events import known_event

LOG_TABLES = ("log_entries", "log_subtrees", "log_checkpoints")
UNIT = 1_000_000


def _sql(database: Database, statement: str, **params: Any) -> None:
    with database.engine.begin() as conn:
        conn.execute(text(statement), params)


def _fill_log(ledger: Ledger) -> str:
    from services.registry.accounts.schemas import AccountCreate
    from services.registry.accounts.service import open_account
    from services.registry.credits.schemas import IssuanceCreate
    from services.registry.credits.service import issue
    from services.registry.log.keys import LogSigner
    from services.registry.log.service import current_checkpoint
    from services.registry.projects.schemas import ProjectCreate
    from services.registry.projects.service import file_project
    from services.registry.retirements.schemas import RetirementCreate
    from services.registry.retirements.service import retire

    def work(session: Any) -> str:
        actor = principal("org:expo")
        account = open_account(session, actor, AccountCreate(owner="org:expo", kind="organization", name="expo"))
        project = file_project(
            session,
            ProjectCreate(
                name="mangroves", code="HNMG1", unit_type="HNCI", province="CN-HI", category="ocean", methodology="m"
            ),
        )
        issue(session, IssuanceCreate(project_id=project.id, account_id=account.id, vintage=2023, quantity=UNIT))
        retired = retire(
            session,
            actor,
            RetirementCreate(
                event_id="evt", from_account=account.id, quantity=10, unit_type="HNCI", beneficiary="b", reason="r"
            ),
        )
        return retired.serial_ranges[0].serial

    ledger.know_event("evt", "org:expo")
    serial = run_in_transaction(ledger.database.writes, work)
    assert ledger.sequence() == 4  # the account, the project, the issuance and the retirement
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    current_checkpoint(ledger.database, LogSigner("lingtan.test/registry", Ed25519PrivateKey.generate()))
    return serial


@pytest.mark.parametrize("table", LOG_TABLES)
def test_the_database_refuses_to_update_or_delete_log_rows(ledger: Ledger, table: str) -> None:
    _fill_log(ledger)
    column = {"log_entries": "kind", "log_subtrees": "hash", "log_checkpoints": "note"}[table]
    value = b"x" * 32 if column == "hash" else "forged"
    with pytest.raises(DBAPIError, match="refused"):
        _sql(ledger.database, f"UPDATE {table} SET {column} = :v", v=value)
    with pytest.raises(DBAPIError, match="refused"):
        _sql(ledger.database, f"DELETE FROM {table}")
    with ledger.database.engine.connect() as conn:
        assert conn.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() > 0


def test_the_database_refuses_to_change_a_retired_block(ledger: Ledger) -> None:
    serial = _fill_log(ledger)
    end = int(serial.rsplit("-", 1)[1])
    with pytest.raises(DBAPIError, match="refused"):
        _sql(
            ledger.database,
            "UPDATE credit_blocks SET state = 'held', retirement_id = NULL WHERE serial_end = :e",
            e=end,
        )
    with pytest.raises(DBAPIError, match="refused"):
        _sql(ledger.database, "DELETE FROM credit_blocks WHERE state = 'retired'")


def disable_guards(conn: Connection) -> None:
    """What an attacker with database access does first."""
    if conn.dialect.name == "postgresql":
        for table in LOG_TABLES:
            conn.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
        return
    for table in LOG_TABLES:
        for operation in ("update", "delete"):
            conn.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_{operation}"))


def rewrite_entry(database: Database, index: int, change: dict[str, Any], rehash: str) -> None:
    """Change one entry; rehash 'none' (text only), 'leaf' (its stored hash too) or 'tree' (every hash)."""
    with database.engine.begin() as conn:
        disable_guards(conn)
        rows = conn.execute(text("SELECT leaf_index, canonical FROM log_entries ORDER BY leaf_index")).all()
        entries = [json.loads(row.canonical) for row in rows]
        entries[index].update(change)
        forged = canonical_bytes(entries[index])
        conn.execute(
            text("UPDATE log_entries SET canonical = :c WHERE leaf_index = :i"), {"c": forged.decode(), "i": index}
        )
        if rehash in ("leaf", "tree"):
            conn.execute(
                text("UPDATE log_entries SET leaf_hash = :h WHERE leaf_index = :i"),
                {"h": leaf_hash(forged), "i": index},
            )
        if rehash == "tree":
            frontier, subtrees = CompactRange(), []
            for entry in entries:
                subtrees += frontier.append(leaf_hash(canonical_bytes(entry)))
            conn.execute(text("DELETE FROM log_subtrees"))
            conn.execute(
                text("INSERT INTO log_subtrees (level, position, hash) VALUES (:l, :p, :h)"),
                [{"l": level, "p": position, "h": h} for level, position, h in subtrees],
            )
            hashes = json.dumps([base64.b64encode(h).decode() for h in frontier.hashes])
            conn.execute(text("UPDATE log_state SET frontier = :f"), {"f": hashes})


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(list(argv))
    return code, json.loads(capsys.readouterr().out.strip().splitlines()[-1])


def _populate(platform: Any) -> tuple[Registry, Operator, dict[str, Any]]:
    owner = f"org:{secrets.token_hex(3)}"
    holder = Registry(platform.register(owner, HOLDER_SCOPES).client(), owner)
    operator = Operator(platform.register("lingtan:op", OPERATOR_SCOPES).client(), "lingtan:op")
    account = holder.account()
    audit = known_event(platform, owner)
    operator.issue(operator.project()["id"], account, 5 * UNIT)
    retired = holder.created(
        "retirements",
        {
            "event_id": audit,
            "from_account": account,
            "quantity": 2 * UNIT,
            "unit_type": "HNCI",
            "beneficiary": "b",
            "reason": "r",
        },
    )
    holder.created("donations", {"event_id": audit, "from_account": account, "quantity": UNIT})
    return holder, operator, retired


@pytest.mark.parametrize("rehash", ["none", "leaf"])
def test_verify_log_names_the_entry_changed_behind_the_applications_back(
    fresh_platform: Any, rehash: str, capsys: pytest.CaptureFixture[str]
) -> None:
    holder, operator, retired = _populate(fresh_platform)
    try:
        assert holder.http.get("/registry/v1/log/checkpoint").status_code == 200
        code, result = run(capsys, "verify", "log", "--registry", fresh_platform.url)
        assert code == 0, result
        rewrite_entry(fresh_platform.database("registry"), retired["log_index"], {"quantity_g": 1}, rehash)
        code, result = run(capsys, "verify", "log", "--registry", fresh_platform.url)
        assert code == 1 and result["failed"] == "entries"
        assert f"entry {retired['log_index']} " in result["error"]
    finally:
        holder.http.close()
        operator.http.close()


def test_a_rewritten_history_fails_the_consistency_proof_from_an_earlier_checkpoint(
    fresh_platform: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    holder, operator, retired = _populate(fresh_platform)
    try:
        saved = tmp_path / "checkpoint.json"
        saved.write_text(holder.http.get("/registry/v1/log/checkpoint").text)
        vkey = holder.http.get("/registry/v1/log/public-key").json()["vkey"]
        rewrite_entry(fresh_platform.database("registry"), retired["log_index"], {"quantity_g": 1}, "tree")
        holder.account()
        code, result = run(capsys, "verify", "log", "--registry", fresh_platform.url, "--vkey", vkey)
        assert code == 0, "the rewritten log is self-consistent: only an earlier checkpoint can expose it"
        code, result = run(
            capsys, "verify", "consistency", str(saved), "--registry", fresh_platform.url, "--vkey", vkey
        )
        assert code == 1 and result["failed"] == "consistency"
        code, result = run(
            capsys, "verify", "log", "--registry", fresh_platform.url, "--checkpoint", str(saved), "--vkey", vkey
        )
        assert code == 1 and result["failed"] == "consistency"
    finally:
        holder.http.close()
        operator.http.close()

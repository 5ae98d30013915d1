"""`lingtan verify proof|consistency|log` against a running platform and on saved files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lingtan.cli import main
from tests.registry.conftest import Operator, Registry
from tests.support.events import known_event

UNIT = 1_000_000


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(list(argv))
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1, lines
    return code, json.loads(lines[0])


@pytest.fixture
def retirement(platform, operator: Operator, holder: Registry) -> dict[str, Any]:
    event = known_event(platform, holder.owner)
    account = holder.account()
    operator.issue(operator.project()["id"], account, 3 * UNIT)
    return holder.created(
        "retirements",
        {
            "event_id": event,
            "from_account": account,
            "quantity": 2 * UNIT,
            "unit_type": "HNCI",
            "beneficiary": "b",
            "reason": "r",
        },
    )


def test_proof_of_a_real_retirement_passes_from_the_registry_and_from_a_file(
    platform, public, retirement: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, result = run(capsys, "verify", "proof", "--retirement", retirement["id"], "--registry", platform.url)
    assert code == 0 and result["ok"] and result["leaf_index"] == retirement["log_index"]
    assert result["record_id"] == retirement["id"] and result["vkey_source"] == "registry"
    bundle = public.get(f"/registry/v1/retirements/{retirement['id']}/proof").json()
    vkey = public.get("/registry/v1/log/public-key").json()["vkey"]
    saved = tmp_path / "proof.json"
    saved.write_text(json.dumps(bundle))
    code, result = run(capsys, "verify", "proof", str(saved), "--vkey", vkey)
    assert code == 0 and result["vkey_source"] == "pinned"


def test_a_tampered_bundle_or_a_foreign_key_fails(
    public, retirement: dict[str, Any], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = public.get(f"/registry/v1/retirements/{retirement['id']}/proof").json()
    vkey = public.get("/registry/v1/log/public-key").json()["vkey"]
    forged = {**bundle, "entry": {**bundle["entry"], "quantity_g": 20 * UNIT}}
    saved = tmp_path / "forged.json"
    saved.write_text(json.dumps(forged))
    code, result = run(capsys, "verify", "proof", str(saved), "--vkey", vkey)
    assert code == 1 and not result["ok"] and result["failed"] == "inclusion"
    saved.write_text(json.dumps(bundle))
    other_key = "lingtan.org/registry+8a6bd1c2+AdRndvx75/hqjHWBuUXkDGRgw6aWmQ+N4I1l615v+LM8"
    code, result = run(capsys, "verify", "proof", str(saved), "--vkey", other_key)
    assert code != 0 and not result["ok"]


def test_consistency_and_log_pass_on_an_honest_registry(
    platform, operator: Operator, holder: Registry, public, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "last-month.json"
    saved.write_text(public.get("/registry/v1/log/checkpoint").text)
    operator.issue(operator.project()["id"], holder.account(), UNIT)
    code, result = run(capsys, "verify", "consistency", str(saved), "--registry", f"{platform.url}/registry")
    assert code == 0 and result["new"]["tree_size"] > result["old"]["tree_size"]
    vkey = public.get("/registry/v1/log/public-key").json()["vkey"]
    code, result = run(capsys, "verify", "log", "--registry", platform.url, "--checkpoint", str(saved), "--vkey", vkey)
    assert code == 0 and result["entries_checked"] >= result["extends"]["tree_size"]

"""An account read back: its holdings in full, its blocks up to a bound, and whether any were left out."""

from __future__ import annotations

import pytest

from services.registry.accounts import service as accounts
from services.registry.accounts.schemas import AccountCreate
from services.registry.credits.schemas import IssuanceCreate
from services.registry.credits.service import issue
from services.registry.projects.schemas import ProjectCreate
from services.registry.projects.service import file_project
from shared.db.executor import Executor
from shared.db.transactions import run_in_transaction
from tests.registry.conftest import Ledger, principal

OWNER = "org:blocks-shown"


def _holder_of_vintages(ledger: Ledger, vintages: list[int]) -> str:
    """An account holding one 10 g block of each vintage, issued in the order given."""

    def work(session: Executor) -> str:
        account = accounts.open_account(
            session, principal(OWNER), AccountCreate(owner=OWNER, kind="organization", name="many blocks")
        )
        project = file_project(
            session,
            ProjectCreate(
                name="shown", code="SHOWN1", unit_type="HNCI", province="CN-HI", category="other", methodology="m"
            ),
        )
        for vintage in vintages:
            issue(session, IssuanceCreate(project_id=project.id, account_id=account.id, vintage=vintage, quantity=10))
        return account.id

    return str(run_in_transaction(ledger.database.writes, work))


def test_an_account_lists_its_oldest_blocks_up_to_the_bound_and_says_more_are_held(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    account_id = _holder_of_vintages(ledger, [2024, 2021, 2023, 2022])
    monkeypatch.setattr(accounts, "BLOCKS_SHOWN", 3)
    with ledger.database.reads() as session:
        shown = accounts.read_account(session, principal(OWNER), account_id)
    assert [block.vintage for block in shown.blocks] == [2021, 2022, 2023]
    assert shown.blocks_truncated
    assert sum(holding.quantity_g for holding in shown.holdings) == 40  # holdings count every block


def test_an_account_with_no_more_blocks_than_the_bound_lists_them_all(
    ledger: Ledger, monkeypatch: pytest.MonkeyPatch
) -> None:
    account_id = _holder_of_vintages(ledger, [2022, 2021, 2023])
    monkeypatch.setattr(accounts, "BLOCKS_SHOWN", 3)
    with ledger.database.reads() as session:
        shown = accounts.read_account(session, principal(OWNER), account_id)
    assert [block.vintage for block in shown.blocks] == [2021, 2022, 2023]
    assert not shown.blocks_truncated

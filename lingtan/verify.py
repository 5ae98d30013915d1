"""`lingtan verify`: an auditor's checks of the registry's log, from files or against a running registry.

Each command prints one JSON object and exits 0 when every check passed, 1 when one failed (the
object's ``failed`` names the step and ``error`` says what did not match), 2 when the inputs could
not be read or fetched. Pin the registry's key with ``--vkey`` (from ``GET /registry/v1/log/public-key``,
obtained once and kept): without it the key is fetched from the registry itself and the result says
``"vkey_source": "registry"``, which proves consistency but not who signed.

``--registry`` is the registry's base URL: through the gateway ``https://HOST/registry``, or a
registry service directly. A bare gateway origin works too: ``/registry`` is tried when the URL
itself does not answer.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import httpx

from shared.canonical import canonical_bytes
from shared.transparency.checkpoint import Checkpoint, CheckpointError, parse_and_verify, parse_verifier_key
from shared.transparency.merkle import MemoryTree, ProofError, leaf_hash, verify_consistency
from shared.transparency.verify import (
    ConsistencyBundle,
    RetirementProofBundle,
    VerificationError,
    decode_hash,
    verify_entries,
    verify_log_consistency,
    verify_retirement_proof,
)

ENTRIES_PAGE = 1000
Result = dict[str, Any]


class InputError(Exception):
    """A file or an answer from the registry could not be read."""


class RegistryApi:
    """The public log endpoints of one registry."""

    def __init__(self, url: str, http: httpx.Client) -> None:
        self.http = http
        self.base = self._resolve(url.rstrip("/"))

    def _resolve(self, url: str) -> str:
        for base in (url, f"{url}/registry"):
            try:
                response = self.http.get(f"{base}/v1/log/public-key")
            except httpx.HTTPError as exc:
                raise InputError(f"cannot reach the registry at {url}: {exc}") from exc
            if response.status_code == 200:
                return base
        raise InputError(f"no registry log at {url} or {url}/registry")

    def get(self, path: str, **params: Any) -> Any:
        """GET a JSON document under /v1/."""
        try:
            response = self.http.get(f"{self.base}/v1/{path}", params=params)
        except httpx.HTTPError as exc:
            raise InputError(f"GET {path} failed: {exc}") from exc
        if response.status_code != 200:
            raise InputError(f"GET {path} answered {response.status_code}: {response.text[:300]}")
        return response.json()

    def vkey(self) -> str:
        """The verifier key the registry publishes."""
        return str(self.get("log/public-key")["vkey"])

    def checkpoint(self) -> str:
        """The latest signed checkpoint note."""
        return str(self.get("log/checkpoint")["checkpoint"])

    def consistency(self, first: int, second: int) -> list[str]:
        """A consistency proof (base64 hashes)."""
        return list(self.get("log/consistency", first=first, second=second)["proof"])

    def entries(self, size: int) -> tuple[list[dict[str, Any]], list[bytes]]:
        """The first ``size`` entries and the leaf hashes the registry stored for them."""
        entries: list[dict[str, Any]] = []
        hashes: list[bytes] = []
        while len(entries) < size:
            page = self.get("log/entries", start=len(entries), end=min(size, len(entries) + ENTRIES_PAGE))
            if not page["entries"]:
                raise InputError(f"the registry served {len(entries)} entries but the checkpoint covers {size}")
            for item in page["entries"]:
                if item["index"] != len(entries):
                    raise InputError(f"expected entry {len(entries)}, the registry served entry {item['index']}")
                entries.append(item["entry"])
                hashes.append(decode_hash(item["leaf_hash"]))
        return entries, hashes


def _read_json(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read JSON from {path}: {exc}") from exc


def _read_checkpoint(path: str) -> str:
    """A saved checkpoint: the note itself, or the JSON the checkpoint endpoint answers."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    if text.lstrip().startswith("{"):
        try:
            return str(json.loads(text)["checkpoint"])
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{path} is JSON without a 'checkpoint' note") from exc
    return text


def _summary(checkpoint: Checkpoint) -> Result:
    return {
        "origin": checkpoint.origin,
        "tree_size": checkpoint.size,
        "root_hash": checkpoint.root_hash.hex(),
        "signed_at": checkpoint.timestamp.isoformat() if checkpoint.timestamp else None,
    }


def _pinned(vkey: str | None, api: RegistryApi | None) -> tuple[str, str]:
    if vkey is not None:
        try:
            parse_verifier_key(vkey)
        except CheckpointError as exc:
            raise InputError(f"--vkey is not a verifier key: {exc}") from exc
        return vkey, "pinned"
    if api is None:
        raise InputError("--vkey is required to verify offline")
    return api.vkey(), "registry"


def verify_proof(bundle_json: Mapping[str, Any], vkey: str, vkey_source: str = "pinned") -> Result:
    """Check a retirement proof bundle: checkpoint signature, then the entry's inclusion."""
    bundle = RetirementProofBundle.from_json(bundle_json)
    verified = verify_retirement_proof(bundle, vkey)
    entry = json.loads(bundle.entry)
    return {
        "check": "proof",
        "ok": True,
        "vkey_source": vkey_source,
        "leaf_index": verified.leaf_index,
        "leaf_hash": verified.leaf_hash.hex(),
        "entry_kind": entry.get("kind"),
        "record_id": entry.get("retirement_id") or entry.get("cancellation_id"),
        "checkpoint": _summary(verified.checkpoint),
    }


def verify_consistency_with(old_note: str, api: RegistryApi, vkey: str, vkey_source: str) -> Result:
    """Check that the registry's latest checkpoint extends a checkpoint saved earlier."""
    old = _checkpoint_or_fail(old_note, vkey, "old checkpoint: ")
    new_note = api.checkpoint()
    new = _checkpoint_or_fail(new_note, vkey, "new checkpoint: ")
    if old.size > new.size:
        raise VerificationError(
            "consistency",
            f"the registry's latest checkpoint (size {new.size}) is smaller than the saved one ({old.size})",
        )
    proof = api.consistency(old.size, new.size)
    bundle = ConsistencyBundle.from_json({"old_checkpoint": old_note, "new_checkpoint": new_note, "proof": proof})
    verified = verify_log_consistency(bundle, vkey)
    return {
        "check": "consistency",
        "ok": True,
        "vkey_source": vkey_source,
        "old": _summary(verified.old),
        "new": _summary(verified.new),
    }


def _first_inconsistent(api: RegistryApi, tree: MemoryTree, checkpoint: Checkpoint) -> int:
    """The first entry whose prefix no longer extends to the signed root, by bisecting on consistency proofs.

    A prefix of intact entries is consistent with the checkpoint; any prefix that contains a changed
    entry is not, whatever proof the registry serves. So the first failing prefix ends at that entry.
    """
    good, bad = 0, checkpoint.size
    while bad - good > 1:
        middle = (good + bad) // 2
        proof = [decode_hash(h) for h in api.consistency(middle, checkpoint.size)]
        try:
            verify_consistency(middle, checkpoint.size, tree.root(middle), checkpoint.root_hash, proof)
            good = middle
        except ProofError:
            bad = middle
    return bad - 1


def _first_changed(
    api: RegistryApi, tree: MemoryTree, stored: list[bytes], entries: list[dict[str, Any]], checkpoint: Checkpoint
) -> VerificationError:
    """Name the first entry that no longer matches: by its stored leaf hash, else by bisection."""
    for index, kept in enumerate(stored):
        if tree.leaf_hash(index) != kept:
            return VerificationError(
                "entries",
                f"entry {index} ({entries[index].get('kind')}) no longer matches its stored leaf hash: "
                f"its content changed after it was logged ({tree.leaf_hash(index).hex()} != {kept.hex()})",
            )
    # The stored hashes were rewritten too: only the signed root is left to trust.
    index = _first_inconsistent(api, tree, checkpoint)
    return VerificationError(
        "entries",
        f"entry {index} ({entries[index].get('kind')}) no longer matches the signed checkpoint of size "
        f"{checkpoint.size}: the entries up to it rebuild a tree that the checkpoint does not extend",
    )


def verify_log(api: RegistryApi, vkey: str, vkey_source: str, old_note: str | None = None) -> Result:
    """Rebuild the tree from every entry and compare it with the latest (and a saved) checkpoint."""
    result: Result = {"check": "log", "ok": True, "vkey_source": vkey_source}
    old = None
    if old_note is not None:
        result["extends"] = verify_consistency_with(old_note, api, vkey, vkey_source)["old"]
        old = _checkpoint_or_fail(old_note, vkey, "old checkpoint: ")
    note = api.checkpoint()
    checkpoint = _checkpoint_or_fail(note, vkey)
    entries, stored = api.entries(checkpoint.size)
    tree = MemoryTree()
    for entry in entries:
        tree.append_hash(leaf_hash(canonical_bytes(entry)))
    try:
        verify_entries(entries, note, vkey)
    except VerificationError as exc:
        if exc.check != "entries":
            raise
        raise _first_changed(api, tree, stored, entries, checkpoint) from exc
    for index, kept in enumerate(stored):
        if tree.leaf_hash(index) != kept:
            raise VerificationError("entries", f"entry {index}'s stored leaf hash differs from the hash of its content")
    if old is not None and tree.root(old.size) != old.root_hash:
        raise VerificationError("entries", f"the first {old.size} entries do not rebuild the saved checkpoint")
    result.update(entries_checked=checkpoint.size, checkpoint=_summary(checkpoint))
    return result


def _checkpoint_or_fail(note: str, vkey: str, which: str = "") -> Checkpoint:
    try:
        return parse_and_verify(note, vkey)
    except CheckpointError as exc:
        raise VerificationError("checkpoint", f"{which}{exc}") from exc


def _run(check: str, action: Callable[[httpx.Client], Result]) -> int:
    try:
        with httpx.Client(timeout=30) as http:
            result = action(http)
    except VerificationError as exc:
        print(json.dumps({"check": check, "ok": False, "failed": exc.check, "error": str(exc)}, ensure_ascii=False))
        return 1
    except InputError as exc:
        print(json.dumps({"check": check, "ok": False, "failed": "input", "error": str(exc)}, ensure_ascii=False))
        return 2
    print(json.dumps(result, ensure_ascii=False))
    return 0


def _cmd_proof(args: argparse.Namespace) -> int:
    def action(http: httpx.Client) -> Result:
        if args.file is not None:
            vkey, source = _pinned(args.vkey, None)
            return verify_proof(_read_json(args.file), vkey, source)
        if args.retirement is None or args.registry is None:
            raise InputError("give a proof FILE, or --retirement ID with --registry URL")
        api = RegistryApi(args.registry, http)
        vkey, source = _pinned(args.vkey, api)
        return verify_proof(api.get(f"retirements/{args.retirement}/proof"), vkey, source)

    return _run("proof", action)


def _cmd_consistency(args: argparse.Namespace) -> int:
    def action(http: httpx.Client) -> Result:
        old_note = _read_checkpoint(args.old_checkpoint)
        api = RegistryApi(args.registry, http)
        vkey, source = _pinned(args.vkey, api)
        return verify_consistency_with(old_note, api, vkey, source)

    return _run("consistency", action)


def _cmd_log(args: argparse.Namespace) -> int:
    def action(http: httpx.Client) -> Result:
        old_note = _read_checkpoint(args.checkpoint) if args.checkpoint else None
        api = RegistryApi(args.registry, http)
        vkey, source = _pinned(args.vkey, api)
        return verify_log(api, vkey, source, old_note)

    return _run("log", action)


def add_registry_commands(verify: Any) -> None:
    """Register `proof`, `consistency` and `log` on the `lingtan verify` subcommand group."""
    proof = verify.add_parser("proof", help="a retirement's inclusion proof and checkpoint signature")
    proof.add_argument("file", nargs="?", help="a proof bundle saved from GET /registry/v1/retirements/{id}/proof")
    proof.add_argument("--retirement", help="fetch the bundle of this retirement, donation or cancellation")
    proof.add_argument("--registry", help="the registry's base URL (e.g. http://127.0.0.1:8000/registry)")
    proof.add_argument("--vkey", help="the registry's verifier key, pinned by the auditor")
    proof.set_defaults(func=_cmd_proof)

    consistency = verify.add_parser("consistency", help="the latest checkpoint extends one saved earlier")
    consistency.add_argument("old_checkpoint", help="a checkpoint saved earlier (the note, or the endpoint's JSON)")
    consistency.add_argument("--registry", required=True)
    consistency.add_argument("--vkey")
    consistency.set_defaults(func=_cmd_consistency)

    log = verify.add_parser("log", help="rebuild the tree from every entry and compare with the checkpoint")
    log.add_argument("--registry", required=True)
    log.add_argument("--checkpoint", help="a checkpoint saved earlier, which the log must still extend")
    log.add_argument("--vkey")
    log.set_defaults(func=_cmd_log)

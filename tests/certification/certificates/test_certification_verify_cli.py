"""`lingtan verify certificate` offline, on saved files: signature, status bit, and what it refuses."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lingtan.cli import main
from services.certification.certificates.credential import generate_issuer_key, public_jwks
from shared.jws import b64url, b64url_decode
from tests.certification.certification_local import ISSUER, PUBLIC_URL, LocalCertification, certified


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict[str, Any]]:
    code = main(["verify", "certificate", *argv])
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1, lines
    return code, json.loads(lines[0])


def save(service: LocalCertification, certificate: dict[str, Any], folder: Path) -> dict[str, str]:
    """The certificate, the issuer's keys and its status list as a verifier would keep them."""
    files = {"certificate": folder / "certificate.json", "jwks": folder / "jwks.json", "list": folder / "list.jwt"}
    files["certificate"].write_text(json.dumps(certificate), encoding="utf-8")
    files["jwks"].write_text(service.get("/.well-known/jwks.json").text, encoding="utf-8")
    status_list = service.get(certificate["status_list_url"].removeprefix(f"{PUBLIC_URL}/certification"))
    files["list"].write_text(status_list.text, encoding="utf-8")
    return {name: str(path) for name, path in files.items()}


def offline(files: dict[str, str], certificate: str | None = None) -> list[str]:
    return [certificate or files["certificate"], "--jwks", files["jwks"], "--status-list", files["list"]]


def test_a_valid_certificate_passes_offline(
    service: LocalCertification, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    certificate = certified(service)
    files = save(service, certificate, tmp_path)

    code, result = run(capsys, *offline(files))

    assert code == 0
    assert result["ok"] is True
    assert (result["signature"], result["status"]) == ("valid", "valid")
    assert result["certificate"] == certificate["credential_id"]
    assert result["status_list_index"] == certificate["status_list_index"]
    assert result["jwks_source"] == files["jwks"]


def test_a_bare_jws_file_is_checked_too(
    service: LocalCertification, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    certificate = certified(service)
    files = save(service, certificate, tmp_path)
    bare = tmp_path / "certificate.jwt"
    bare.write_text(certificate["jws"] + "\n", encoding="utf-8")

    assert run(capsys, *offline(files, str(bare)))[0] == 0


def test_a_revoked_certificate_fails_with_its_status(
    service: LocalCertification, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    certificate = certified(service)
    service.post(f"/v1/certificates/{certificate['id']}/revocation", {"reason": "audit finding"}, owner=ISSUER,
                 scopes="certification:issue")
    files = save(service, certificate, tmp_path)

    code, result = run(capsys, *offline(files))

    assert code == 1
    assert (result["ok"], result["failed"], result["status"]) == (False, "status", "revoked")


def test_a_changed_certificate_fails_its_signature(
    service: LocalCertification, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    certificate = certified(service)
    files = save(service, certificate, tmp_path)
    header, payload, signature = certificate["jws"].split(".")
    claims = json.loads(b64url_decode(payload))
    claims["credentialSubject"]["accountedEmissionsKgCO2e"] = "1.000"
    forged = tmp_path / "forged.jwt"
    forged.write_text(f"{header}.{b64url(json.dumps(claims).encode())}.{signature}", encoding="utf-8")

    code, result = run(capsys, *offline(files, str(forged)))

    assert code == 1
    assert (result["failed"], result["signature"]) == ("signature", "invalid")


def test_keys_of_another_issuer_fail_the_signature(
    service: LocalCertification, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    certificate = certified(service)
    files = save(service, certificate, tmp_path)
    Path(files["jwks"]).write_text(json.dumps(public_jwks([generate_issuer_key()])), encoding="utf-8")

    code, result = run(capsys, *offline(files))

    assert code == 1
    assert result["failed"] == "signature"


def test_unreadable_inputs_conclude_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, result = run(capsys, str(tmp_path / "missing.json"), "--jwks", str(tmp_path / "jwks.json"))

    assert code == 2
    assert (result["ok"], result["failed"]) == (False, "input")
    assert run(capsys)[0] == 2

"""Print the authorization matrix of a freshly started platform as the Markdown table of docs/authorization.md.

    .venv/bin/python scripts/authorization_matrix.py > /tmp/matrix.md

Every route of every service is called through the gateway by each role with an empty body and ids
that do not exist; a cell is `ok` when the caller got past authentication and authorization (any
answer but 401 or 403). Review the output before it replaces the table: the test in
tests/security/test_security_authorization_matrix.py then holds the platform to it.
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.security.test_security_authorization_matrix import ANONYMOUS, ROLES  # noqa: E402
from tests.support.running import RunningPlatform  # noqa: E402

SERVICES = ("accounting", "registry", "certification", "disclosure")


def main() -> None:
    with tempfile.TemporaryDirectory() as data:
        platform = RunningPlatform(data_dir=Path(data)).start()
        try:
            headers = {ANONYMOUS: {}}
            for role, scopes in ROLES.items():
                if role != ANONYMOUS:
                    headers[role] = platform.register(f"org:matrix-{role}", scopes).headers()
            columns = [r for r in ROLES if r != ANONYMOUS] + [ANONYMOUS]
            print("| route | " + " | ".join(columns) + " |")
            print("|---" * (len(columns) + 1) + "|")
            with httpx.Client(timeout=60) as client:
                for service in SERVICES:
                    spec = client.get(f"{platform.service_url(service)}/openapi.json").json()
                    for path, operations in spec["paths"].items():
                        for method in operations:
                            if method.upper() not in ("GET", "POST", "PUT", "PATCH", "DELETE"):
                                continue
                            url = platform.url + "/" + service + re.sub(r"\{[^}]+\}", "does-not-exist-0", path)
                            cells = []
                            for role in columns:
                                body = None if method == "get" else {}
                                got = client.request(method.upper(), url, json=body, headers=headers[role])
                                cells.append(str(got.status_code) if got.status_code in (401, 403) else "ok")
                            print(f"| `{method.upper()} /{service}{path}` | " + " | ".join(cells) + " |")
        finally:
            platform.stop()


if __name__ == "__main__":
    main()

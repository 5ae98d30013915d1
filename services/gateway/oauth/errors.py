"""RFC 6749 §5.2 error responses (that are RFC 9457 problem documents as well)."""

from __future__ import annotations

from fastapi.responses import JSONResponse

from shared.problems import PROBLEM_TYPE_BASE

_TITLES = {
    "invalid_request": "The token request is malformed",
    "invalid_client": "Client authentication failed",
    "invalid_grant": "The grant is not valid",
    "unauthorized_client": "The client may not use this grant type",
    "unsupported_grant_type": "Unsupported grant type",
    "invalid_scope": "The requested scope is not allowed",
    "invalid_target": "The requested resource is not known",
}


def oauth_error(error: str, description: str, basic_auth_used: bool = False) -> JSONResponse:
    """An RFC 6749 error body (error, error_description) carrying RFC 9457 members too."""
    status = 401 if error == "invalid_client" else 400
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    if status == 401:
        headers["WWW-Authenticate"] = 'Basic realm="lingtan"' if basic_auth_used else 'Bearer realm="lingtan"'
    return JSONResponse(
        {
            "error": error,
            "error_description": description,
            "type": PROBLEM_TYPE_BASE + "oauth-" + error.replace("_", "-"),
            "title": _TITLES[error],
            "status": status,
            "detail": description,
        },
        status_code=status,
        headers=headers,
    )

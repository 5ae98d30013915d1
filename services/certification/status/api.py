"""Status lists: the signed W3C Bitstring Status List credentials that publish revocations (public)."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from services.certification.status import service
from shared.db.session import DbSession
from shared.jws import b64url_decode

router = APIRouter(prefix="/v1/status-lists", tags=["status lists"])
VC_JWT = "application/vc+jwt"


def _wants_json(request: Request) -> bool:
    accept = request.headers.get("accept", "").lower()
    return VC_JWT not in accept and ("json" in accept or "application/vc" in accept)


@router.get(
    "/{list_id}",
    response_class=Response,
    responses={
        200: {"content": {VC_JWT: {}, "application/vc": {}}},
        404: {"description": "No such status list"},
    },
    summary="A BitstringStatusListCredential, signed as a VC-JWT (public)",
)
def status_list(list_id: Annotated[int, Path(ge=1, le=2**31 - 1)], session: DbSession, request: Request) -> Response:
    """The signed list (application/vc+jwt) by default; its unsigned credential JSON when asked for JSON."""
    published = service.published(session, list_id)
    headers = {"Cache-Control": "no-cache", "Vary": "Accept"}
    if _wants_json(request):
        credential = json.loads(b64url_decode(published.jws.split(".")[1]))
        return Response(json.dumps(credential, ensure_ascii=False), media_type="application/vc", headers=headers)
    return Response(published.jws, media_type=VC_JWT, headers=headers)

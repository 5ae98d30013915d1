"""Status-list indices for new certificates, revocation bits, and the signed list credential.

A list holds 131,072 bits. New certificates get random free indices in the newest list until half of
it is taken, then a new list starts: random indices reveal nothing about issuance order, and half
empty lists keep drawing a free index quick. The list credential is signed again at every change, so
a read only returns what was stored.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from services.certification.certificates import repository as certificates
from services.certification.certificates.credential import issue
from services.certification.identifiers import utc_now
from services.certification.runtime import CertificationRuntime
from services.certification.status import repository
from services.certification.status.bitstring import (
    MIN_BITS,
    STATUS_PURPOSE,
    choose_index,
    encode,
    new_list,
    set_bit,
    status_list_credential,
)
from services.certification.status.models import StatusList
from shared.problems import NotFound


def _signed(runtime: CertificationRuntime, list_id: int, bits: bytes, at: datetime) -> str:
    credential = status_list_credential(runtime.status_list_url(list_id), runtime.issuer_id, encode(bits), at)
    return issue(credential, runtime.keys.signing)


def _open_list(session: Session, runtime: CertificationRuntime) -> StatusList:
    now = utc_now()
    bits = bytes(new_list(MIN_BITS))
    created = repository.add(
        session,
        StatusList(purpose=STATUS_PURPOSE, size_bits=MIN_BITS, bits=bits, version=1, jws="", updated_at=now),
    )
    # The credential names its own URL, which needs the id the insert assigned.
    created.jws = _signed(runtime, created.id, bits, now)
    session.flush()
    return created


def allocate(session: Session, runtime: CertificationRuntime) -> tuple[int, int]:
    """A status list id and a random free index in it for a new certificate."""
    current = repository.latest(session)
    if current is None or certificates.count_in_list(session, current.id) * 2 >= current.size_bits:
        current = _open_list(session, runtime)
    index = choose_index(certificates.taken_indices(session, current.id), current.size_bits)
    return current.id, index


def revoke_bit(session: Session, runtime: CertificationRuntime, list_id: int, index: int) -> None:
    """Set a certificate's revocation bit and sign the list again (ConcurrentUpdate if the list changed)."""
    current = repository.get(session, list_id)
    if current is None:
        raise NotFound(f"No status list {list_id}.")
    bits = bytearray(current.bits)
    set_bit(bits, index)
    now = utc_now()
    repository.replace_bits(session, list_id, current.version, bytes(bits), _signed(runtime, list_id, bytes(bits), now),
                            now)


def published(session: Session, list_id: int) -> StatusList:
    """A status list as last signed."""
    found = repository.get(session, list_id)
    if found is None:
        raise NotFound(f"No status list {list_id}.")
    return found

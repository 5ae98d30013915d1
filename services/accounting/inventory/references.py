"""Green-electricity certificate references, compared as the same certificate however they are typed.

A certificate (or green-power trade record) proves one quantity of green electricity once: claimed
twice, on two lines or by two events, it would be counted twice. References are compared by their
key: the text in Unicode compatibility form (full-width letters, digits and dashes as their ASCII
forms), case-folded, without any white space. "GEC-2026-000123", " gec-2026-000123" and
"ＧＥＣ－２０２６－０００１２３" are one certificate.
"""

from __future__ import annotations

import unicodedata


def certificate_key(reference: str) -> str:
    """The reference as compared: compatibility form, case-folded, white space removed."""
    folded = unicodedata.normalize("NFKC", reference).casefold()
    return "".join(folded.split())

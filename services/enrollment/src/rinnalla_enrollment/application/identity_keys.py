"""The identity key: a pseudonym of a person's identity code, for the identity index.

HMAC-SHA256 of the normalised code under a secret derived from the master key (HKDF-SHA256, its own
`info`, so the secret is used for nothing else). Without the master key a key can neither be traced to
a person nor checked against a guessed code (the codes are few enough to try them all).
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from rinnalla_refdata import validate_hetu

HKDF_INFO = b"rinnalla.identity-index"


class IdentityKeys:
    """Computes identity keys. Holds the derived secret only; `repr()` shows neither it nor any key."""

    def __init__(self, master_key: bytes) -> None:
        self._secret = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(master_key)

    def key_of(self, hetu: str) -> str:
        """The identity key of a valid identity code (whitespace and letter case do not matter)."""
        normalised = validate_hetu(hetu)
        return hmac.new(self._secret, normalised.encode("ascii"), hashlib.sha256).hexdigest()

    def __repr__(self) -> str:
        return "IdentityKeys(<secret>)"

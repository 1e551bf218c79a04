"""The one-time code on an activation letter: how it is made, printed, typed and looked up.

Decision (issue 11): a code is never stored. Each letter's row keeps a random `nonce`; the
code is HMAC-SHA256(SECRET_KEY, "activation:<compound id>:<person id>:<nonce>") read as 12
characters of an alphabet without look-alikes (no 0/O, 1/I/L). The row stores the code's
SHA-256 for the lookup when an owner types it. So a reprint of a letter shows the same
code (derived again), and a copy of the database alone reveals no code: without the
SECRET_KEY the nonce is useless and the hash cannot be reversed in practice
(31^12 ≈ 7.9·10^17 codes, and typing is rate-limited). If SECRET_KEY changes, a reprint
would derive another code than the one stored: the service notices (hash mismatch) and
issues a new code instead.
"""

from __future__ import annotations

import hashlib
import hmac

#: 8 digits and 23 capitals: no 0, 1, I, L, O — nothing an owner can misread
ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
LENGTH = 12


def derive(secret: str, compound_id: int, person_id: int, nonce: str) -> str:
    """The 12 characters of the code of a letter's row (no dashes)."""
    message = f"activation:{compound_id}:{person_id}:{nonce}".encode()
    number = int.from_bytes(hmac.new(secret.encode(), message, hashlib.sha256).digest(), "big")
    chars = []
    for _ in range(LENGTH):
        number, index = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[index])
    return "".join(chars)


def shown(code: str) -> str:
    """As printed: XXXX-XXXX-XXXX."""
    return "-".join(code[i:i + 4] for i in range(0, LENGTH, 4))


def typed(value) -> str:
    """What an owner typed, as the 12 characters to look up: capitals, without spaces and
    dashes ("" when it cannot be a code)."""
    if not isinstance(value, str):
        return ""
    cleaned = "".join(ch for ch in value.upper() if ch.isalnum())
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return ""
    return cleaned


def digest(code: str) -> str:
    """The stored form of a code: its SHA-256."""
    return hashlib.sha256(code.encode()).hexdigest()

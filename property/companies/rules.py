"""The register's rules: the Unified Social Credit Code (统一社会信用代码) — DOMAIN.md §5.

Pure functions: no Flask, no database, no I/O, standard library only.
Never ``import property`` bare (it would shadow the builtin):
``from property.companies import rules``.
"""

from __future__ import annotations

__all__ = [
    "USCC_CHARSET",
    "USCC_WEIGHTS",
    "normalize_uscc",
    "uscc_check_char",
    "uscc_is_valid",
]

# ---------------------------------------------------------------------------------------------
# Unified Social Credit Code (统一社会信用代码), GB 32100-2015

#: The 31 characters of the code: digits and capitals without I, O, S, V, Z.
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
#: Weights of positions 1–17 (3^(i) mod 31).
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {char: value for value, char in enumerate(USCC_CHARSET)}


def normalize_uscc(code: str) -> str:
    """The code as the register stores it: surrounding whitespace removed, upper case."""
    return code.strip().upper()


def uscc_check_char(first17: str) -> str:
    """The 18th (check) character for the first 17 characters of a code.

    check = (31 − Σ value(cᵢ)·wᵢ mod 31) mod 31, mapped back through :data:`USCC_CHARSET`.
    Input is normalised (:func:`normalize_uscc`); ``ValueError`` if it is not 17 characters
    of the charset.
    """
    body = normalize_uscc(first17)
    if len(body) != 17:
        raise ValueError(f"need the first 17 characters of the code, got {len(body)}")
    bad = sorted({c for c in body if c not in _USCC_VALUE})
    if bad:
        raise ValueError(f"characters not allowed in a credit code: {''.join(bad)}")
    total = sum(_USCC_VALUE[c] * w for c, w in zip(body, USCC_WEIGHTS, strict=True))
    return USCC_CHARSET[(31 - total % 31) % 31]


def uscc_is_valid(code: object) -> bool:
    """True when ``code`` is an 18-character credit code whose check character is right.

    Normalised first (whitespace stripped, upper-cased), so ``"91330100716105852f"`` is valid.
    Anything else — not a string, wrong length, a character outside the charset (I, O, S,
    V, Z, punctuation…), a wrong check character — is ``False``. Only the GB 32100 check is
    verified, as the register does; the structure of the other fields is not.
    """
    if not isinstance(code, str):
        return False
    text = normalize_uscc(code)
    if len(text) != 18 or any(c not in _USCC_VALUE for c in text):
        return False
    return uscc_check_char(text[:17]) == text[17]

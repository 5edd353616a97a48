"""Password hashing: Argon2id through pwdlib, with its recommended parameters.

Only the hash is stored (``users.password_hash``, a PHC string such as ``$argon2id$v=19$...``);
``verify`` also tells when a stored hash uses older parameters and should be replaced.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pwdlib import PasswordHash

MIN_LENGTH = 8
"""Shortest password accepted (NIST SP 800-63B, section 5.1.1.2: at least 8 characters)."""


@cache
def _hasher() -> PasswordHash:
    from pwdlib import PasswordHash

    return PasswordHash.recommended()


def hash_password(password: str) -> str:
    """Return the Argon2id hash of ``password`` (a PHC string, about 100 characters)."""
    return _hasher().hash(password)


def verify_password(password: str, stored: str) -> tuple[bool, str | None]:
    """Check ``password`` against a stored hash.

    Returns:
        ``(valid, new_hash)``: ``new_hash`` is a fresh hash to store when the stored one uses
        outdated parameters, else None.
    """
    return _hasher().verify_and_update(password, stored)

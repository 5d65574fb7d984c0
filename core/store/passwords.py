"""Password hashing (argon2id, through argon2-cffi: a maintained binding of the reference
implementation, with parameters that follow RFC 9106's recommendations)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# The most used passwords (in French and English), refused whatever their length allows.
COMMON = frozenset(
    {
        "123456789012",
        "azertyuiopqs",
        "motdepasse12",
        "motdepasse123",
        "password1234",
        "passwordpassword",
        "azertyuiop123",
        "qwertyuiop123",
        "123456789abc",
        "abcdefghijkl",
        "soleil123456",
        "bonjour12345",
        "azerty123456",
        "marseille123",
        "motdepassemotdepasse",
        "000000000000",
        "111111111111",
        "iloveyou1234",
    }
)
MIN_LENGTH = 12  # OWASP ASVS 2.1.1


def password_problem(password: str, email: str = "") -> str | None:
    """Why a password is refused (in French), or None: long enough, not a common one, not
    the address, not one character repeated. Spaces count: they are never stripped."""
    if len(password) < MIN_LENGTH:
        return f"Le mot de passe doit faire au moins {MIN_LENGTH} caractères."
    lowered = password.lower()
    if len(set(password)) < 4:
        return "Le mot de passe doit mêler plus de caractères différents."
    local = email.lower().split("@")[0]
    if lowered in COMMON or lowered == email.lower() or (len(local) >= 6 and local in lowered):
        return (
            "Ce mot de passe est trop courant ou trop proche de l'adresse : choisissez-en un autre."
        )
    return None

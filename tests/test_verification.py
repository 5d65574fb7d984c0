"""Signed verification links: genuine ones pass, tampered or expired ones are refused."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

from core.verification import Claim, InvalidToken, sign, verify

KEY = b"k" * 32
CLAIM = Claim(
    trainee=7,
    employer="employeur.telenco",
    content="abc",
    issued=dt.date(2026, 6, 1),
    expires=dt.date(2027, 6, 1),
)


def test_round_trip():
    assert verify(sign(CLAIM, KEY), KEY, today=dt.date(2026, 7, 1)) == CLAIM


def test_a_changed_claim_is_refused():
    body, mac = sign(CLAIM, KEY).split(".")
    data = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    data["trainee"] = 8  # someone else's booklet, with the same signature
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    with pytest.raises(InvalidToken, match="n'est pas authentique"):
        verify(f"{forged}.{mac}", KEY, today=dt.date(2026, 7, 1))


def test_another_key_or_a_changed_signature_is_refused():
    token = sign(CLAIM, KEY)
    with pytest.raises(InvalidToken, match="n'est pas authentique"):
        verify(token, b"x" * 32, today=dt.date(2026, 7, 1))
    with pytest.raises(InvalidToken):
        verify(
            token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1],
            KEY,
            today=dt.date(2026, 7, 1),
        )


def test_expired_and_garbage_tokens_are_refused():
    with pytest.raises(InvalidToken, match="a expiré le 01/06/2027"):
        verify(sign(CLAIM, KEY), KEY, today=dt.date(2027, 6, 2))
    for garbage in ("", "abc", "a.b", "!!!.???"):
        with pytest.raises(InvalidToken):
            verify(garbage, KEY)


def test_a_link_only_serves_its_purpose():
    share = sign(CLAIM.model_copy(update={"purpose": "share"}), KEY)
    assert verify(share, KEY, today=dt.date(2026, 7, 1), purpose="share").purpose == "share"
    with pytest.raises(InvalidToken, match="ne sert pas à cela"):
        verify(share, KEY, today=dt.date(2026, 7, 1))  # used as a verification link
    with pytest.raises(InvalidToken, match="ne sert pas à cela"):
        verify(sign(CLAIM, KEY), KEY, today=dt.date(2026, 7, 1), purpose="share")

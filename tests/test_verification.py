"""Verification links: short codes (stable for the same content, new for a new one, listed
and withdrawn), and the signed tokens of booklets printed before (genuine ones pass,
tampered or expired ones are refused)."""

from __future__ import annotations

import base64
import datetime as dt
import json

import pytest

from core.booklet.verification import Claim, InvalidToken, short_code, sign, verify
from tests.test_setup import data_dir  # noqa: F401 (fixture)

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


def test_booklets_handed_out_are_listed_and_withdrawn_from_the_command_line(data_dir):  # noqa: F811
    from core.booklet.handing import verified_booklet
    from core.context import open_gestes
    from core.domain import NewTrainee
    from tests.test_setup import run

    gestes = open_gestes(migrate=True)
    directory = gestes.store.directory
    school = directory.create_school("lyon", "E2C Rhône", "Lyon", "territoire.lyon")
    today = dt.date.today()
    cohort = directory.create_cohort(school, "fibre", "Fibre", today, today + dt.timedelta(days=9))
    [trainee] = directory.add_trainees(cohort, [NewTrainee("Léa", "Roux")])
    code = verified_booklet(gestes, gestes.store.records.trainee_record(trainee)).verify_url[-14:]
    listed = run("verification", "list", trainee)
    assert listed.exit_code == 0 and f"{code}\t{today}\tterritory\tvalid" in listed.stdout
    assert run("verification", "revoke", code).exit_code == 0
    assert f"{code}\t{today}\tterritory\twithdrawn" in run("verification", "list", trainee).stdout
    unknown = run("verification", "revoke", "inconnu")
    assert unknown.exit_code == 1 and "Livret inconnu" in unknown.stderr


def test_a_short_code_depends_on_every_part_of_what_was_handed_out():
    base = short_code(KEY, 7, "employeur.telenco", None, "abc")
    assert base == short_code(KEY, 7, "employeur.telenco", None, "abc")
    others = {
        short_code(KEY, 8, "employeur.telenco", None, "abc"),
        short_code(KEY, 7, None, None, "abc"),
        short_code(KEY, 7, None, "territoire.lyon", "abc"),
        short_code(KEY, 7, "employeur.telenco", None, "abd"),
        short_code(b"x" * 32, 7, "employeur.telenco", None, "abc"),  # another deployment
    }
    assert base not in others and len(others) == 5
    assert all(len(code) == 14 and code.isalnum() and code.islower() for code in others)

"""The booklet as every channel hands it out: built from everything recorded about the
trainee (``booklet_of``: the record, immersion, the signed sheets' hours and — where the
trainee agreed — progress since entry), then kept behind its verification code
(``verified_booklet``). Pages, API, CLI, share links, cohort ZIPs and the verification page
all build it here, so they never count differently."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from core.booklet.data import BookletData, build_booklet, with_verification

if TYPE_CHECKING:
    from core.context import Gestes
    from core.judging.record import TraineeRecord


def booklet_of(
    gestes: Gestes,
    record: TraineeRecord,
    *,
    employer: str | None = None,
    territory: str | None = None,
    today: dt.date | None = None,
) -> BookletData:
    """One employer's (or a territory's) booklet of this trainee, from the whole record."""
    from core.followup.plans import entry_file

    trainee = record.trainee.id
    immersion = gestes.immersion_record(trainee)
    since = entry_file(gestes, trainee, record).since if immersion.progress_shown else ()
    return build_booklet(
        gestes.definitions_for(record.trainee),
        record,
        employer=employer,
        territory=territory,
        today=today,
        immersion=immersion,
        attended=attended_minutes(gestes, trainee),
        since_entry=since,
    )


def attended_minutes(gestes: Gestes, trainee_id: int) -> dict[str, int] | None:
    """Minutes attended per phase from the signed sheets; None before any is held."""
    hours = gestes.store.attendance.trainee_hours(trainee_id)
    return hours.done if hours and hours.total_held else None


def verified_booklet(
    gestes: Gestes,
    record: TraineeRecord,
    *,
    employer: str | None = None,
    territory: str | None = None,
    served_at: str | None = None,
) -> BookletData:
    """The booklet as every channel hands it out (CLI, download, share link, cohort ZIP):
    built with the trainee's immersion record, kept behind its short verification code (the
    same code for the same content), then given its link and QR code."""
    from core.booklet.verification import Handed, content_key, short_code

    trainee = record.trainee.id
    data = booklet_of(gestes, record, employer=employer, territory=territory)
    content = content_key(data)
    shown = data.model_dump(mode="json", exclude={"verify_url", "qr_svg", "badges"})
    key = gestes.settings.signing_key()
    # The same content, the same code; one the school withdrew is never handed out again:
    # the next code of the same content is made instead, and the withdrawn one stays so.
    for generation in range(100):
        salted = content if not generation else f"{content}:{generation}"
        handed = gestes.store.verifications.register(
            Handed(
                code=short_code(key, trainee, employer, territory, salted),
                trainee=trainee,
                employer=employer,
                territory=territory,
                content=content,
                issued=data.issued_on,
                shown=shown,
            )
        )
        if handed.revoked_at is None:
            break
    found = gestes.store.lookup.trainee(trainee)
    email = found[0].email if found else None
    identity = gestes.trainee_identity(trainee)
    return with_verification(data, handed, gestes.settings, identity, served_at, email)

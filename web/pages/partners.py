"""A school's partner companies (``core.store.partners``), kept by its coordination: the list
beside the plugins' shared profiles of the territory, a company added or adapted from a
shared profile, and each one's page — its requirements, its sites and contacts (the
school's only), the history of its changes — with its booklet for any trainee at once."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from core.catalog.definitions import Employer, Priority
from core.domain import RecordError
from core.partners import checked_fields, checked_requirements, territory_view
from core.store import ENGAGEMENT_KINDS as KINDS
from core.store import Partner
from web import forms
from web.actions import coordinated_school
from web.contract import served_as
from web.deps import Id, User, gestes_of, require_coordinator
from web.rendering import render
from web.security import CurrentUser, require_school

router = APIRouter(tags=["pages"])
ROWS = 6  # requirement rows a form offers (blank ones are left out)
LEVELS = (("en_cours", "En cours d'acquisition"), ("acquis", "Acquis"), ("maitrise", "Maîtrisé"))


@router.get("/partners")
def partners_page(
    request: Request, user: User, ecole: Annotated[int | None, Query(ge=1)] = None
) -> Response:
    school = coordinated_school(request, user, ecole)
    gestes = gestes_of(request)
    own = gestes.store.partners.of_school(school.id)
    adapted = {p.based_on for p in own if p.based_on}
    shared = [e for e in gestes.catalog.employers_in(school.territory) if e.id not in adapted]
    lines = gestes.store.engagements.of_school(school.id)
    view = {
        "school": school,
        "own": own,
        "shared": shared,
        "activity": territory_view(own, lines, forms.today()),
        "kinds": KINDS,
    }
    return render(request, "partners.html", view)


@router.get(
    "/partners/engagements.csv",
    response_class=Response,
    responses=served_as("text/csv", "The partners' report: every engagement, dated"),
)
def engagements_csv(
    request: Request, user: User, ecole: Annotated[int | None, Query(ge=1)] = None
) -> Response:
    """The school's partners' report: each company's engagements, one line each."""
    import csv
    import io

    school = coordinated_school(request, user, ecole)
    store = gestes_of(request).store
    names = {p.id: p.name for p in store.partners.of_school(school.id)}
    table = io.StringIO()
    writer = csv.writer(table, delimiter=";")
    writer.writerow(["entreprise", "date", "quoi", "combien", "stagiaire", "note", "noté par"])
    for e in store.engagements.of_school(school.id):
        trainee = store.lookup.trainee(e.trainee_id) if e.trainee_id else None
        who = f"{trainee[0].first_name} {trainee[0].last_name}" if trainee else ""
        writer.writerow([names.get(e.partner_id, ""), e.on.isoformat(), e.label, e.count, who,
                         e.note, e.by])  # fmt: skip
    headers = {"Content-Disposition": 'attachment; filename="partenaires.csv"'}
    return Response("\ufeff" + table.getvalue(), media_type="text/csv", headers=headers)


def _form_view(
    request: Request, school: Any, partner: Partner | Employer | None, **extra: Any
) -> dict[str, Any]:
    gestes = gestes_of(request)
    rows = (
        [(r.competency, r.min_level, r.priority.value) for r in partner.requirements]
        if (partner is not None)
        else []
    )
    rows += [("", "acquis", "importante")] * (ROWS - len(rows))
    lines = gestes.store.engagements.of_school(school.id)
    return {
        "school": school,
        "partner": partner,
        "engagements": [
            e for e in lines if isinstance(partner, Partner) and e.partner_id == partner.id
        ],
        "kinds": KINDS,
        "trainees": [
            t
            for c, _ in gestes.store.lookup.cohorts([school.id])
            for t in gestes.store.lookup.cohort_trainees(c.id)
            if not t.erased
        ],
        "rows": rows,
        "sectors": list(gestes.catalog.sectors.values()),
        "levels": LEVELS,
        "priorities": [(p.value, p.label) for p in Priority],
        "errors": {},
        "form": {},
        **extra,
    }


@router.get("/partners/new")
def new_partner_page(
    request: Request,
    user: User,
    ecole: Annotated[int | None, Query(ge=1)] = None,
    based_on: Annotated[str, Query(max_length=120)] = "",
) -> Response:
    """A new company, or the school's own profile of a shared one (``based_on``)."""
    school = coordinated_school(request, user, ecole)
    shared = gestes_of(request).catalog.employers.get(based_on) if based_on else None
    if based_on and shared is None:
        raise HTTPException(status_code=404, detail="Profil inconnu.")
    view = _form_view(request, school, shared, based_on=based_on, history=[])
    return render(request, "partner.html", view)


def _read(request: Request, form: FormData) -> tuple[dict[str, str], Any]:
    fields = checked_fields(
        **{k: str(form.get(k) or "")[:2001] for k in ("name", "description", "sites", "contacts")}
    )
    rows = [
        (str(form.get(f"competency-{n}") or ""), str(form.get(f"level-{n}") or ""),
         str(form.get(f"priority-{n}") or "importante"))
        for n in range(1, ROWS + 1)
    ]  # fmt: skip
    return fields, checked_requirements(gestes_of(request).catalog, rows)


@router.post("/partners")
async def add_partner(request: Request, user: User) -> Response:
    form = await request.form()
    school = coordinated_school(request, user, forms.whole(form, "ecole", {}, low=1, high=10**9))
    based_on = str(form.get("based_on") or "")[:120] or None
    gestes = gestes_of(request)
    if based_on and based_on not in gestes.catalog.employers:
        raise HTTPException(status_code=404, detail="Profil inconnu.")
    try:
        fields, requirements = _read(request, form)
        made = gestes.store.partners.add(
            school.id, fields.pop("name"), requirements, user.id, based_on=based_on, **fields
        )
    except RecordError as error:
        view = _form_view(request, school, None, based_on=based_on or "", history=[],
                          errors=forms.refusal(error), form=forms.values(form))  # fmt: skip
        return render(request, "partner.html", view, status_code=400)
    return RedirectResponse(f"/partners/{made.id}", status_code=303)


@router.get("/partners/search")
def employer_search(
    request: Request,
    user: User,
    employer: Annotated[str, Query(max_length=120)],
    ecole: Annotated[int | None, Query(ge=1)] = None,
) -> Response:
    """Who fits a company now, among the school's running and recent cohorts: to propose
    placements and candidates. The school's only: never shown outside it."""
    from core.partners import search

    school = coordinated_school(request, user, ecole)
    gestes = gestes_of(request)
    try:
        found = search(gestes, [school.id], employer, forms.today())
    except RecordError:
        raise HTTPException(status_code=404, detail="Entreprise inconnue.") from None
    own = {p.employer_id: p for p in gestes.store.partners.of_school(school.id)}
    company = own[employer].name if employer in own else gestes.catalog.employers[employer].name
    names = {c.id: c.name for s in gestes.catalog.sectors.values() for c in s.competencies}
    view = {"school": school, "company": company, "matches": found, "names": names}
    return render(request, "partner_search.html", view)


def _partner_of(request: Request, user: CurrentUser, partner_id: int) -> tuple[Partner, Any]:
    require_coordinator(user)
    partner = gestes_of(request).store.partners.get(partner_id)
    if partner is None:
        raise HTTPException(status_code=404, detail="Introuvable.")
    require_school(user, partner.school_id)
    return partner, gestes_of(request).store.lookup.school(partner.school_id)


@router.get("/partners/{partner_id}")
def partner_page(request: Request, user: User, partner_id: Id) -> Response:
    partner, school = _partner_of(request, user, partner_id)
    history = gestes_of(request).store.corrections.history("partner", [partner_id])
    view = _form_view(request, school, partner, based_on=partner.based_on or "", history=history)
    return render(request, "partner.html", view)


@router.post("/partners/{partner_id}/engagements")
async def add_engagement(request: Request, user: User, partner_id: Id) -> Response:
    """A line of what the company committed or did (an internship hosted, a hire…)."""
    partner, school = _partner_of(request, user, partner_id)
    form = await request.form()
    errors: forms.Errors = {}
    day = forms.day(form, "on", errors, default=forms.today())
    count = forms.whole(form, "count", errors, low=1, high=100) or 1
    trainee = forms.whole(form, "trainee", errors, low=1, high=10**9)
    store = gestes_of(request).store
    if not errors:
        try:
            store.engagements.add(
                partner_id, school.id, str(form.get("kind") or ""), day, user.id, count=count,
                trainee_id=trainee, note=str(form.get("note") or "")[:501], today=forms.today(),
            )  # fmt: skip
        except RecordError as error:
            errors = forms.refusal(error)
    if errors:
        history = store.corrections.history("partner", [partner_id])
        view = _form_view(request, school, partner, based_on=partner.based_on or "",
                          history=history, errors=errors, form=forms.values(form))  # fmt: skip
        return render(request, "partner.html", view, status_code=400)
    return RedirectResponse(f"/partners/{partner_id}#engagements", status_code=303)


@router.post("/partners/{partner_id}")
async def update_partner(request: Request, user: User, partner_id: Id) -> Response:
    """Each changed field traced (who, when, before, after); booklets read it at once."""
    partner, school = _partner_of(request, user, partner_id)
    form = await request.form()
    store = gestes_of(request).store
    try:
        fields, requirements = _read(request, form)
        store.partners.update(partner_id, school.id, user.id, requirements=requirements, **fields)
    except RecordError as error:
        history = store.corrections.history("partner", [partner_id])
        view = _form_view(request, school, partner, based_on=partner.based_on or "",
                          history=history, errors=forms.refusal(error),
                          form=forms.values(form))  # fmt: skip
        return render(request, "partner.html", view, status_code=400)
    return RedirectResponse(f"/partners/{partner_id}?ok=1", status_code=303)

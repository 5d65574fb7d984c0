"""The API and the pages under generated input: requests built by schemathesis from the
app's OpenAPI schema (pages and forms are in it too), sent by a signed-in admin. Whatever it
sends, the answer is never a server error (the first run of this kind found two: ids past
the database's integer range), and the schema tells the truth about it: every status,
content type, header and JSON body the app answers is the one documented (web/contract.py).

Left out, with reason: ``positive_data_acceptance``. A schema-valid request can still be
refused by a rule no schema states — a password the policy refuses, a sector or territory the
catalog does not hold, a current password that is wrong — and those refusals are documented
(400, one shape: ``{"detail", "field"}``).

Every route gets requests that fit its schema and requests that break it, first with ids
generated freely (mostly rows that do not exist, some past any range), then with ids pinned
to real rows, so that bodies reach the scoring, comment, evidence and import code instead of
stopping at a 404.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import (
    allow_header_conformance,
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.test_api import api_client
from tests.test_web import GESTURE, Site, build_site

CHECKS = [
    not_a_server_error,
    allow_header_conformance,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
EXAMPLES = 10  # per route, mode and pass: about 1,700 requests in all, ~20 s
SPARED = {  # what would end the script's session, or print PDFs by the dozen (tested apart)
    "POST /logout",
    "GET /trainees/{trainee_id}/booklet.pdf",
    "POST /cohorts/{cohort_id}/booklets",
}


@pytest.fixture(scope="module")
def fuzzed_site(tmp_path_factory: pytest.TempPathFactory, definitions: Any) -> Site:
    return build_site(tmp_path_factory.mktemp("fuzz"), definitions)


@pytest.fixture(scope="module")
def operations(fuzzed_site: Site) -> list[Any]:
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", fuzzed_site.app)
    found = [result.ok() for result in schema.get_all_operations()]
    assert len(found) >= 40, "the API's routes and the pages' are in the schema"
    return [operation for operation in found if operation.label not in SPARED]


@pytest.fixture(scope="module")
def script(fuzzed_site: Site) -> dict[str, Any]:
    """The admin's session cookie and CSRF header: every route is open to it."""
    client = api_client(fuzzed_site, "admin@example.org")
    return {
        "headers": {"X-CSRF-Token": client.headers["x-csrf-token"]},
        "cookies": dict(client.cookies),
    }


def fuzz(
    operation: Any,
    script: dict[str, Any],
    mode: GenerationMode,
    body: dict[str, Any] | None = None,
    **pinned: Any,
) -> None:
    path_parameters = {
        name: value
        for name, value in pinned.items()
        if name in {p.name for p in operation.path_parameters}
    }
    strategy = operation.as_strategy(generation_mode=mode, path_parameters=path_parameters)

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,  # the same requests on every run: a failure reproduces
        suppress_health_check=list(HealthCheck),
        database=None,
    )
    def send(case: Any) -> None:
        if body and isinstance(case.body, dict):  # a real gesture: on to its steps' checks
            case.body.update({key: value for key, value in body.items() if key in case.body})
        case.call_and_validate(**script, checks=CHECKS)

    try:
        send()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        # GET /api/me, say, or a route whose only input is any string: nothing can break
        # its schema, so there is no invalid request to send.


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_generated_request_is_a_server_error(
    operations: list[Any], script: dict[str, Any], mode: GenerationMode
) -> None:
    for operation in operations:
        fuzz(operation, script, mode)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_generated_body_is_a_server_error_on_real_rows(
    operations: list[Any], script: dict[str, Any], fuzzed_site: Site, mode: GenerationMode
) -> None:
    from core.immersion.placements import form_token
    from web.security import LoginLimiter

    # The pass above guessed many codes: its throttling must not hide the real links.
    fuzzed_site.app.state.link_limiter = LoginLimiter(
        fuzzed_site.gestes.store.failures, "link", attempts=10**6, address_attempts=10**6
    )
    key = fuzzed_site.gestes.settings.signing_key()
    for operation in operations:
        # A tutor's link for /tuteur/, the trainee's code for /moi/, with their form token:
        # generated bodies reach the loop's checks instead of stopping at a refused link.
        code = fuzzed_site.trainee_code if "/moi" in operation.path else fuzzed_site.tutor_code
        fuzz(
            operation,
            script,
            mode,
            body={"gesture": GESTURE, "token": form_token(key, code)},
            code=code,
            placement_id=fuzzed_site.placement,
            link_id=fuzzed_site.codes["admin"],
            cohort_id=fuzzed_site.cohort,
            trainee_id=fuzzed_site.trainee,
            observation_id=fuzzed_site.observations["admin"],
            user_id=fuzzed_site.spare_user,
            gesture_id=GESTURE,
            evaluation_id="fibre.e.bilan_liaison",
        )

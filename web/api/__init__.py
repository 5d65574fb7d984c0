"""JSON API under /api/: the operations of the pages, with the same checks (session, CSRF
header on writes, role and school scope, see ``web.deps``) and the same core calls.
Documented at /api/docs (Swagger UI, served locally) from FastAPI's OpenAPI schema.

A client signs in like the browser (``POST /login`` with ``email`` and ``password`` as a
form; keep the session cookie), reads its CSRF token from ``GET /api/me`` and sends it as
the ``X-CSRF-Token`` header of every write. Writes carry an idempotency ``key`` chosen by
the client: the same request sent again (a retry after a lost answer) stores nothing new
and answers ``created: false``. Errors are ``{"detail": ...}`` in French.
"""

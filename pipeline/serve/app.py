"""The provrisk web service: score an uploaded statute over HTTP, and a web page to do it in a browser.

``create_app(settings)`` returns a FastAPI app with

- ``POST /v1/score``: a ``multipart/form-data`` upload (field ``file``: PDF, DOCX,
  HTML, TXT, Akoma Ntoso or US legislative (USLM) XML) or a JSON body ``{"text": ..., "name": ...}``;
  answers the statute report document of ``provrisk score --format json``
  (``?format=csv``: the CSV of ``provrisk score --format csv``; ``?format=docx``: the Word brief);
  ``?label=<id>`` keeps only the provisions carrying that label, ``?labelled_only=true``
  only those carrying any, ``?min_probability=P`` and ``?solid_only=true`` only the flags that
  pass, and ``?order=probability`` puts the most probable first (:mod:`provrisk.score.view`,
  as ``provrisk score``'s options and the web page's filters do);
- ``POST /v1/compare``: a ``multipart/form-data`` comparison, either two versions of a
  law (fields ``old`` and ``new``: the document of ``provrisk diff OLD NEW``) or a law
  and a treaty (field ``law`` and the text field ``treaty``, an id of ``GET /v1/treaties``:
  the document of ``provrisk align LAW --to TREATY``); ``?format=json`` (default),
  ``html``, ``csv`` or ``docx`` (the Word brief); ``?listed_only=true`` keeps only the pairs the
  web page lists unless asked for all (:mod:`provrisk.compare.selection`);
- ``GET /v1/treaties``: the treaties a law can be aligned with (id and title);
- ``GET /v1/labels``: the taxonomy (id, name, definition, the standards each engages);
- ``GET /v1/models``: the model being served and the models under ``models/``;
- ``GET /healthz``, ``GET /`` (the web page) and the OpenAPI docs at ``/docs``.

Settings (:class:`ServeSettings`, read from the environment by default):
``PROVRISK_MODEL`` (model name or directory, default the shipped model),
``PROVRISK_MAX_UPLOAD_MB`` (default the project's ``max_input_mb``, 50),
``PROVRISK_REQUEST_TIMEOUT_S`` (60), ``PROVRISK_API_TOKEN`` (unset: no auth),
``PROVRISK_KEEP_UPLOADS`` (unset: uploads are not kept),
``PROVRISK_SCORING_PROCESSES`` (the number of CPUs), ``PROVRISK_MAX_IN_FLIGHT`` (32: enough to queue, not refuse, a room of 20 analysts; at most 32 uploads are held in memory at once),
``PROVRISK_OCR`` (never; auto or force read scanned PDF pages with Tesseract, seconds per page),
``PROVRISK_ALLOWED_ORIGINS`` (unset: same-origin pages only; else comma-separated origins whose pages may
call the API) and ``PROVRISK_RATE_LIMIT`` (unset: no per-client limit; else such as ``60/minute``, per
client IP address, on every ``/v1`` route: :mod:`provrisk.serve.access`).

Scoring runs in worker processes (:mod:`provrisk.serve.workers`, tasks in
:mod:`provrisk.serve.scoring`), never in the server process: the server reads
requests, hands each document to a worker and sends back the body the worker
rendered.

Privacy: an upload is read into memory, scored and dropped with the response;
nothing is written to disk and nothing but the model is shared between
requests. Only when ``PROVRISK_KEEP_UPLOADS=<dir>`` is set is each upload also
saved there, as ``<dir>/<random uuid>`` (never a name taken from the client),
readable by the server's user only; the log line "kept upload" pairs that uuid
with the upload's sanitised name.

Limits: bodies over the upload limit are refused with 413 without being read
to the end; a request not answered within the timeout (waiting for a worker
included) answers 504 and its worker is killed, so its CPU is free at once;
a document still scoring after a second runs at low priority, and one more
than ``PROVRISK_SCORING_PROCESSES`` such documents at once answers 503; more than
``PROVRISK_MAX_IN_FLIGHT`` uploads in flight at once answer 503 (a comparison
counts as two). Each file of a comparison is held to the upload limit, and a
comparison runs in one worker with the same deadline as a single upload. Every failure a
client can cause answers 4xx with one line of JSON. Slow clients and TLS are
for a reverse proxy in front of the service (DEPLOYMENT.md).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import re
import secrets
import time
import uuid
from base64 import b64encode
from contextlib import asynccontextmanager
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, ValidationError, field_validator
from starlette.exceptions import HTTPException as StarletteHTTPException

import provrisk
from provrisk.errors import ConfigError, InputError
from provrisk.models.artifacts import METADATA, MODELS_DIR, resolve_model_dir
from provrisk.serve.access import ClientRateLimit, allow_cross_origin, parse_origins, parse_rate_limit
from provrisk.score.view import FlagOrder
from provrisk.serve.scoring import COMPARE_MEDIA_TYPES, MEDIA_TYPES, SETUP, TASK
from provrisk.serve.upload import (
    RequestRefused,
    Upload,
    read_json_text,
    read_multipart_fields,
    read_multipart_file,
)
from provrisk.serve.workers import JobRefused, WorkerDied, WorkerPool, Zygote, zygote_for
from provrisk.settings import get_settings
from provrisk.taxonomy import load_taxonomy

logger = logging.getLogger("provrisk.serve")

PAGE_PATH = Path(__file__).parent / "static" / "index.html"
UPLOAD_FIELD = "file"
# Routes anyone may call, token or not (SECURITY.md lists them; a test holds the two together).
OPEN_ROUTES = ("/", "/healthz", "/docs", "/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/openapi.json")
# Swagger UI's files, served by the service itself so /docs works offline and loads nothing from a CDN
# (the fastapi-offline package bundles them).
SWAGGER_ASSETS = {"swagger-ui-bundle.js": "text/javascript; charset=utf-8", "swagger-ui.css": "text/css; charset=utf-8"}


class ServeSettings(BaseModel):
    """How the service runs; :meth:`from_env` reads each field from its ``PROVRISK_*`` variable."""

    model: str | None = None
    max_upload_bytes: int = Field(default_factory=lambda: get_settings().max_input_bytes, gt=0)
    request_timeout_s: float = Field(60.0, gt=0)
    api_token: str | None = None
    keep_uploads_dir: Path | None = None
    scoring_processes: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    max_in_flight: int = Field(32, ge=1)
    # OCR takes seconds a page and runs Tesseract per page: off unless the operator turns it on
    ocr: Literal["never", "auto", "force"] = "never"
    # Origins (scheme://host[:port]) whose web pages may call the API; none: same-origin pages only
    allowed_origins: tuple[str, ...] = ()
    # Requests per client IP address to /v1/*, such as "60/minute"; None: no per-client limit. Off by default
    # because a client is an address: an office behind one NAT address, or every client of a proxy that is
    # not trusted with --forwarded-allow-ips, would share one count.
    rate_limit: str | None = None

    @field_validator("allowed_origins", mode="before")
    @classmethod
    def _valid_origins(cls, value: str | list[str] | tuple[str, ...]) -> tuple[str, ...]:
        return parse_origins([value] if isinstance(value, str) else value)

    @field_validator("rate_limit")
    @classmethod
    def _valid_rate_limit(cls, value: str | None) -> str | None:
        return None if value is None else parse_rate_limit(value)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None, **overrides) -> ServeSettings:
        environ = os.environ if environ is None else environ
        if environ.get("PROVRISK_SCORING_THREADS", "").strip():
            raise ConfigError("PROVRISK_SCORING_THREADS is no longer read: scoring runs in processes, "
                              "set PROVRISK_SCORING_PROCESSES instead")
        values: dict = {}
        read_from: dict[str, str] = {}  # field: the variable and value it was read from, for error messages
        readers = {
            "PROVRISK_MODEL": ("model", str),
            "PROVRISK_MAX_UPLOAD_MB": ("max_upload_bytes", lambda mb: int(float(mb) * 1024 * 1024)),
            "PROVRISK_REQUEST_TIMEOUT_S": ("request_timeout_s", float),
            "PROVRISK_API_TOKEN": ("api_token", str),
            "PROVRISK_KEEP_UPLOADS": ("keep_uploads_dir", Path),
            "PROVRISK_SCORING_PROCESSES": ("scoring_processes", int),
            "PROVRISK_MAX_IN_FLIGHT": ("max_in_flight", int),
            "PROVRISK_OCR": ("ocr", str),
            "PROVRISK_ALLOWED_ORIGINS": ("allowed_origins", str),
            "PROVRISK_RATE_LIMIT": ("rate_limit", str),
        }
        for variable, (field, parse) in readers.items():
            raw = environ.get(variable, "").strip()
            if not raw:  # set but empty, as in a .env template, means unset
                continue
            try:
                values[field] = parse(raw)
                read_from[field] = f"{variable}={raw!r}"
            except ValueError:
                raise ConfigError(f"{variable}={raw!r}: not a valid value for {field}") from None
        overrides = {key: value for key, value in overrides.items() if value is not None}
        values.update(overrides)
        try:
            return cls(**values)
        except ValidationError as error:
            first = error.errors()[0]
            field = first["loc"][0]
            where = f"server setting {field}"
            if field in read_from and field not in overrides:  # name the variable, so the operator knows what to fix
                where += f" ({read_from[field]})"
            # a validator's own message, without pydantic's "Value error, " in front
            reason = first.get("ctx", {}).get("error") or first["msg"]
            raise ConfigError(f"{where}: {reason}") from None


class ReportFormat(str, Enum):
    json = "json"
    csv = "csv"
    docx = "docx"


class CompareFormat(str, Enum):
    json = "json"
    html = "html"
    csv = "csv"
    docx = "docx"


# The multipart fields of POST /v1/compare: two versions of a law, or a law and a treaty id.
OLD_FIELD, NEW_FIELD, LAW_FIELD, TREATY_FIELD = "old", "new", "law", "treaty"
# A comparison's HTML view has no script: served as a sandboxed document in case a browser opens it.
COMPARE_HTML_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; sandbox"


@dataclass
class ScoringService:
    """What requests share: the settings, the model's description and the worker processes that score."""

    settings: ServeSettings
    model: dict  # name, path and metadata of the model the workers loaded
    pool: WorkerPool
    in_flight: int = 0
    treaties: list[dict] = dataclasses.field(default_factory=list)  # id and title of each treaty a law can be aligned with

    def _keep(self, upload: Upload) -> None:
        kept_as = uuid.uuid4().hex
        path = self.settings.keep_uploads_dir / kept_as
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(upload.data)
        logger.info("kept upload %s as %s (%d bytes)", json.dumps(upload.name), kept_as, len(upload.data))

    async def score(self, upload: Upload, report_format: str, view: dict) -> tuple[dict, bytes]:
        """The rendered report and what the worker says about it; RequestRefused (4xx, 5xx) when there is none.

        ``view``: the provisions and flags the report keeps (:func:`provrisk.score.view.select`'s arguments)."""
        if self.settings.keep_uploads_dir is not None:
            self._keep(upload)
        header = {"name": upload.name, "format": report_format, "max_bytes": self.settings.max_upload_bytes,
                  "ocr": self.settings.ocr, "view": view}
        return await self._run(header, upload.data, upload.name, "scoring",
                               "split the document into parts and score each")

    async def compare(self, uploads: list[Upload], treaty: str | None, report_format: str,
                      listed_only: bool = False) -> tuple[dict, bytes]:
        """A diff (two uploads) or an alignment (one upload and ``treaty``) rendered in ``report_format``, by one worker;
        with ``listed_only``, only the pairs listed by default (:func:`provrisk.compare.selection.listed`)."""
        if self.settings.keep_uploads_dir is not None:
            for upload in uploads:
                self._keep(upload)
        header = {
            "job": "compare",
            "mode": "diff" if treaty is None else "align",
            "treaty": treaty,
            "names": [upload.name for upload in uploads],
            "sizes": [len(upload.data) for upload in uploads],
            "format": report_format,
            "listed_only": listed_only,
            "max_bytes": self.settings.max_upload_bytes,
            "ocr": self.settings.ocr,
        }
        what = " and ".join(upload.name for upload in uploads) + (f" against {treaty}" if treaty else "")
        return await self._run(header, b"".join(upload.data for upload in uploads), what, "comparing",
                               "compare the documents part by part")

    async def _run(self, header: dict, payload: bytes, what: str, doing: str, advice: str) -> tuple[dict, bytes]:
        """One job in a worker; ``what`` names the uploads in the messages, ``doing`` the work, ``advice`` the way round a timeout."""
        try:
            answer, body = await self.pool.run(header, payload, self.settings.request_timeout_s)
        except JobRefused as refused:
            if refused.status == 504:
                raise RequestRefused(
                    504,
                    f"{what}: {doing} took longer than the server's limit of "
                    f"{self.settings.request_timeout_s:g} s; {advice}",
                ) from None
            raise RequestRefused(
                503, f"{what}: the server is busy scoring other long documents; try again in a minute"
            ) from None
        except WorkerDied as died:
            logger.error("%s %s: %s", doing, json.dumps(what), died)
            raise RequestRefused(
                500, f"{what}: the scoring process stopped unexpectedly (out of memory?); the server log has details"
            ) from None
        if answer["status"] == 500:
            logger.error("unexpected failure %s %s: %s (traceback above)", doing, json.dumps(what), answer["error"])
            raise RequestRefused(
                500, f"{what}: {answer['error'].replace('unexpected failure', f'unexpected failure while {doing}')}; "
                "the server log has details"
            )
        if answer["status"] != 200:
            raise RequestRefused(answer["status"], answer["error"])
        return answer, body


def _service(request: Request) -> ScoringService:
    return request.app.state.service


_bearer = HTTPBearer(auto_error=False, description="Needed only when the server sets PROVRISK_API_TOKEN.")


def require_token(request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> None:
    """401 unless the request carries the configured bearer token (no check when none is configured)."""
    expected = _service(request).settings.api_token
    if expected is None:
        return
    supplied = credentials.credentials if credentials is not None and credentials.scheme.lower() == "bearer" else ""
    # bytes, because compare_digest refuses non-ASCII str; constant time so the token cannot be guessed by timing
    if not secrets.compare_digest(supplied.encode("utf-8"), expected.encode("utf-8")):
        raise RequestRefused(401, "missing or wrong access token: send the header Authorization: Bearer <token>")


SCORE_REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": [UPLOAD_FIELD],
                    "properties": {
                        UPLOAD_FIELD: {
                            "type": "string",
                            "format": "binary",
                            "description": "The statute: PDF, DOCX, HTML, TXT, Akoma Ntoso or US legislative (USLM) XML.",
                        }
                    },
                }
            },
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["text"],
                    "properties": {
                        "text": {"type": "string", "description": "The statute as plain text."},
                        "name": {"type": "string", "description": "A file name for the report (default text.txt)."},
                    },
                }
            },
        },
    }
}
COMPARE_REQUEST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "description": (
                        f'Either two versions of a law ("{OLD_FIELD}" and "{NEW_FIELD}": a diff), or a law and a '
                        f'treaty ("{LAW_FIELD}" and "{TREATY_FIELD}": an alignment).'
                    ),
                    "properties": {
                        OLD_FIELD: {"type": "string", "format": "binary",
                                    "description": "The old version of the law (any format /v1/score reads)."},
                        NEW_FIELD: {"type": "string", "format": "binary", "description": "The new version of the law."},
                        LAW_FIELD: {"type": "string", "format": "binary",
                                    "description": "The national law to align with the treaty."},
                        TREATY_FIELD: {"type": "string",
                                       "description": "The treaty: an id listed by GET /v1/treaties."},
                    },
                }
            }
        },
    }
}
ERROR_RESPONSE = {
    "content": {"application/json": {"schema": {"type": "object", "properties": {"error": {"type": "string"}}}}}
}


def start_scoring(model: str | Path | None) -> Zygote:
    """The process that loads ``model`` and forks the scoring workers (ConfigError, one line, if it cannot load it).

    Started once per server process and model; :func:`create_app` reuses it.
    """
    return zygote_for(SETUP, str(resolve_model_dir(model).resolve()))


def create_app(settings: ServeSettings | None = None, *, task: str = TASK) -> FastAPI:
    """The service. ``task``: the worker's task, ``"module:function"`` (see :mod:`provrisk.serve.scoring`)."""
    settings = settings or ServeSettings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        zygote = start_scoring(settings.model)
        if settings.keep_uploads_dir is not None:
            settings.keep_uploads_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        pool = WorkerPool(zygote, task, settings.scoring_processes)
        await pool.start()
        app.state.service = ScoringService(settings, zygote.info, pool, treaties=treaty_catalogue())
        logger.info(
            "serving model %s with %d scoring processes; uploads up to %s bytes; timeout %g s; auth %s; uploads %s; "
            "cross-origin %s; rate limit %s",
            zygote.info["name"],
            settings.scoring_processes,
            settings.max_upload_bytes,
            settings.request_timeout_s,
            "on" if settings.api_token else "off",
            f"kept in {settings.keep_uploads_dir}" if settings.keep_uploads_dir else "not kept",
            ", ".join(settings.allowed_origins) or "off",
            f"{settings.rate_limit} per client" if settings.rate_limit else "off",
        )
        yield
        await pool.close()

    app = FastAPI(
        title="provrisk",
        # No ReDoc and no OAuth2 redirect page: the service has no OAuth flow, and every open route is in OPEN_ROUTES.
        # /docs is served below, from local files.
        docs_url=None,
        redoc_url=None,
        swagger_ui_oauth2_redirect_url=None,
        version=provrisk.__version__,
        description=(
            "Flags human-rights risk features in cybercrime and surveillance legislation, provision by provision. "
            "Flags are prompts for legal review, not legal conclusions."
        ),
        lifespan=lifespan,
    )
    _add_error_handlers(app)
    if settings.allowed_origins:
        allow_cross_origin(app, settings.allowed_origins)
    page, page_policy = _load_page()

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url, title="provrisk API", swagger_js_url="/docs/swagger-ui-bundle.js",
            swagger_css_url="/docs/swagger-ui.css", swagger_favicon_url="data:,",
        )

    for asset, media_type in SWAGGER_ASSETS.items():
        app.add_api_route(f"/docs/{asset}", _static_file(_swagger_dir() / asset, media_type), methods=["GET"],
                          include_in_schema=False)

    @app.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        return HTMLResponse(page, headers=page_policy)

    @app.get("/healthz", tags=["service"])
    def healthz(request: Request) -> dict:
        """Liveness: the model is loaded and the service answers."""
        return {"status": "ok", "model": _service(request).model["name"], "version": provrisk.__version__}

    app.add_api_route("/healthz", healthz, methods=["HEAD"], include_in_schema=False)

    v1_dependencies, v1_responses = [Depends(require_token)], {401: ERROR_RESPONSE}
    if settings.rate_limit is not None:
        # before the token check, so guessing tokens counts too; neither reads the body
        v1_dependencies.insert(0, Depends(ClientRateLimit(settings.rate_limit)))
        v1_responses[429] = ERROR_RESPONSE
    v1 = APIRouter(prefix="/v1", dependencies=v1_dependencies, responses=v1_responses)

    @v1.post(
        "/score",
        tags=["scoring"],
        openapi_extra=SCORE_REQUEST_BODY,
        responses={
            200: {
                "content": {"text/csv": {}, MEDIA_TYPES["docx"]: {}},
                "description": "The statute report (JSON; CSV with ?format=csv; the Word brief with ?format=docx).",
            },
            413: ERROR_RESPONSE,
            422: ERROR_RESPONSE,
            503: ERROR_RESPONSE,
            504: ERROR_RESPONSE,
        },
    )
    async def score(
        request: Request,
        format: ReportFormat = ReportFormat.json,
        label: Annotated[str | None, Query(description="Keep only the provisions carrying this label id.")] = None,
        labelled_only: Annotated[bool, Query(description="Keep only the provisions carrying any label.")] = False,
        min_probability: Annotated[float, Query(ge=0.0, le=1.0, description="Keep only the flags with at least this probability.")] = 0.0,
        solid_only: Annotated[bool, Query(description="Keep only the solid flags (the verdict rule is in the report's `confidence`).")] = False,
        order: Annotated[FlagOrder, Query(description="document: the statute's order; probability: the most probable flag first.")] = FlagOrder.document,
    ) -> Response:
        """Score a statute provision by provision: labels, probabilities, trigger words, the standard each engages."""
        if label is not None and label not in (known := load_taxonomy().ids):
            raise RequestRefused(422, f"label {json.dumps(label[:120])}: not a label of the taxonomy; "
                                 f"choose one of {', '.join(known)}")
        service = _service(request)
        if service.in_flight >= service.settings.max_in_flight:
            raise RequestRefused(503, "the server is busy scoring other documents; try again shortly")
        service.in_flight += 1
        try:
            view = {"label": label, "labelled_only": labelled_only, "min_probability": min_probability,
                    "solid_only": solid_only, "order": order.value}
            return await _score_request(request, service, format, view)
        finally:
            service.in_flight -= 1

    @v1.post(
        "/compare",
        tags=["comparison"],
        openapi_extra=COMPARE_REQUEST_BODY,
        responses={
            200: {
                "content": {"text/html": {}, "text/csv": {}, COMPARE_MEDIA_TYPES["docx"]: {}},
                "description": "The diff (provrisk.diff/1) or alignment (provrisk.alignment/1) document as JSON; "
                "with ?format=html its side-by-side page, csv its rows, docx the Word brief.",
            },
            413: ERROR_RESPONSE,
            415: ERROR_RESPONSE,
            422: ERROR_RESPONSE,
            503: ERROR_RESPONSE,
            504: ERROR_RESPONSE,
        },
    )
    async def compare(
        request: Request,
        format: CompareFormat = CompareFormat.json,
        listed_only: Annotated[bool, Query(description="Keep only the pairs listed by default: a diff's changed "
                                           "provisions, an alignment's with a counterpart or a risk feature of their own.")] = False,
    ) -> Response:
        """Compare two versions of a law (provisions paired as unchanged, renumbered, modified, split, merged,
        added or removed, with risk labels gained and lost), or a law with the treaty it implements (each
        provision's article, the articles not implemented, and the risk features that differ)."""
        service = _service(request)
        if service.in_flight >= service.settings.max_in_flight:
            raise RequestRefused(503, "the server is busy scoring other documents; try again shortly")
        service.in_flight += 2  # two uploads held in memory
        try:
            return await _compare_request(request, service, format, listed_only)
        finally:
            service.in_flight -= 2

    @v1.get("/treaties", tags=["comparison"])
    def treaties(request: Request) -> dict:
        """The treaties a law can be aligned with (the ``treaty`` field of POST /v1/compare): id and title."""
        return {"treaties": _service(request).treaties}

    @v1.get("/labels", tags=["reference"])
    def labels() -> dict:
        """The risk-feature taxonomy: every label the service may predict, in taxonomy order."""
        taxonomy = load_taxonomy()
        return {
            "version": taxonomy.version,
            "labels": [
                {"id": label.id, "name": label.name, "definition": label.definition, "standards": label.standards}
                for label in taxonomy.labels
            ],
        }

    @v1.get("/models", tags=["reference"])
    def models(request: Request) -> dict:
        """The model scoring requests, with its cross-validated metrics, and the models installed under models/."""
        loaded = _service(request).model
        return {"loaded": _model_summary(loaded["name"], loaded["metadata"]), "available": _installed_models()}

    app.include_router(v1)
    return app


async def _score_request(request: Request, service: ScoringService, report_format: ReportFormat, view: dict) -> Response:
    limit = service.settings.max_upload_bytes
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "multipart/form-data":
        upload = await read_multipart_file(request, UPLOAD_FIELD, limit)
    elif content_type == "application/json":
        upload = await read_json_text(request, limit)
    else:
        raise RequestRefused(
            415, f'send the statute as multipart/form-data in a field "{UPLOAD_FIELD}", or as JSON {{"text": ...}}'
        )
    started = time.perf_counter()
    answer, body = await service.score(upload, report_format.value, view)
    logger.info(
        "scored %s: %d bytes, %d provisions, %s flagged, %.2f s",  # flagged is None when not assessed
        json.dumps(upload.name), len(upload.data), answer["provisions"], answer["flagged"], time.perf_counter() - started,
    )
    headers = None
    if report_format in (ReportFormat.csv, ReportFormat.docx):
        # instrument ids are [a-z0-9-] only
        headers = {"Content-Disposition": f'attachment; filename="{answer["instrument_id"]}-provrisk.{report_format.value}"'}
    return Response(body, media_type=answer["media_type"], headers=headers)


async def _compare_request(request: Request, service: ScoringService, report_format: CompareFormat,
                           listed_only: bool) -> Response:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "multipart/form-data":
        raise RequestRefused(
            415, f'send the documents as multipart/form-data: fields "{OLD_FIELD}" and "{NEW_FIELD}", '
            f'or "{LAW_FIELD}" and "{TREATY_FIELD}"'
        )
    uploads, texts = await read_multipart_fields(
        request, (OLD_FIELD, NEW_FIELD, LAW_FIELD), (TREATY_FIELD,), service.settings.max_upload_bytes
    )
    treaty = texts.get(TREATY_FIELD) or None
    known = [entry["id"] for entry in service.treaties]
    if LAW_FIELD in uploads:
        law = uploads[LAW_FIELD]
        if OLD_FIELD in uploads or NEW_FIELD in uploads:
            raise RequestRefused(422, f'send either "{OLD_FIELD}" and "{NEW_FIELD}" (a diff) or "{LAW_FIELD}" and '
                                 f'"{TREATY_FIELD}" (an alignment), not both')
        if treaty is None:
            raise RequestRefused(422, f'{law.name}: no treaty to align it with: send a treaty id in the field '
                                 f'"{TREATY_FIELD}" (one of {", ".join(known)})')
        if treaty not in known:
            raise RequestRefused(422, f'{json.dumps(treaty[:120])}: not a treaty provrisk knows; choose one of '
                                 f'{", ".join(known)}', treaties=known)
        compared = [law]
    elif OLD_FIELD in uploads and NEW_FIELD in uploads:
        if treaty is not None:
            raise RequestRefused(422, f'a diff of "{OLD_FIELD}" and "{NEW_FIELD}" takes no "{TREATY_FIELD}": to align '
                                 f'a law with a treaty, send it in the field "{LAW_FIELD}"')
        compared = [uploads[OLD_FIELD], uploads[NEW_FIELD]]
    elif OLD_FIELD in uploads or NEW_FIELD in uploads:
        present, missing = (OLD_FIELD, NEW_FIELD) if OLD_FIELD in uploads else (NEW_FIELD, OLD_FIELD)
        raise RequestRefused(422, f'{uploads[present].name}: no {missing} version to compare it with: send one in '
                             f'the field "{missing}"')
    else:
        raise RequestRefused(422, f'multipart upload without files to compare: send fields "{OLD_FIELD}" and '
                             f'"{NEW_FIELD}", or a file in "{LAW_FIELD}" and a treaty id in "{TREATY_FIELD}"')
    started = time.perf_counter()
    answer, body = await service.compare(compared, treaty, report_format.value, listed_only)
    logger.info(
        "compared %s%s: %d provisions, %.2f s",
        " and ".join(json.dumps(upload.name) for upload in compared), f" with {treaty}" if treaty else "",
        answer["provisions"], time.perf_counter() - started,
    )
    headers = None
    if report_format in (CompareFormat.csv, CompareFormat.docx):
        # made of instrument ids, which are [a-z0-9-] only
        headers = {"Content-Disposition": f'attachment; filename="{answer["filename"]}"'}
    elif report_format == CompareFormat.html:
        headers = {"Content-Security-Policy": COMPARE_HTML_POLICY, "X-Content-Type-Options": "nosniff"}
    return Response(body, media_type=answer["media_type"], headers=headers)


def treaty_catalogue() -> list[dict]:
    """Each treaty a law can be aligned with (:func:`provrisk.compare.instruments.available_treaties`): id and title."""
    from provrisk.compare.instruments import PACKAGED_TREATIES, available_treaties, packaged_articles

    titles: dict[str, str] = {}
    try:
        from provrisk.corpora.manifest import load_manifest

        titles = {instrument.id: instrument.title for instrument in load_manifest(get_settings().corpus_dir)}
    except Exception:  # noqa: BLE001 - no corpus beside the repository: the packaged treaties only
        pass
    catalogue = []
    for treaty_id in available_treaties():
        title = titles.get(treaty_id)
        packaged = PACKAGED_TREATIES / f"{treaty_id}.jsonl"
        if title is None and packaged.is_file():
            articles = packaged_articles(packaged)
            title = articles[0].get("instrument_title") if articles else None
        catalogue.append({"id": treaty_id, "title": title or treaty_id})
    return catalogue


def _model_summary(name: str, metadata: dict) -> dict:
    metrics = metadata.get("cv_metrics") or {}
    return {
        "name": name,
        "type": metadata.get("model_type"),
        "trained_at": metadata.get("trained_at"),
        "corpus_hash": metadata.get("corpus_hash"),
        "labels": metadata.get("labels", []),
        "metrics": {key: metrics[key] for key in ("macro_f1", "micro_f1", "macro_pr_auc", "ece") if key in metrics},
    }


def _installed_models() -> list[dict]:
    installed = []
    for metadata_path in sorted(MODELS_DIR.glob(f"*/{METADATA}")):
        try:
            metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            logger.warning("skipping %s: unreadable model metadata", metadata_path)
            continue
        summary = _model_summary(metadata_path.parent.name, metadata)
        del summary["labels"]
        installed.append(summary)
    return installed


def _add_error_handlers(app: FastAPI) -> None:
    """Every error answers one line of JSON, ``{"error": "..."}``; no traceback reaches a client."""

    @app.exception_handler(RequestRefused)
    async def refused(request: Request, error: RequestRefused) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if error.status == 401 else None
        return JSONResponse({"error": error.message, **error.extra}, status_code=error.status, headers=headers)

    @app.exception_handler(InputError)
    async def unreadable(request: Request, error: InputError) -> JSONResponse:
        return JSONResponse({"error": str(error)}, status_code=422)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        first = error.errors()[0]
        where = " ".join(str(part) for part in first.get("loc", ()))
        return JSONResponse({"error": f"{where}: {first.get('msg', 'invalid value')}"}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        return JSONResponse({"error": str(error.detail)}, status_code=error.status_code, headers=error.headers)

    # Starlette re-raises the exception after this response, so the server logs its traceback.
    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> JSONResponse:
        return JSONResponse(
            {"error": f"unexpected failure ({type(error).__name__}); the server log has details"}, status_code=500
        )


def _swagger_dir() -> Path:
    import fastapi_offline

    return Path(fastapi_offline.__file__).parent / "static"


def _static_file(path: Path, media_type: str):
    body = path.read_bytes()

    def serve() -> Response:
        return Response(body, media_type=media_type, headers={"Cache-Control": "public, max-age=86400"})

    return serve


def _load_page() -> tuple[str, dict[str, str]]:
    """The web page and its security headers: only its own inline script and style may run."""
    page = PAGE_PATH.read_text(encoding="utf-8")

    def hashes(tag: str) -> str:
        blocks = re.findall(rf"<{tag}>(.*?)</{tag}>", page, flags=re.DOTALL)
        return " ".join(f"'sha256-{b64encode(hashlib.sha256(block.encode()).digest()).decode()}'" for block in blocks)

    policy = (
        f"default-src 'none'; script-src {hashes('script')}; style-src {hashes('style')}; "
        "connect-src 'self'; img-src 'self' data:; form-action 'none'; base-uri 'none'; frame-ancestors 'none'"
    )
    return page, {
        "Content-Security-Policy": policy,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
    }

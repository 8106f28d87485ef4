"""Reading a scoring request's document into memory, never past the size limit and never onto disk.

Input: a Starlette :class:`~starlette.requests.Request` whose body is either a
``multipart/form-data`` upload with the document in one file field, or a JSON
object ``{"text": "...", "name": "optional.txt"}``; and the size limit in bytes.
Output: an :class:`Upload` (a display-safe name and the document's bytes), or
:class:`RequestRefused` carrying the HTTP status and a one-line message. A
comparison request (:func:`read_multipart_fields`) sends several file fields,
each held to the limit, and short text fields (a treaty id) beside them.

A request a client got wrong is refused with a 4xx and one line: a multipart
boundary that is not 1 to 70 characters of RFC 2046's alphabet (400), JSON
that is not valid or whose ``text`` holds a lone surrogate (422). A lone
surrogate in a name is shown as ``?``, like a control character.

Starlette's own form parser spools files over 1 MB to a temporary file and
reads the whole body before the handler sees it, so an upload of any size would
land on disk first. This module parses the multipart stream itself: the body is
read chunk by chunk, only the file fields' bytes are kept, and reading stops as
soon as the limit is passed (or at once, after the part headers name the file,
when ``Content-Length`` already says the body is too large).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from python_multipart.exceptions import FormParserError, MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.requests import ClientDisconnect, Request

from provrisk.ingest import human_size

# Room in a body for multipart boundaries, part headers and small extra fields
# (or JSON syntax) on top of the document itself.
BODY_OVERHEAD_BYTES = 64 * 1024
# A text field sent beside files (an instrument id) is short.
MAX_TEXT_FIELD_BYTES = 1024
DEFAULT_TEXT_NAME = "text.txt"
# Control characters, line separators, and lone surrogates (which no encoder will write).
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]+")
_MAX_NAME_CHARS = 200
# RFC 2046: a boundary is 1 to 70 characters of this alphabet, and does not end in a space.
MAX_BOUNDARY_CHARS = 70
_BOUNDARY = re.compile(rb"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")


@dataclass(frozen=True)
class Upload:
    name: str  # safe to echo: last path component, no control characters, at most 200 characters
    data: bytes


class RequestRefused(Exception):
    """A request the service will not score: an HTTP status and a one-line message for the client."""

    def __init__(self, status: int, message: str, **extra) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.extra = extra


def display_name(raw: str | None, default: str = "upload") -> str:
    """A client-supplied file name reduced to something safe to echo in a message or a report."""
    last_component = re.split(r"[\\/]", raw or "")[-1]
    cleaned = _UNPRINTABLE.sub("?", last_component).strip()
    if len(cleaned) > _MAX_NAME_CHARS:
        cleaned = cleaned[: _MAX_NAME_CHARS - 3] + "..."
    return cleaned if cleaned not in ("", ".", "..") else default


def too_large(name: str, limit: int) -> RequestRefused:
    return RequestRefused(
        413, f"{name}: file too large (the limit is {human_size(limit)})", limit_bytes=limit
    )


def _declared_length(request: Request) -> int | None:
    try:
        return int(request.headers["content-length"])
    except (KeyError, ValueError):
        return None


class _FieldCollector:
    """Multipart callbacks that keep the bytes of the named file fields and short text fields, and drop everything else."""

    def __init__(self, fields: tuple[str, ...], limit: int, body_too_large: bool, text_fields: tuple[str, ...] = ()) -> None:
        self.fields = fields
        self.text_fields = text_fields
        self.limit = limit
        self.body_too_large = body_too_large
        self.names: dict[str, str] = {}
        self.data: dict[str, bytearray] = {}
        self.complete: set[str] = set()
        self.texts: dict[str, bytearray] = {}
        self._header_field = b""
        self._header_value = b""
        self._disposition = b""
        self._in_file: str | None = None
        self._in_text: str | None = None

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self._part_begin,
            "on_part_data": self._part_data,
            "on_part_end": self._part_end,
            "on_header_field": self._header_field_data,
            "on_header_value": self._header_value_data,
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_finished,
        }

    def _part_begin(self) -> None:
        self._disposition = b""
        self._in_file = self._in_text = None

    def _header_field_data(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def _header_value_data(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        if self._header_field.strip().lower() == b"content-disposition":
            self._disposition = self._header_value
        self._header_field = self._header_value = b""

    def _headers_finished(self) -> None:
        _, options = parse_options_header(self._disposition)
        field = options.get(b"name", b"").decode("utf-8", "replace")
        if field in self.text_fields and b"filename" not in options:
            if field in self.texts:
                raise RequestRefused(422, f'the field "{field}" appears twice')
            self.texts[field] = bytearray()
            self._in_text = field
            return
        if field not in self.fields:
            return
        if field in self.names:
            per = "request" if len(self.fields) == 1 else "field"
            raise RequestRefused(422, f'send one document per {per} (the field "{field}" appears twice)')
        name = self.names[field] = display_name(options.get(b"filename", b"").decode("utf-8", "replace"))
        if self.body_too_large:
            raise too_large(name, self.limit)
        self.data[field] = bytearray()
        self._in_file = field

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_text is not None:
            text = self.texts[self._in_text]
            if len(text) + (end - start) > MAX_TEXT_FIELD_BYTES:
                raise RequestRefused(422, f'the field "{self._in_text}" is longer than {MAX_TEXT_FIELD_BYTES} bytes')
            text += data[start:end]
            return
        if self._in_file is None:
            return
        kept = self.data[self._in_file]
        if len(kept) + (end - start) > self.limit:
            raise too_large(self.names[self._in_file], self.limit)
        kept += data[start:end]

    def _part_end(self) -> None:
        if self._in_file is not None:
            self.complete.add(self._in_file)
        self._in_file = self._in_text = None


async def _read_multipart(
    request: Request, fields: tuple[str, ...], limit: int, text_fields: tuple[str, ...] = ()
) -> _FieldCollector:
    """The collector after the whole body went through it: each file field read while counting, refused (413) past ``limit``."""
    _, params = parse_options_header(request.headers.get("content-type", ""))
    boundary = params.get(b"boundary")
    if not boundary:
        raise RequestRefused(400, "multipart upload without a boundary in its Content-Type header")
    if not _BOUNDARY.fullmatch(boundary):
        raise RequestRefused(
            400,
            f"malformed multipart upload: the boundary must be 1 to {MAX_BOUNDARY_CHARS} letters, digits "
            f"or '()+_,-./:=? (RFC 2046); this one has {len(boundary)} characters",
        )
    # every file field may hold up to `limit` bytes
    body_limit = len(fields) * limit + BODY_OVERHEAD_BYTES
    declared = _declared_length(request)
    collector = _FieldCollector(
        fields, limit, body_too_large=declared is not None and declared > body_limit, text_fields=text_fields
    )
    try:
        parser = MultipartParser(boundary, collector.callbacks())
    except FormParserError as error:
        raise RequestRefused(400, f"malformed multipart upload ({error})") from None
    received = 0
    try:
        async for chunk in request.stream():
            received += len(chunk)
            # The parser raises first when it can name the file: at the file's part headers when
            # Content-Length is already too large, or as the file's bytes pass the limit.
            parser.write(chunk)
            if received > body_limit or (collector.body_too_large and received > BODY_OVERHEAD_BYTES):
                raise too_large(next(iter(collector.names.values()), "upload"), limit)
        parser.finalize()
    except MultipartParseError as error:
        raise RequestRefused(400, f"malformed multipart upload ({error})") from None
    except ClientDisconnect:
        raise RequestRefused(400, "the client closed the connection before the upload was complete") from None
    return collector


async def read_multipart_file(request: Request, field: str, limit: int) -> Upload:
    """The file in multipart field ``field``, read while counting, refused (413) once past ``limit`` bytes."""
    collector = await _read_multipart(request, (field,), limit)
    if field not in collector.complete:
        raise RequestRefused(422, f'multipart upload without a file in a field named "{field}"')
    return Upload(collector.names[field], bytes(collector.data[field]))


async def read_multipart_fields(
    request: Request, fields: tuple[str, ...], text_fields: tuple[str, ...], limit: int
) -> tuple[dict[str, Upload], dict[str, str]]:
    """The files among the multipart fields ``fields`` (each refused, 413, past ``limit`` bytes) and the short
    text fields among ``text_fields`` (at most :data:`MAX_TEXT_FIELD_BYTES` each), by field name.

    A field may be missing; the caller says which it needs.
    """
    collector = await _read_multipart(request, fields, limit, text_fields)
    uploads = {field: Upload(collector.names[field], bytes(collector.data[field]))
               for field in fields if field in collector.complete}
    texts = {}
    for field, raw in collector.texts.items():
        try:
            texts[field] = raw.decode("utf-8").strip()
        except UnicodeDecodeError:
            raise RequestRefused(422, f'the field "{field}" is not UTF-8 text') from None
    return uploads, texts


async def read_json_text(request: Request, limit: int) -> Upload:
    """The ``text`` of a JSON body ``{"text": ..., "name": ...}``, as UTF-8 bytes, refused (413) past ``limit``."""
    declared = _declared_length(request)
    body_limit = limit + BODY_OVERHEAD_BYTES
    if declared is not None and declared > body_limit:
        raise too_large("request body", limit)
    body = bytearray()
    try:
        async for chunk in request.stream():
            if len(body) + len(chunk) > body_limit:
                raise too_large("request body", limit)
            body += chunk
    except ClientDisconnect:
        raise RequestRefused(400, "the client closed the connection before the request body was complete") from None
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise RequestRefused(422, f"request body is not valid JSON ({error})") from None
    # Valid JSON that Python refuses to build: nesting deeper than the recursion limit,
    # or an integer longer than int's digit limit.
    except (RecursionError, ValueError) as error:
        raise RequestRefused(422, f"request body is JSON provrisk will not read ({type(error).__name__})") from None
    if not isinstance(payload, dict) or not isinstance(payload.get("text"), str):
        raise RequestRefused(422, 'JSON body needs a string field "text" (and optionally "name")')
    name = payload.get("name")
    if name is not None and not isinstance(name, str):
        raise RequestRefused(422, 'JSON field "name" must be a string')
    safe_name = display_name(name, default=DEFAULT_TEXT_NAME)
    try:
        data = payload["text"].encode("utf-8")
    except UnicodeEncodeError as error:  # JSON can escape a lone surrogate ("\ud800"), which is not text
        raise RequestRefused(
            422, f'{safe_name}: JSON field "text" is not valid Unicode: a lone surrogate at character {error.start}'
        ) from None
    if len(data) > limit:
        raise too_large(safe_name, limit)
    return Upload(safe_name, data)

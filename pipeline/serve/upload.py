"""Reading a scoring request's document into memory, never past the size limit and never onto disk.

Input: a Starlette :class:`~starlette.requests.Request` whose body is either a
``multipart/form-data`` upload with the document in one file field, or a JSON
object ``{"text": "...", "name": "optional.txt"}``; and the size limit in bytes.
Output: an :class:`Upload` (a display-safe name and the document's bytes), or
:class:`RequestRefused` carrying the HTTP status and a one-line message.

A request a client got wrong is refused with a 4xx and one line: a multipart
boundary that is not 1 to 70 characters of RFC 2046's alphabet (400), JSON
that is not valid or whose ``text`` holds a lone surrogate (422). A lone
surrogate in a name is shown as ``?``, like a control character.

Starlette's own form parser spools files over 1 MB to a temporary file and
reads the whole body before the handler sees it, so an upload of any size would
land on disk first. This module parses the multipart stream itself: the body is
read chunk by chunk, only the file field's bytes are kept, and reading stops as
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


class _FileFieldCollector:
    """Multipart callbacks that keep the bytes of one named file field and drop everything else."""

    def __init__(self, field: str, limit: int, body_too_large: bool) -> None:
        self.field = field
        self.limit = limit
        self.body_too_large = body_too_large
        self.name: str | None = None
        self.data = bytearray()
        self.complete = False
        self._header_field = b""
        self._header_value = b""
        self._disposition = b""
        self._in_file = False

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
        self._in_file = False

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
        if options.get(b"name", b"").decode("utf-8", "replace") != self.field:
            return
        if self.name is not None:
            raise RequestRefused(422, f'send one document per request (the field "{self.field}" appears twice)')
        self.name = display_name(options.get(b"filename", b"").decode("utf-8", "replace"))
        if self.body_too_large:
            raise too_large(self.name, self.limit)
        self._in_file = True

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        if not self._in_file:
            return
        if len(self.data) + (end - start) > self.limit:
            raise too_large(self.name, self.limit)
        self.data += data[start:end]

    def _part_end(self) -> None:
        if self._in_file:
            self.complete = True
        self._in_file = False


async def read_multipart_file(request: Request, field: str, limit: int) -> Upload:
    """The file in multipart field ``field``, read while counting, refused (413) once past ``limit`` bytes."""
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
    body_limit = limit + BODY_OVERHEAD_BYTES
    declared = _declared_length(request)
    collector = _FileFieldCollector(field, limit, body_too_large=declared is not None and declared > body_limit)
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
                raise too_large(collector.name or "upload", limit)
        parser.finalize()
    except MultipartParseError as error:
        raise RequestRefused(400, f"malformed multipart upload ({error})") from None
    except ClientDisconnect:
        raise RequestRefused(400, "the client closed the connection before the upload was complete") from None
    if collector.name is None or not collector.complete:
        raise RequestRefused(422, f'multipart upload without a file in a field named "{field}"')
    return Upload(collector.name, bytes(collector.data))


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

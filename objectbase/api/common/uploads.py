"""Streaming multipart/form-data uploads.

The request body is pushed through python-multipart's parser as it arrives. Text fields are kept
(bounded); the one file part is handed to a sink in pieces of at most `buffer_bytes`, off the event
loop, so an upload never sits whole in memory. Any failure aborts the sink: nothing half-written
survives a bad request, a size overrun or a client that goes away.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Awaitable, Callable, Protocol

import anyio
from python_multipart.exceptions import FormParserError
from python_multipart.multipart import MultipartParser, parse_options_header
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request

from objectbase.core.errors import LimitExceededError, MalformedInputError, ValidationError

__all__ = ["FilePart", "MultipartUpload", "Sink", "receive_multipart"]

# Text fields of an upload form (field_name, key, policy, …) are small; more than this is abuse.
MAX_FIELD_BYTES = 64 * 1024
# Multipart framing (boundaries, part headers) allowed on top of the file and the fields.
_FRAMING_BYTES = 64 * 1024


class Sink(Protocol):
    def write(self, data: bytes) -> None: ...
    def abort(self) -> None: ...


@dataclass(frozen=True)
class FilePart:
    name: str
    filename: str
    content_type: str | None


@dataclass
class MultipartUpload:
    fields: dict[str, str] = field(default_factory=dict)
    file: FilePart | None = None
    sink: Sink | None = None


OpenSink = Callable[[dict[str, str], FilePart], Awaitable[Sink]]


def _boundary(request: Request) -> bytes:
    content_type, options = parse_options_header(request.headers.get("content-type", ""))
    boundary = options.get(b"boundary")
    if content_type != b"multipart/form-data" or not boundary:
        raise MalformedInputError("Send the file as multipart/form-data")
    return boundary


def _decode(raw: bytes) -> str:
    # Browsers send UTF-8 names raw; anything else is taken as Latin-1, so every byte string decodes.
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class _Events:
    """python-multipart calls back synchronously; we queue what happened and act on it between writes."""

    def __init__(self) -> None:
        # (kind, data): data is the bytes of a part, or for "headers" that part's headers.
        self.queue: list[tuple[str, Any]] = []
        self.header_field = bytearray()
        self.header_value = bytearray()
        self.headers: dict[bytes, bytes] = {}
        self.ended = False

    def callbacks(self) -> dict[str, object]:
        def data(kind: str) -> Callable[[bytes, int, int], None]:
            return lambda buf, start, end: self.queue.append((kind, buf[start:end]))

        def header_end() -> None:
            self.headers[bytes(self.header_field).lower()] = bytes(self.header_value)
            self.header_field.clear()
            self.header_value.clear()

        def end() -> None:
            self.ended = True

        return {
            "on_part_begin": lambda: self.headers.clear(),
            "on_header_field": lambda buf, start, end: self.header_field.extend(buf[start:end]),
            "on_header_value": lambda buf, start, end: self.header_value.extend(buf[start:end]),
            "on_header_end": header_end,
            # A snapshot: by the time the queue is read, later parts may have replaced `headers`.
            "on_headers_finished": lambda: self.queue.append(("headers", dict(self.headers))),
            "on_part_data": data("data"),
            "on_part_end": lambda: self.queue.append(("end", b"")),
            "on_end": end,
        }


async def receive_multipart(request: Request, open_sink: OpenSink, *, max_file_bytes: int, buffer_bytes: int,
                            file_field: str = "file") -> MultipartUpload:
    """Read the form; the part named `file_field` (with a filename) goes to the sink `open_sink` returns.

    `open_sink` is called when that part's headers arrive, with the text fields read so far, so a
    grant or permission can be checked before any of the file's bytes are accepted.
    """
    limit = max_file_bytes + MAX_FIELD_BYTES + _FRAMING_BYTES
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > limit):
        raise LimitExceededError(f"File is larger than {max_file_bytes} bytes", code="upload_too_large")
    events = _Events()
    parser = MultipartParser(_boundary(request), events.callbacks())  # type: ignore[arg-type]
    result = MultipartUpload()
    buffer = bytearray()
    field_bytes = 0
    part: FilePart | None = None    # the current part, if it is the file
    text: bytearray | None = None   # the current part, if it is a text field
    text_name = ""
    received = 0

    async def flush() -> None:
        if buffer and result.sink is not None:
            await run_in_threadpool(result.sink.write, bytes(buffer))
        buffer.clear()

    try:
        async for chunk in request.stream():
            received += len(chunk)
            if received > limit:
                raise LimitExceededError(f"File is larger than {max_file_bytes} bytes", code="upload_too_large")
            try:
                parser.write(chunk)
            except FormParserError:
                raise MalformedInputError("Malformed multipart body") from None
            for kind, data in events.queue:
                if kind == "headers":
                    headers: dict[bytes, bytes] = data
                    _disposition, options = parse_options_header(headers.get(b"content-disposition", b""))
                    name = _decode(options.get(b"name", b""))
                    raw_filename = options.get(b"filename")
                    part, text = None, None
                    if raw_filename is None:
                        text, text_name = bytearray(), name
                    elif name == file_field:
                        if result.sink is not None:
                            raise ValidationError.single(file_field, "invalid", "only one file per request")
                        declared_type = headers.get(b"content-type")
                        part = FilePart(name, _decode(raw_filename),
                                        _decode(declared_type).strip() if declared_type else None)
                        result.file = part
                        result.sink = await open_sink(dict(result.fields), part)
                    # A file part under another name is read past and dropped.
                elif kind == "data":
                    if part is not None:
                        buffer.extend(data)
                        if len(buffer) >= buffer_bytes:
                            await flush()
                    elif text is not None:
                        field_bytes += len(data)
                        if field_bytes > MAX_FIELD_BYTES:
                            raise LimitExceededError("Form fields are too large", code="body_too_large")
                        text.extend(data)
                elif kind == "end":
                    if part is not None:
                        await flush()
                    elif text is not None:
                        try:
                            result.fields[text_name] = text.decode("utf-8")
                        except UnicodeDecodeError:
                            raise MalformedInputError(f"Field {text_name!r} is not valid UTF-8") from None
                    part, text = None, None
            events.queue.clear()
        if not events.ended:
            raise MalformedInputError("Multipart body is incomplete")
    except ClientDisconnect:
        if result.sink is not None:
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(result.sink.abort)
        # Nobody is left to read the answer; a 400 keeps it out of the server-error log.
        raise MalformedInputError("The upload was interrupted", code="upload_interrupted") from None
    except BaseException:
        if result.sink is not None:
            # Shielded: even a cancelled request (client gone) must not leave a half-written file.
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(result.sink.abort)
        raise
    return result

"""Hand-built multipart bodies: part order, odd file names and broken framing under the test's control."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

__all__ = ["FilePart", "multipart", "upload_fields"]


@dataclass(frozen=True)
class FilePart:
    name: str
    filename: str | bytes
    data: bytes
    content_type: str | None = "application/octet-stream"


def multipart(*parts: tuple[str, str] | FilePart, boundary: str | None = None) -> tuple[bytes, dict[str, str]]:
    """Body and headers for the parts in the order given: (name, value) text fields or FileParts."""
    boundary = boundary or secrets.token_hex(12)
    chunks: list[bytes] = []
    for part in parts:
        chunks.append(f"--{boundary}\r\n".encode())
        if isinstance(part, FilePart):
            filename = part.filename if isinstance(part.filename, bytes) else part.filename.encode()
            chunks.append(b'Content-Disposition: form-data; name="' + part.name.encode() + b'"; filename="'
                          + filename + b'"\r\n')
            if part.content_type:
                chunks.append(f"Content-Type: {part.content_type}\r\n".encode())
            chunks.append(b"\r\n" + part.data + b"\r\n")
        else:
            name, value = part
            chunks.append(f'Content-Disposition: form-data; name="{name}"\r\n\r\n'.encode() + value.encode() + b"\r\n")
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def upload_fields(params_url: str) -> tuple[str, list[tuple[str, str]]]:
    """What the SDK's content.upload does with `params`: POST to the URL without its query, sending
    every query parameter (URI-decoded) as a form field."""
    parts = urlsplit(params_url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}", parse_qsl(parts.query, keep_blank_values=True)

"""Blob bytes: a local folder by default, S3-compatible storage for scale. See base.py for the contract."""

from __future__ import annotations

from pathlib import Path

from objectbase.files.base import FileStore, FileWriter, check_key
from objectbase.files.local import LocalFileStore
from objectbase.settings import Settings

__all__ = ["FileStore", "FileWriter", "LocalFileStore", "check_key", "open_file_store"]


def open_file_store(settings: Settings) -> FileStore:
    """The store `--files-url` names: empty -> `<data dir>/files`; `file:///path` or a path; `s3://bucket/prefix`."""
    url = settings.files_url.strip()
    if not url:
        return LocalFileStore(settings.files_dir)
    if url.startswith("s3://"):
        # Imported here so that a local-only install never loads boto3.
        try:
            from objectbase.files.s3 import S3FileStore, make_s3_client, parse_s3_url
        except ImportError as error:
            raise RuntimeError(f"--files-url {url} needs boto3: pip install boto3 ({error})") from error

        bucket, prefix = parse_s3_url(url)
        client = make_s3_client(settings.s3_endpoint_url, settings.s3_region, settings.s3_access_key_id,
                                settings.s3_secret_access_key)
        return S3FileStore(client, bucket, prefix, part_bytes=settings.s3_part_bytes)
    if url.startswith("file://"):
        return LocalFileStore(Path(url[len("file://"):]))
    if "://" in url:
        raise ValueError(f"unsupported --files-url {url!r}; use s3://bucket/prefix or a folder path")
    return LocalFileStore(Path(url))

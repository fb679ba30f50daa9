"""Driver errors -> core errors, at the storage boundary: the core never sees SQLAlchemy or psycopg."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import exc

from objectbase.core.errors import ConflictError, MalformedInputError, UnavailableError

__all__ = ["translate_errors"]


@contextmanager
def translate_errors() -> Iterator[None]:
    try:
        yield
    except exc.IntegrityError as error:
        raise ConflictError("A record with the same unique value already exists") from error
    except exc.DataError as error:
        # A value the database refuses (NUL in text, a number past its column): the core checks
        # these itself, naming the field (core/storable.py); this is the net for a path it missed.
        raise MalformedInputError("A value in the request cannot be stored", code="unstorable_value") from error
    except (exc.OperationalError, exc.InterfaceError, exc.TimeoutError) as error:
        raise UnavailableError() from error

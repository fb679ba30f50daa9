"""build_app(settings) -> the ASGI app: storage, core services, and the dialects behind one pipeline."""

from __future__ import annotations

import gc
from typing import Callable

from objectbase.api.common.health import Health
from objectbase.api.common.metrics import Metrics
from objectbase.api.common.pipeline import Dialect, Server
from objectbase.api.dreamfactory.dialect import DreamFactory
from objectbase.api.quickblox import QuickBlox
from objectbase.api.reference.dialect import Reference
from objectbase.api.tracy.dialect import TracyDialect
from objectbase.backup.schedule import start_backups
from objectbase.core.services import Services
from objectbase.core.sign_in_limits import SignInLimits
from objectbase.files import open_file_store
from objectbase.security.rate_limits import AttemptCounter, store_from_url
from objectbase.settings import Settings
from objectbase.storage import SqlStorage, open_storage
from objectbase.storage.rate_limits import sql_counter_store
from objectbase.storage.checkpoints import start_checkpoints
from objectbase.storage.retention import start_pruning
from objectbase.web.dialect import Dashboard, Landing

__all__ = ["build_app", "create_app_from_env", "settle_garbage_collector", "sign_in_limits"]


def build_app(settings: Settings, services: Services | None = None) -> Server:
    if services is None:
        opened = open_storage(settings.resolved_database_url, sole_writer=settings.workers == 1,
                              secrets=settings.secret_box())
        services = Services.build(
            opened, session_ttl=settings.session_ttl,
            files=open_file_store(settings), max_upload_bytes=settings.max_upload_bytes,
            signed_link_ttl=settings.signed_link_ttl, passwords=settings.passwords,
            sign_in_limits=sign_in_limits(settings, opened),
        )
    dialects: list[Dialect] = [Health(), Dashboard(), Landing(), DreamFactory(), TracyDialect(settings.tracy_prefix),
                               QuickBlox(settings.quickblox_prefix), Reference()]
    storage = services.storage
    stops: list[Callable[[], None]] = []
    if isinstance(storage, SqlStorage) and storage.dialect == "sqlite":
        stops.append(start_checkpoints(storage).set)
    if settings.event_retention_days and isinstance(storage, SqlStorage):
        stops.append(start_pruning(storage, settings.event_retention_days).set)
    if settings.backup_interval and isinstance(storage, SqlStorage):
        # Every worker runs the schedule; one at a time takes each round (objectbase/backup/schedule.py).
        stops.append(start_backups(storage, services.files or open_file_store(settings), settings))

    def on_shutdown() -> None:
        for stop in stops:
            stop()
        storage.close()
    metrics = None
    if settings.metrics:
        pool = storage.engine.pool if isinstance(storage, SqlStorage) else None
        metrics = Metrics(token=str(settings.metrics_token), pool=None if pool is None else lambda: {
            "size": pool.size(), "checked_out": pool.checkedout(), "overflow": pool.overflow()})  # type: ignore[attr-defined]
    return Server(dialects, max_request_bytes=max(settings.max_body_bytes, settings.max_upload_bytes),
                  state={"services": services, "settings": settings}, on_shutdown=on_shutdown, metrics=metrics,
                  log_request_ids=settings.log_format == "json")


def sign_in_limits(settings: Settings, storage: SqlStorage) -> SignInLimits:
    """Counters in memory for one worker; shared by several: --rate-limit-url, else the database."""
    store = None
    if settings.rate_limit_url:
        store = store_from_url(settings.rate_limit_url)
    elif settings.workers > 1:
        store = sql_counter_store(storage.engine)
    return SignInLimits(AttemptCounter(settings.login_rate_per_address, settings.login_rate_per_login, store))


def create_app_from_env() -> Server:
    """Factory for worker processes (`uvicorn --factory`): settings come from OBJECTBASE_* variables."""
    app = build_app(Settings.from_env())
    settle_garbage_collector()
    return app


# A request allocates a few hundred to a few thousand objects, nearly all gone by its response.
# At CPython's default (a young collection every 700 allocations) a search's hundred records were
# traversed, promoted and traversed again while still alive; at this many, most are freed first.
YOUNG_COLLECTION_EVERY = 20_000


def settle_garbage_collector() -> None:
    """For a worker, once it is built: what exists now (modules, the app, its caches) lives as long as
    the process, so the collector stops scanning it (`gc.freeze`: a full collection of the ~95,000
    objects of a built app stalled the event loop ~55 ms, every request waiting behind it), and
    young collections run less often."""
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_EVERY, middle, old)

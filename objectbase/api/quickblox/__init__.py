"""The QuickBlox-compatible dialect (contract: shared/spec/quickblox.md)."""

from objectbase.api.quickblox.app import build_quickblox_app

__all__ = ["build_quickblox_app"]

"""The QuickBlox-compatible dialect (contract: shared/spec/quickblox.md)."""

from objectbase.api.quickblox.dialect import QuickBlox

__all__ = ["QuickBlox"]

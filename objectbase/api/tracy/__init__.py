"""The Tracy dialect at `/v1` (contract: docs/tracy.md)."""

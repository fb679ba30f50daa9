"""The domain core: knows nothing of HTTP or SQL dialects. Services take an `Actor` and check permissions."""

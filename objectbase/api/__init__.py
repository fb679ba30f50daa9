"""HTTP dialects: thin adapters from wire formats to core services."""

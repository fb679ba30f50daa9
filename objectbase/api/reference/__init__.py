"""`/openapi/{dialect}.json` and the API reference at `/docs` (Swagger UI, vendored)."""

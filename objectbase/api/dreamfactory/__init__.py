"""The DreamFactory-style dialect: `/rest` and `/api/v2` (spec/dreamfactory.md)."""

"""Pure helpers: no HTTP, no SQL. Anyone may import them."""

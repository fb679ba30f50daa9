"""The operator dashboard under /_ (issue 14): server-rendered pages over the core's services."""

"""The core query language: `ast.py` holds the nodes."""

"""Objectbase: a self-hosted backend for app data."""

__version__ = "0.1.0"

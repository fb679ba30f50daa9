"""Pieces every dialect shares: request parsing, responses, running core calls off the event loop."""

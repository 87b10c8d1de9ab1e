"""xpert-server: a self-hostable, XpertAI-compatible AI API server."""

__version__ = "0.1.0"

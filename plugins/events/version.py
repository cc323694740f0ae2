"""The project's version, published in /health.json so a monitor can tell which code built the site."""

__all__ = ["__version__"]

__version__ = "0.1.0"

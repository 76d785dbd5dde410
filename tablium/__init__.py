"""Tablium: a real-time poker tournament and club server."""

__version__ = "0.1.0"

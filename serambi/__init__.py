"""Serambi: library services platform for Indonesian public libraries."""

__version__ = "0.1.0"

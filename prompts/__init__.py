"""Versioned prompt files (package data): id@version in every cache key and result."""

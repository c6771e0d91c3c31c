"""Core layer: models, errors, settings, vocabulary, value parsing and text normalisation (imports nothing above it)."""

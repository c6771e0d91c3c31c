"""LLM access: the only module that talks to a model endpoint."""

"""perfdraft: document understanding and drafting for Chinese budget performance targets (绩效目标表)."""

from perfdraft.core.pydantic_plugins import skip_lookup_if_none

__version__ = "0.1.0"

skip_lookup_if_none()  # before any model is built: every perfdraft import passes here first

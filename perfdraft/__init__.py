"""perfdraft: document understanding and drafting for Chinese budget performance targets (绩效目标表)."""

__version__ = "0.1.0"

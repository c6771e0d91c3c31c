"""Is a past table really similar to the brief? A score on the names alone, comparable across stores."""

from __future__ import annotations

from perfdraft.core.models import ProjectBrief, RetrievedProject
from perfdraft.drafting.memory_store import bigrams, dice
from perfdraft.ingest.store_headnoun import core_name, head_noun

# Below this relevance a past table is not copied from. Chosen by measurement (bench/relevance_sweep.py, README
# "Drafting backtest"): the no-counterpart briefs copy rows at 0.1 (6.3% of their rows) and none from 0.2 up;
# whole-document level3 F1 is 0.207 / 0.206 / 0.199 at 0.2 / 0.3 / 0.4; above 0.6 true precedents are lost
# (宣传费 scores 0.625 for 城乡居民医保宣传经费). 0.3 keeps the F1 with one step of margin from where unrelated
# copies begin; 城乡居民医疗保险补助资金 scores 0.286 for that brief and is not copied from.
RELEVANCE_THRESHOLD = 0.3


def relevance(brief_name: str, past_name: str | None) -> float:
    """0..1: half for sharing the brief's head noun (宣传, 养护 …), half for the bigram overlap of the core names."""
    if not past_name:
        return 0.0
    head = head_noun(brief_name)
    shares_head = 1.0 if head and head in core_name(past_name) else 0.0
    return 0.5 * shares_head + 0.5 * dice(bigrams(core_name(brief_name)), bigrams(core_name(past_name)))


def relevant_examples(brief: ProjectBrief, examples: list[RetrievedProject],
                      threshold: float = RELEVANCE_THRESHOLD) -> list[RetrievedProject]:
    """The retrieved tables similar enough to copy from, in the store's order."""
    return [ex for ex in examples if relevance(brief.name, ex.project.name) >= threshold]

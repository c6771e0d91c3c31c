"""extraction: Document -> validated PerformanceDocument with provenance (rules, llm, hybrid)."""

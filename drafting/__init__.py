"""drafting: ProjectBrief + retrieved past tables -> draft table, lint findings, exports."""

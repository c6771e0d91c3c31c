"""ingest: file -> typed Document (pages, lines, table grids, spans); the Chroma store."""

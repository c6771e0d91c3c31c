"""pipeline: file -> extract -> store, the layer above extraction and below drafting."""

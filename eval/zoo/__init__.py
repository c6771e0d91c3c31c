"""The layout zoo: every gold table rendered, by code of its own, into the layout families of real documents."""

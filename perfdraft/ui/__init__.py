"""Helpers for the Streamlit page: safe uploads, a thin service layer, table conversion, formatting."""

"""The Streamlit UI: thin pages over the ``kb`` engine (one module per page)."""

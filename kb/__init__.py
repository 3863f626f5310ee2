"""OpsKB engine: content files, taxonomy, search, diagnosis and import. No Streamlit here."""

__version__ = "0.1.0"

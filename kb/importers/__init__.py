"""Read-later import: URLs, files and bookmark/read-later exports become article documents.

Entry points are in ``service`` (``import_url``, ``import_file``, ``import_export``, ``refetch``)
and ``cli`` (``python -m kb import``). Nothing here imports Streamlit.
"""

"""Read-later import: URLs, files and bookmark/read-later exports become article documents.

Entry points: ``service`` (``import_url``, ``import_file``, ``import_export``; an
``ImportReport`` from ``report``), ``later`` (``refetch`` a link-only article,
``apply_choices`` for accepted suggestions) and ``cli`` (``python -m kb import``).
Nothing here imports Streamlit.
"""

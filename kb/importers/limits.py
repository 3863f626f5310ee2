"""Size and count bounds for everything an import reads: untrusted input never grows unbounded."""

from __future__ import annotations

MAX_PAGE_BYTES = 5_000_000  # one fetched web page
MAX_FILE_BYTES = 50_000_000  # one uploaded file or export
MAX_ENTRIES = 20_000  # entries taken from one export
MAX_BODY_CHARS = 500_000  # Markdown body stored for one article
MAX_TITLE_CHARS = 200
MAX_TAGS = 20
MAX_TAG_CHARS = 40
MAX_URL_CHARS = 2_000
FETCH_TIMEOUT = 10.0  # seconds, per network operation
FETCH_DEADLINE = 30.0  # seconds, whole fetch including redirects
MAX_REDIRECTS = 5
FETCH_WORKERS = 8  # pages fetched in parallel during a bulk import
MAX_TABLE_ROWS = 1_000_000  # data rows read from one metrics file (diagnosis; bench: 1M in < 2 s)
MAX_UNPACKED_BYTES = 100_000_000  # an .xlsx unpacked (zip-bomb guard; ~450k rows x 5 columns)

"""The diagnosis wizard's steps (the page itself is ui/diagnose.py)."""

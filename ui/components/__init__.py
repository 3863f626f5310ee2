"""Reusable widgets: ``show(…, key=…)`` functions used by several pages."""

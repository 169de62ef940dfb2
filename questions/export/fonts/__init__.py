"""The font the PDF export ships with, so that Chinese shows on any machine (see make_subset.py)."""

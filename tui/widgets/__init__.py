"""Reusable pieces of the app: bilingual text, bars, question views, plots."""

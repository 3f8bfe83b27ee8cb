"""Organisations: gazetteer, forms and founding frames, and the finder that resolves them."""

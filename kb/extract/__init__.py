"""Extraction: from a Doc of clean text to typed records with provenance.

The orchestration (``extract``) is the lead's; finders live in one module per
record type: orgs.py, people.py, events.py, documents.py, claims.py.
"""

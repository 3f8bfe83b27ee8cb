"""A Doc's text, kept with it: spaCy rebuilds ``doc.text`` from every token on each access.

Its own module so that components imported by the pipeline module (the name
tagger) can read it without importing the pipeline back.
"""

from __future__ import annotations

from spacy.tokens import Doc

TEXT_KEY = "kb_text"  # doc.user_data key


def text_of(doc: Doc) -> str:
    """``doc.text``, kept with the Doc (:func:`kb.nlp.pipeline.make_doc` sets it from the clean text)."""
    if TEXT_KEY not in doc.user_data:
        doc.user_data[TEXT_KEY] = doc.text
    return doc.user_data[TEXT_KEY]

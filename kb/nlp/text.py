"""A Doc's text, kept with it (spaCy rebuilds ``doc.text`` from every token on each
access), and kb's one definition of a sentence and a clause.

A sentence ends at ``。！？!?`` or a line break (headlines, list items and bylines
are lines of their own); ``；`` joins two clauses of one sentence. A clause ends at a
sentence end or at ``；;，,：:``. The ``kb_sentences`` component, the name tagger and
every record builder split text with these, so a fact's sentence is the same
sentence at every stage.

Its own module so that components imported by the pipeline module (the name
tagger) can read it without importing the pipeline back.
"""

from __future__ import annotations

from spacy.tokens import Doc

TEXT_KEY = "kb_text"  # doc.user_data key
SENTENCE_ENDS = "。！？!?\n"
CLAUSE_ENDS = SENTENCE_ENDS + "；;，,：:"


def text_of(doc: Doc) -> str:
    """``doc.text``, kept with the Doc (:func:`kb.nlp.pipeline.make_doc` sets it from the clean text)."""
    if TEXT_KEY not in doc.user_data:
        doc.user_data[TEXT_KEY] = doc.text
    return doc.user_data[TEXT_KEY]

"""Extraction: from a Doc of clean text to typed records with provenance.

One finder per record type (orgs.py, people.py, events.py, documents.py,
claims.py); later finders see what earlier ones found, since a document's
issuer is an organisation and a claim's subject may be an event.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kb.clean import clean_article
from kb.extract.claims import find_claims
from kb.extract.documents import find_documents
from kb.extract.events import find_events
from kb.extract.orgs import find_organizations
from kb.extract.people import find_people
from kb.ingest import Article
from kb.nlp import make_doc
from kb.records import ArticleFacts


def extract(doc: Doc) -> ArticleFacts:
    """Every fact of the article behind ``doc``."""
    orgs = find_organizations(doc)
    events = find_events(doc)
    people = find_people(doc, orgs)
    documents = find_documents(doc, orgs, events)
    claims = find_claims(doc, orgs, events, documents)
    article = doc._.article
    return ArticleFacts.from_records(article.id, article.date, [*events, *orgs, *people, *documents, *claims])


def extract_article(nlp: Language, article: Article) -> ArticleFacts:
    """Clean, segment and extract one article."""
    return extract(make_doc(nlp, article, clean_article(article)))

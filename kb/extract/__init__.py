"""Extraction: from a Doc of clean text to typed records with provenance.

One finder per record type (orgs.py, people.py, events.py, documents.py,
claims.py); later finders see what earlier ones found, since a document's
issuer is an organisation and a claim's subject may be an event. The
``kb_facts`` component (:mod:`kb.components`) runs :func:`extract` in a pipeline.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

# Every module that builds from rules is imported here, so RuleSet.check sees all builders.
import kb.clean.mojibake  # noqa: F401
import kb.clean.noise  # noqa: F401
import kb.numbers  # noqa: F401
from kb.clean import clean_article
from kb.extract.claims import find_claims
from kb.extract.documents import find_documents
from kb.extract.events import find_events
from kb.extract.orgs import find_organizations
from kb.extract.people import find_people
from kb.ingest import Article
from kb.nlp import make_doc
from kb.records import ArticleFacts
from kb.rules import RuleSet


def check_rules() -> None:
    """Validate every rule file of the configured folder, so a bad one stops kb before any
    article is read (RuleError names the file, line and rule id)."""
    RuleSet.current().check()


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
    """Clean, segment and extract one article, with the rules of the pipeline's ``kb_facts``
    component active throughout (cleaning reads them too)."""
    import kb.components  # noqa: F401  registers kb_facts (kb.components is built on this module)

    if "kb_facts" not in nlp.pipe_names:
        nlp.add_pipe("kb_facts", last=True)
    with nlp.get_pipe("kb_facts").ruleset().active():
        return make_doc(nlp, article, clean_article(article))._.facts

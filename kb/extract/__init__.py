"""Extraction: from a Doc of clean text to typed records with provenance.

One finder per record type (orgs.py, people.py, events.py, documents.py,
claims.py); later finders see what earlier ones found, since a document's
issuer is an organisation and a claim's subject may be an event.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from kb.clean import clean_article
from kb.clean.mojibake import load_known_words
from kb.clean.noise import load_noise_rules
from kb.extract.claims import find_claims, load_claim_rules
from kb.extract.documents import find_documents, load_document_rules
from kb.extract.events import find_events, load_event_rules
from kb.extract.orgs import find_organizations, org_rules
from kb.extract.people import find_people, people_rules
from kb.ingest import Article
from kb.nlp import make_doc
from kb.numbers import load_quantity_rules
from kb.records import ArticleFacts
from kb.rules import read_rule_file


RULE_LOADERS = (
    load_known_words, load_noise_rules, load_quantity_rules, org_rules, people_rules,
    load_event_rules, load_document_rules, load_claim_rules,
)


def check_rules() -> None:
    """Load and validate every rule file, so a bad one stops kb before any article
    is read (RuleError names the file, line and rule id)."""
    for load in RULE_LOADERS:
        load()


def forget_rules() -> None:
    """Drop every loaded rule file, so the next use reads ``rules/`` again."""
    read_rule_file.cache_clear()
    for load in RULE_LOADERS:
        getattr(load, "cache_clear", lambda: None)()


def extract(doc: Doc) -> ArticleFacts:
    """Every fact of the article behind ``doc``."""
    orgs = find_organizations(doc)
    events = find_events(doc)
    people = find_people(doc, orgs)
    documents = find_documents(doc, orgs, events)
    claims = find_claims(doc, orgs, events, documents)
    article = doc._.article
    return ArticleFacts.from_records(article.id, article.date, [*events, *orgs, *people, *documents, *claims])


Doc.set_extension("facts", default=None, force=True)


@Language.component("kb_facts")
def set_facts(doc: Doc) -> Doc:
    """The pipeline's last component: ``doc._.facts`` holds the article's records
    (a Doc made without an article, by ``nlp(text)``, has none)."""
    doc._.facts = extract(doc) if doc._.article is not None else None
    return doc


def extract_article(nlp: Language, article: Article) -> ArticleFacts:
    """Clean, segment and extract one article."""
    if "kb_facts" not in nlp.pipe_names:
        nlp.add_pipe("kb_facts", last=True)
    return make_doc(nlp, article, clean_article(article))._.facts

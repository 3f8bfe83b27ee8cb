"""Extraction: from a Doc of clean text to typed records with provenance.

One finder per record type (orgs/finder.py, people/finder.py, events.py, documents.py,
claims/finder.py); later finders see what earlier ones found, since a document's
issuer is an organisation and a claim's subject may be an event. The
``kb_facts`` component (:mod:`kb.extract.components`) runs :func:`extract` in a pipeline.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

# Every module that builds from rules is imported here, so RuleSet.check sees all builders.
import kb.clean.mojibake  # noqa: F401
import kb.clean.noise  # noqa: F401
import kb.normalise.numbers  # noqa: F401
from kb.clean import clean_article
from kb.extract.claims.finder import find_claims
from kb.extract.documents import find_documents
from kb.extract.events import find_events
from kb.extract.matcher import RuleMatcher  # noqa: F401  its rules are checked with the rest
from kb.extract.orgs.finder import find_organizations
from kb.extract.people.finder import find_people
from kb.errors import ExtractionError
from kb.ingest.articles import Article
from kb.nlp import pipeline
from kb.nlp.pipeline import make_doc
from kb.records.models import ArticleFacts
from kb.rules.ruleset import RuleSet


def check_rules() -> None:
    """Validate every rule file of the configured folder, so a bad one stops kb before any
    article is read (RuleError names the file, line and rule id)."""
    RuleSet.current().check()


def extract(doc: Doc) -> ArticleFacts:
    """Every fact of the article behind ``doc``."""
    orgs = find_organizations(doc)
    events = find_events(doc)
    people = find_people(doc)
    documents = find_documents(doc, orgs, events)
    claims = find_claims(doc, orgs, events, documents)
    article = doc._.article
    return ArticleFacts.from_records(article.id, article.date, [*events, *orgs, *people, *documents, *claims],
                                     **_metadata(article))


def _metadata(article) -> dict[str, str | None]:
    """The article's title, outlet and address, as far as it has them (a Doc made by
    ``nlp(text)`` or a test may carry a bare stand-in)."""
    return {"title": getattr(article, "title", None), "outlet": getattr(article, "source", None),
            "url": getattr(article, "url", None)}


def extract_article(nlp: Language, article: Article) -> ArticleFacts:
    """Clean, segment and extract one article, with the rules of the pipeline's ``kb_facts``
    component active throughout (cleaning reads them too)."""
    import kb.extract.components  # noqa: F401  registers kb_facts (kb.components is built on this module)

    if "kb_facts" not in nlp.pipe_names:
        nlp.add_pipe("kb_facts", last=True)
    with nlp.get_pipe("kb_facts").ruleset().active():
        return make_doc(nlp, article, clean_article(article))._.facts


def extract_safely(nlp: Language, article: Article) -> ArticleFacts | ExtractionError:
    """The facts of ``article``, or an ExtractionError naming it if kb fails on it."""
    try:
        return extract_article(nlp, article)
    except Exception as error:  # noqa: BLE001 - one article's bug must not stop the others
        return ExtractionError(article.path, error)


def load_checked_pipeline(model: str | None, segmenter: str, tagger: str = "lac") -> Language:
    """Rules validated first (a bad file stops kb before the slow load), then the pipeline."""
    check_rules()
    return pipeline.load_pipeline(model, segmenter, tagger)  # looked up here: tests hand out their own

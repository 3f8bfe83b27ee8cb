"""Documents issued: the rules (:mod:`.rules`) and the finder (:mod:`.finder`)."""

from kb.extract.documents.finder import find_documents
from kb.extract.documents.rules import load_document_rules

__all__ = ["find_documents", "load_document_rules"]

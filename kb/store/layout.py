"""The build folder's outputs, each named once: what ``kb build --out OUT`` writes into OUT
(see :mod:`kb.store.build`)."""

from __future__ import annotations


ARTICLES_DIR = "articles"  # per-article extracted facts, as `kb extract` writes them
REVIEWS_FILE = "reviews.yaml"
DUMP_DIR = "facts"  # the review dump, kb.review.dump
KNOWLEDGE_DIR = "knowledge"  # the merged knowledge base a query loads, kb.store.knowledge

GRAPHML, GEXF, TIMELINE = "graph.graphml", "graph.gexf", "timeline.svg"
TIMELINE_PNG = "timeline.png"  # the same picture as TIMELINE, as an image
OUTPUTS = (ARTICLES_DIR, DUMP_DIR, GRAPHML, GEXF, TIMELINE, TIMELINE_PNG, KNOWLEDGE_DIR)

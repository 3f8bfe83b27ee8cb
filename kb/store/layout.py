"""The build folder's outputs, each named once: what ``kb build --out OUT`` writes into OUT
(see :mod:`kb.store.build`)."""

from __future__ import annotations


ARTICLES_DIR = "articles"  # per-article extracted facts, as `kb extract` writes them
REVIEWS_FILE = "reviews.yaml"
DUMP_DIR = "facts"  # the review dump, kb.review.dump

GRAPHML, GEXF, TIMELINE = "graph.graphml", "graph.gexf", "timeline.svg"
OUTPUTS = (ARTICLES_DIR, DUMP_DIR, GRAPHML, GEXF, TIMELINE)

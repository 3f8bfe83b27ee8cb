"""Stage 1, ingest: article files on disk to :class:`~kb.ingest.articles.Article` objects
(decoding, dateline, title, date)."""

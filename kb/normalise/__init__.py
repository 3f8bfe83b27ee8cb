"""Stage 3, normalise: pure functions reading dates and numbers in clean text."""

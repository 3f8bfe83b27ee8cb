"""Review: the reviewer's verdicts (``reviews.yaml``), applied to records, and the review dump
(``facts/*.yaml``), written and read in one place."""

"""The ``kb`` command line: argument parsing (:mod:`kb.cli.main`) and rich tables (:mod:`kb.cli.show`)."""

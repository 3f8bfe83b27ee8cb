"""The ``kb`` command line: argument parsing and exit codes (:mod:`kb.cli.main`), the query answers as
tables and JSON (:mod:`kb.cli.show`), how they are printed — terminal width, CSV, JSON (:mod:`kb.cli.output`),
``kb stats`` (:mod:`kb.cli.stats`) and ``kb export`` (:mod:`kb.cli.export`)."""

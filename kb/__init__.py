"""kb: a knowledge-base builder for Chinese news on internet governance.

>>> from kb import KnowledgeBase, load_knowledge_base
>>> kb = KnowledgeBase.build(["seeds/"])   # or, after `kb build seeds/ --out out/`:
>>> kb = load_knowledge_base("out/")     # the store reads it (kb.store.knowledge)

>>> from kb import load_nlp
>>> doc = load_nlp()("马云、马化腾、李彦宏出席了论坛。")   # doc._.facts, doc.ents, doc.spans["kb"]
"""

__all__ = ["KnowledgeBase", "load_knowledge_base", "load_nlp", "__version__"]
_SOURCE_VERSION = "0.1.0"  # a source tree that was never installed has no package metadata


def __getattr__(name: str):
    if name == "__version__":  # looked up on first use: importlib.metadata takes 20 ms to import
        from importlib.metadata import PackageNotFoundError, version

        try:
            return version("kb")
        except PackageNotFoundError:
            return _SOURCE_VERSION
    # Imported on first use: `kb --help` and `kb clean` need not load networkx, OpenCC or spaCy.
    if name == "KnowledgeBase":
        from kb.query import KnowledgeBase

        return KnowledgeBase
    if name == "load_knowledge_base":
        from kb.store.knowledge import load_knowledge_base

        return load_knowledge_base
    if name == "load_nlp":
        from kb.nlp.pipeline import load_nlp

        return load_nlp
    raise AttributeError(f"module 'kb' has no attribute {name!r}")

"""kb: a knowledge-base builder for Chinese news on internet governance.

>>> from kb import KnowledgeBase
>>> kb = KnowledgeBase.build(["seeds/"])   # or KnowledgeBase.load("out/")

>>> from kb import load_nlp
>>> doc = load_nlp()("马云、马化腾、李彦宏出席了论坛。")   # doc._.facts, doc.ents, doc.spans["kb"]
"""

__version__ = "0.1.0"
__all__ = ["KnowledgeBase", "load_nlp"]


def __getattr__(name: str):
    # Imported on first use: `kb --help` and `kb clean` need not load networkx, OpenCC or spaCy.
    if name == "KnowledgeBase":
        from kb.query import KnowledgeBase

        return KnowledgeBase
    if name == "load_nlp":
        from kb.nlp.pipeline import load_nlp

        return load_nlp
    raise AttributeError(f"module 'kb' has no attribute {name!r}")

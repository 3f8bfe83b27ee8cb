"""kb: a knowledge-base builder for Chinese news on internet governance.

>>> from kb import KnowledgeBase
>>> kb = KnowledgeBase.build(["seeds/"])   # or KnowledgeBase.load("out/")
"""

__version__ = "0.1.0"
__all__ = ["KnowledgeBase"]


def __getattr__(name: str):
    # Imported on first use: `kb --help` and `kb clean` need not load networkx and OpenCC.
    if name == "KnowledgeBase":
        from kb.query import KnowledgeBase

        return KnowledgeBase
    raise AttributeError(f"module 'kb' has no attribute {name!r}")

"""kb: a knowledge-base builder for Chinese news on internet governance."""

__version__ = "0.1.0"

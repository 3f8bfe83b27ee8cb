"""Evaluation: facts scored against gold annotations, the per-rule report, the timeline score."""

"""Stage 4, nlp: the spaCy pipeline (pkuseg segmenter, LAC name tagger) that makes a Doc of
clean text, and the model files it needs."""

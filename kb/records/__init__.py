"""Records: the pydantic models every stage after extraction exchanges, and ``schema.yaml``
derived from them."""

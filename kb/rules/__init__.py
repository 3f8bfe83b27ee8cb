"""Rule files: loading ``rules/*.yaml`` into validated models (every stage reads them),
and refusing regexes that backtrack catastrophically."""

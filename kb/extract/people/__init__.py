"""People: name rules, bylines, and the finder that ties names to roles and organisations."""

"""Catalog: plugin YAML read with its locations, definitions, the assembled catalog, its checks."""

"""Importers for open datasets of community organisations (each a module)."""

"""Bootstraps that run inside execution environments (executed as scripts, never imported)."""

"""Integrations: Credly, and sharing an award on LinkedIn and in link previews."""

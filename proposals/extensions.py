"""Panels other apps add to the proposal page (the review app adds the progress track, the
actions open to the reader, the vote and the history). Registered when those apps start."""

_detail_panels = []


def register_detail_panel(panel):
    """``panel(request, proposal)`` returns ``{"template": ..., "where": "top" | "aside", ...}`` or None."""
    if panel not in _detail_panels:
        _detail_panels.append(panel)
    return panel


def detail_panels(request, proposal):
    return [result for result in (panel(request, proposal) for panel in _detail_panels) if result]

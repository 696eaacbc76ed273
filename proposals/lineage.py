"""A micro-credential and its revisions are one: each revision (``Proposal.revision_of``) continues
the line of the micro-credential it revises. A micro-certificate's components are counted by line,
and a component is available while it is published or a revision that replaced it is (a component
retired for good, or a revision not yet published, is not)."""

from dataclasses import dataclass

from .policy import State


@dataclass(frozen=True)
class Line:
    root: int  # the id of the first micro-credential of the line
    available: bool  # it, or a revision of it further down the line, is published now


def lines_of(proposals):
    """``{proposal id: Line}`` for the given proposals. No query when none of them is a revision and
    all are published; otherwise one query per generation of revisions walked."""
    from .models import Proposal

    proposals = list(proposals)
    parent = {p.pk: p.revision_of_id for p in proposals}
    missing = {pk for pk in parent.values() if pk and pk not in parent}
    while missing:
        rows = list(Proposal.objects.filter(pk__in=missing).values_list("pk", "revision_of_id"))
        parent.update(rows)
        missing = {up for _pk, up in rows if up and up not in parent}

    def root(pk):
        while parent.get(pk):
            pk = parent[pk]
        return pk

    # A component not published itself is available when a revision down its line is published
    # (it replaced it): one query per generation, only for such components.
    available = {p.pk for p in proposals if p.state == State.PUBLISHED}
    waiting = {p.pk: {p.pk} for p in proposals if p.pk not in available}
    frontier = set().union(*waiting.values()) if waiting else set()
    below = {}
    while frontier:
        rows = list(
            Proposal.objects.filter(revision_of__in=frontier).values_list("pk", "revision_of_id", "state")
        )
        for pk, revision_of, current in rows:
            below.setdefault(revision_of, []).append((pk, current))
        frontier = {r[0] for r in rows}
    for pk in waiting:
        line, seen = [pk], set()
        while line:
            here = line.pop()
            for child, current in below.get(here, []):
                if child not in seen:
                    seen.add(child)
                    line.append(child)
                    if current == State.PUBLISHED:
                        available.add(pk)
    return {p.pk: Line(root(p.pk), p.pk in available) for p in proposals}

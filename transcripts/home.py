"""The registrar's home card: the transcript queue by state."""

from django.urls import reverse

from core.cards import Card, Placed, Stat

from .selectors import counts as transcript_counts


def home_cards(home):
    return [Placed("waiting", 40, _registrar_card())] if home.roles.is_registrar else []


def _registrar_card():
    queue = reverse("transcripts:queue")
    rows = transcript_counts()
    return Card(
        key="registrar",
        title="Transcript queue",
        intro="Awards to check, batch and post to the student information system, by state.",
        empty="No record yet.",
        stats=[Stat(label, n, f"{queue}?state={value}") for value, label, n in rows if n],
        count=sum(n for _v, _l, n in rows),
        count_label="records",
        actions=[("Transcript queue", queue), ("Batches", reverse("transcripts:batches"))],
    )

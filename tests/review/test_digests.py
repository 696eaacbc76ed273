"""Email digests (issue 14, item 5): a person may get their emails at once (the default), or in one
daily or weekly digest listing what happened on their proposals and what waits for them. Urgent
emails still go at once; one digest per person and period, enforced by the database."""

import datetime
import re
from datetime import timedelta
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from microcred import outbox
from proposals.policy import State
from review import services
from review.models import Digest, Notification, NotificationPreference
from review.services import digests, notifications
from review.tasks import send_digest, send_digests, send_review_reminders
from tests.factories import complete_proposal
from tests.project.test_settings import PRODUCTION_ENV, manage
from tests.workflow import place_at

pytestmark = pytest.mark.django_db

Delivery = NotificationPreference.Delivery
LONG_AGO = timezone.make_aware(datetime.datetime(2026, 1, 1, 12))


def at(day, hour, minute=5):
    """A local moment in December 2026 (the 7th and 14th are Mondays)."""
    return timezone.make_aware(datetime.datetime(2026, 12, day, hour, minute))


def choose(user, delivery):
    """``user`` chose ``delivery`` long ago, so that every period since covers them."""
    services.set_delivery(user=user, delivery=delivery)
    NotificationPreference.objects.filter(user=user).update(chosen_at=LONG_AGO)


def to(mailoutbox):
    return sorted(m.to[0].split("@")[0] for m in mailoutbox)


@pytest.fixture
def people(db):
    User = get_user_model()
    return {name: User.objects.create_user(name, email=f"{name}@example.edu") for name in ("ann", "bob")}


@pytest.fixture
def bob(people):
    """Bob, who reads a daily digest, with one event kept back for it."""
    choose(people["bob"], Delivery.DAILY)
    event([people["bob"]])
    return people["bob"]


def a_digest(user):
    """A digest recorded for ``user`` whose task has not run."""
    return Digest.objects.create(recipient=user, period=Digest.Period.DAILY, period_start=at(1, 7).date())


@pytest.fixture
def digest_hour(settings):
    settings.DIGEST_HOUR, settings.DIGEST_WEEKDAY = 7, "monday"


def event(recipients, n=1, **kwargs):
    return services.notify(
        recipients=recipients,
        subject=f"Event {n}",
        body=f"Something happened ({n}).",
        url=f"/p/{n}/",
        **kwargs,
    )


# --- what a digest says ---------------------------------------------------------------------------


def test_the_digest_lists_what_happened_and_what_waits_with_links(
    demo, mailoutbox, settings, django_capture_on_commit_callbacks
):
    reviewer, author = demo["unitreviewer"], demo["faculty"]
    choose(reviewer, Delivery.DAILY)
    proposal = complete_proposal(author=author, unit=author.unit_roles.first().unit)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(proposal=proposal, user=author)
    assert to(mailoutbox) == ["faculty"]  # the reviewer's email is kept for the digest
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        send_digests.apply()
    assert to(mailoutbox) == ["unitreviewer"]
    mail = mailoutbox[0]
    assert mail.subject == "Daily digest: 1 update, 1 waiting for you"
    link = f"{settings.PUBLIC_BASE_URL}/proposals/{proposal.pk}/"
    what_happened, waiting = mail.body.split("WAITING FOR YOU (1)")
    assert "WHAT HAPPENED (1)" in what_happened
    assert f"{proposal.title}: Unit review" in what_happened and link in what_happened
    assert f"“{proposal.title}”: Decide: approve, return or reject" in waiting and link in waiting
    assert f"{settings.PUBLIC_BASE_URL}{reverse('review:queue')}" in waiting
    assert f"{settings.PUBLIC_BASE_URL}{reverse('review:email_settings')}" in waiting

    note = Notification.objects.get(recipient=reviewer)
    digest = Digest.objects.get(recipient=reviewer)
    assert note.digest == digest and note.sent_at is not None
    assert (digest.state, digest.events, digest.waiting) == (Digest.State.SENT, 1, 1)


def test_the_next_digest_lists_only_what_happened_since(
    people, mailoutbox, digest_hour, django_capture_on_commit_callbacks
):
    bob = people["bob"]
    choose(bob, Delivery.DAILY)
    event([bob], 1)
    with django_capture_on_commit_callbacks(execute=True):
        digests.record_digests(now=at(7, 8))
    event([bob], 2)
    with django_capture_on_commit_callbacks(execute=True):
        digests.record_digests(now=at(8, 8))
    first, second = mailoutbox
    assert "Event 1" in first.body and "Event 2" not in first.body
    assert "Event 2" in second.body and "Event 1" not in second.body
    assert "since " in second.body


def test_nothing_to_say_sends_no_digest(people, mailoutbox, django_capture_on_commit_callbacks):
    choose(people["bob"], Delivery.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        digests.record_digests()
    assert mailoutbox == []
    assert Digest.objects.get().state == Digest.State.NOTHING


@pytest.mark.parametrize("change", [{"is_active": False}, {"email": ""}])
def test_an_inactive_person_or_one_without_email_gets_no_digest(
    bob, mailoutbox, change, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        digest = Digest.objects.create(
            recipient=bob, period=Digest.Period.DAILY, period_start=at(1, 7).date()
        )
        get_user_model().objects.filter(pk=bob.pk).update(**change)
        assert digests.record_digests() == []  # no new digest for them
        assert send_digest.apply(args=[digest.pk]).get() == "nothing"
    assert mailoutbox == []


# --- immediate, digest and urgent -----------------------------------------------------------------


def test_the_immediate_person_gets_each_email_the_digest_person_none_until_the_digest(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    ann, bob = people["ann"], people["bob"]
    choose(bob, Delivery.DAILY)
    with django_capture_on_commit_callbacks(execute=True):
        event([ann, bob], 1)
        event([ann, bob], 2)
    assert to(mailoutbox) == ["ann", "ann"]
    assert Notification.objects.filter(recipient=bob, sent_at__isnull=True).count() == 2
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        digests.record_digests()
    assert to(mailoutbox) == ["bob"]
    assert "Event 1" in mailoutbox[0].body and "Event 2" in mailoutbox[0].body
    assert not Digest.objects.filter(recipient=ann).exists()


def test_an_urgent_email_goes_at_once_to_a_digest_person(
    people, mailoutbox, django_capture_on_commit_callbacks
):
    bob = people["bob"]
    choose(bob, Delivery.WEEKLY)
    with django_capture_on_commit_callbacks(execute=True):
        event([bob], urgent=True)
    assert to(mailoutbox) == ["bob"]
    with django_capture_on_commit_callbacks(execute=True):
        digests.record_digests()
    assert len(mailoutbox) == 1  # not listed again in the digest


def test_the_chairs_vote_reminder_goes_at_once_to_a_digest_member(
    client, demo, mailoutbox, django_capture_on_commit_callbacks
):
    author = demo["faculty"]
    proposal = place_at(
        complete_proposal(author=author, unit=author.unit_roles.first().unit, level="graduate"),
        State.GRADUATE_COUNCIL,
    )
    choose(demo["gc-member1"], Delivery.DAILY)
    client.force_login(demo["gc-chair"])
    ballot = proposal.ballots.get(closed_at__isnull=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("review:remind_voters", args=[proposal.pk]), {"ballot": ballot.pk})
    assert "gc-member1" in to(mailoutbox)


def test_the_overdue_reminder_goes_at_once_to_a_digest_reviewer(
    demo, mailoutbox, settings, django_capture_on_commit_callbacks
):
    author = demo["faculty"]
    proposal = complete_proposal(author=author, unit=author.unit_roles.first().unit)
    choose(demo["unitreviewer"], Delivery.DAILY)
    services.submit(proposal=proposal, user=author)
    type(proposal).objects.filter(pk=proposal.pk).update(
        stage_entered_at=timezone.now() - timedelta(days=settings.REVIEW_REMINDER_DAYS + 1)
    )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        send_review_reminders.apply()
    assert "unitreviewer" in to(mailoutbox)
    assert "Reminder:" in next(m for m in mailoutbox if m.to[0].startswith("unitreviewer")).subject


def test_choosing_immediate_again_sends_what_a_digest_kept_back(
    bob, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.set_delivery(user=bob, delivery=Delivery.IMMEDIATE)
    assert to(mailoutbox) == ["bob"] and mailoutbox[0].subject == "Event 1"


# --- one per person and period --------------------------------------------------------------------


def test_run_twice_one_digest_and_the_database_refuses_a_second(
    bob, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert len(digests.record_digests()) == 1
        assert digests.record_digests() == []
    assert to(mailoutbox) == ["bob"]
    digest = Digest.objects.get()
    assert send_digest.apply(args=[digest.pk]).get() == "already-sent"
    assert len(mailoutbox) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        Digest.objects.create(recipient=bob, period=digest.period, period_start=digest.period_start)


def test_a_run_killed_before_its_sends_is_caught_up_by_the_sweep_once(
    bob, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the worker died before the sends
        digests.record_digests()
    with django_capture_on_commit_callbacks(execute=True):
        assert digests.record_digests() == []  # run again: nothing recorded twice
        assert outbox.sweep(0)["digests"] == 1
    assert to(mailoutbox) == ["bob"]
    assert outbox.sweep(0)["digests"] == 0
    assert len(mailoutbox) == 1


def test_the_sweep_leaves_a_kept_back_notification_to_its_digest(
    bob, mailoutbox, django_capture_on_commit_callbacks
):
    assert list(notifications.unsent(0)) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert outbox.sweep(0)["notifications"] == 0
    assert mailoutbox == []
    assert Notification.objects.get(recipient=bob).for_digest


def test_a_failed_send_is_recorded_and_retried(bob, mailoutbox):
    digest = a_digest(bob)
    with mock.patch("review.tasks.send_mail", side_effect=[ConnectionRefusedError("smtp down"), 1]):
        assert send_digest.apply(args=[digest.pk]).get() == "sent"
    digest.refresh_from_db()
    assert (digest.state, digest.attempts, digest.last_error) == (Digest.State.SENT, 2, "")
    assert Notification.objects.get(recipient=bob).digest == digest


def test_a_send_that_keeps_failing_keeps_its_error_and_its_notifications(bob, mailoutbox):
    digest = a_digest(bob)
    with mock.patch("review.tasks.send_mail", side_effect=ConnectionRefusedError("smtp down")):
        assert send_digest.apply(args=[digest.pk], throw=False).failed()
    digest.refresh_from_db()
    assert digest.state == Digest.State.PENDING and "smtp down" in digest.last_error
    assert digest.attempts == send_digest.max_retries + 1
    note = Notification.objects.get(recipient=bob)
    assert note.digest is None and note.sent_at is None  # the next digest still lists it


# --- when -----------------------------------------------------------------------------------------


def test_daily_digests_come_every_day_and_weekly_ones_on_the_weekday(people, digest_hour):
    ann, bob = people["ann"], people["bob"]
    choose(ann, Delivery.DAILY)
    choose(bob, Delivery.WEEKLY)

    def made(now):
        return sorted((d.recipient.username, str(d.period_start)) for d in digests.record_digests(now=now))

    assert made(at(7, 6, 55)) == [("ann", "2026-12-06"), ("bob", "2026-11-30")]
    assert made(at(7, 7, 5)) == [("ann", "2026-12-07"), ("bob", "2026-12-07")]
    assert made(at(7, 9)) == []  # the same periods
    assert made(at(8, 7, 5)) == [("ann", "2026-12-08")]
    assert made(at(13, 23)) == [("ann", "2026-12-13")]  # missed hours are caught up
    assert made(at(14, 7, 5)) == [("ann", "2026-12-14"), ("bob", "2026-12-14")]


def test_the_first_digest_comes_at_the_next_digest_time_after_choosing(people, digest_hour):
    bob = people["bob"]
    services.set_delivery(user=bob, delivery=Delivery.DAILY)
    NotificationPreference.objects.filter(user=bob).update(chosen_at=at(7, 15))
    assert digests.record_digests(now=at(7, 16)) == []
    assert [d.period_start for d in digests.record_digests(now=at(8, 7, 5))] == [at(8, 7).date()]


def test_the_digest_keeps_its_hour_across_daylight_saving_time(settings, digest_hour):
    settings.DIGEST_WEEKDAY = "friday"
    # Monday 2 November 2026: New York left summer time on the Sunday; the period began on Friday.
    day, start = digests.period_began(Digest.Period.WEEKLY, at(2, 9).replace(month=11))
    assert str(day) == "2026-10-30"
    assert timezone.localtime(start).hour == 7 and start.astimezone(datetime.UTC).hour == 11


def test_the_beat_runs_the_digests_every_hour(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["send-email-digests"]
    assert entry["task"] == "review.tasks.send_digests"
    assert entry["schedule"].hour == set(range(24))


@pytest.mark.parametrize(
    ("variable", "value", "said"),
    [
        ("DIGEST_HOUR", "25", "DIGEST_HOUR must be an hour from 0 to 23"),
        ("DIGEST_WEEKDAY", "lundi", "DIGEST_WEEKDAY must be a day of the week in English"),
    ],
)
def test_a_wrong_digest_setting_fails_at_start_up_and_names_itself(variable, value, said):
    result = manage("check", **PRODUCTION_ENV, **{variable: value})
    assert result.returncode != 0 and said in result.stderr


# --- the preference page --------------------------------------------------------------------------

PAGE = "review:email_settings"


def checked(page):
    """The value of the radio button checked on the page."""
    return re.search(r'<input type="radio"[^>]*value="(\w+)"[^>]*\bchecked\b', page).group(1)


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(reverse(PAGE))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.post(reverse(PAGE), {"delivery": "daily"}).status_code == 302
    assert not NotificationPreference.objects.exists()


def test_the_page_shows_the_current_choice_and_is_in_the_user_menu(client, people):
    client.force_login(people["bob"])
    page = client.get(reverse(PAGE)).content.decode()
    assert "<legend" in page and "Send my emails" in page
    assert checked(page) == "immediate"
    home = client.get(reverse("home")).content.decode()
    assert f'href="{reverse(PAGE)}">Email settings</a>' in home


def test_a_person_changes_their_own_preference_only(client, people):
    ann, bob = people["ann"], people["bob"]
    choose(bob, Delivery.WEEKLY)
    client.force_login(ann)
    response = client.post(reverse(PAGE), {"delivery": "daily", "user": bob.pk}, follow=True)
    assert "Saved: you will get a daily digest, from the next digest time." in response.content.decode()
    assert NotificationPreference.objects.get(user=ann).delivery == Delivery.DAILY
    assert NotificationPreference.objects.get(user=bob).delivery == Delivery.WEEKLY
    assert checked(client.get(reverse(PAGE)).content.decode()) == "daily"


@pytest.mark.parametrize("data", [{"delivery": "hourly"}, {}])
def test_an_invalid_choice_is_shown_beside_the_field_and_saves_nothing(client, people, data):
    client.force_login(people["ann"])
    response = client.post(reverse(PAGE), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert 'aria-describedby="id_delivery_error"' in page and 'id="id_delivery_error"' in page
    assert "Choose" in page.split('id="id_delivery_error"')[1].split("</div>")[0]
    assert "Nothing was saved" in page
    assert not NotificationPreference.objects.exists()


def test_staff_see_and_change_preferences_and_digests_in_the_admin(
    client, bob, django_capture_on_commit_callbacks
):
    admin = get_user_model().objects.create_superuser("root", "root@example.edu", "pw")
    client.force_login(admin)
    preference = NotificationPreference.objects.get(user=bob)
    url = reverse("admin:review_notificationpreference_change", args=[preference.pk])
    assert (
        "A daily digest"
        in client.get(reverse("admin:review_notificationpreference_changelist")).content.decode()
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"delivery": "immediate"}).status_code == 302
    assert NotificationPreference.objects.get(user=bob).delivery == Delivery.IMMEDIATE
    assert Notification.objects.get(recipient=bob).sent_at is not None  # released when changed
    assert client.get(reverse("admin:review_digest_changelist")).status_code == 200

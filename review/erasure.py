"""What review does when a person is erased at their request (``core.privacy.erase_person``): the
record of who could vote keeps its rows (it is the institution's record of each vote's electorate)
but not the person's name; the emails and digests addressed to them are deleted. Their votes, notes,
decisions and audit events stay, pointing at the now anonymous account."""

from .models import Digest, MembershipChange, Notification

ERASED = "(erased)"


def erase_reviewer(user, by):
    # An update of the copied name only: the append-only rows are otherwise left as written.
    MembershipChange.objects.filter(person=user).update(person_name=ERASED)
    Notification.objects.filter(recipient=user).delete()
    Digest.objects.filter(recipient=user).delete()

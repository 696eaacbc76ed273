"""How a person is named on the pages: by their name, never by their login name (a username means
nothing to a colleague, a registrar or an employer, and tells anyone how to attempt a login).

``full_name`` is the given and family names as the institution (or the person) recorded them: the
registrar's queue and staff pages use it. A learner may choose another name for their credentials
(``badges.people``)."""

NO_NAME = "(no name on file)"


def full_name(user):
    """The person's given and family names, or a placeholder that says none is on file."""
    if user is None:
        return ""
    return user.get_full_name().strip() or NO_NAME


def name_in_records(user):
    """The name written into a record kept for staff (an audit comment, a membership log): the full
    name, else the login name, so that the record still says who, whatever is on file."""
    return user.get_full_name().strip() or user.username

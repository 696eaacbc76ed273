"""Institution-wide roles, held through Django groups. Per-object roles (unit reviewer, committee
member or chair, office staff) come from memberships; see ``review.roles``."""

FACULTY = "Faculty"
LEARNER = "Learner"
REGISTRAR = "Registrar"

GROUPS = (FACULTY, LEARNER, REGISTRAR)


def in_group(user, name):
    if not user.is_authenticated:
        return False
    # Cache the user's group names on the instance: a page asks several times.
    names = getattr(user, "_group_names", None)
    if names is None:
        names = set(user.groups.values_list("name", flat=True))
        user._group_names = names
    return name in names

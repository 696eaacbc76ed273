"""The ground floor: general pieces every app may use and that import no app.

Queueing after commit (``queue``), submit-once (``once``), paging, the request safety middleware,
the append-only base model, private file responses (``files``), spreadsheet helpers, identifier and
field types, the groups and role vocabulary (``roles``) and the one hook registry (``hooks``) through
which apps offer each other what they show and do without importing upward.
"""

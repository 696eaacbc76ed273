"""File responses for stored uploads."""

from django.http import FileResponse, Http404


def private_file(stored, name, content_type):
    """A stored upload as a download that no cache keeps (the caller has checked who may have it)."""
    try:
        handle = stored.open("rb")
    except FileNotFoundError as missing:
        raise Http404("The file is missing from storage") from missing
    response = FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response

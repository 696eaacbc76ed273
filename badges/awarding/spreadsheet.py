"""The class spreadsheet of bulk awarding: its columns as people head them, the template offered for
download, and reading an uploaded CSV into rows (``parse``). What each row means is ``bulk``'s."""

import csv
import io

from django.conf import settings
from django.core.exceptions import ValidationError

# Header names as people type them, to the column each means.
COLUMNS = {
    "email": "email",
    "given name": "given_name",
    "first name": "given_name",
    "family name": "family_name",
    "last name": "family_name",
    "surname": "family_name",
    "student id": "student_id",
    "evidence url": "evidence_url",
    "evidence link": "evidence_url",
    "narrative": "narrative",
    "assessed elsewhere": "assessed_elsewhere",
    "reflection": "reflection",
    "culminating reflection": "reflection",
}
REQUIRED = ("email", "given_name", "family_name")
TEXT_COLUMNS = (
    "email",
    "given_name",
    "family_name",
    "student_id",
    "evidence_url",
    "narrative",
    "assessed_elsewhere",
    "reflection",
)
# Each row's evidence: at least one of these (the assessed-elsewhere column is the evaluator's
# statement that the evidence was assessed elsewhere, and where).
EVIDENCE_COLUMNS = ("evidence_url", "narrative", "assessed_elsewhere")
TEMPLATE_HEADER = [
    "email",
    "given name",
    "family name",
    "student ID",
    "evidence URL",
    "narrative",
    "assessed elsewhere",
    "reflection",
]
LIMITS = {
    "given_name": 150,
    "family_name": 150,
    "student_id": 30,
    "evidence_url": 500,
    "narrative": 5000,
    "assessed_elsewhere": 2000,
    "reflection": 5000,
}


def template_csv():
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TEMPLATE_HEADER)
    writer.writerow(
        [
            "ada.lovelace@example.edu",
            "Ada",
            "Lovelace",
            "B00012345",
            "https://portfolio.example.edu/ada",
            "Capstone project, graded A",
            "",
            "How the capstone changed the way I plan projects.",
        ]
    )
    writer.writerow(
        [
            "grace.hopper@example.edu",
            "Grace",
            "Hopper",
            "B00012346",
            "",
            "",
            "Assessed in CS 480 (spring term): final project graded A by the course instructor.",
            "What I would teach a new colleague about compilers.",
        ]
    )
    return out.getvalue()


# --- reading --------------------------------------------------------------------------------------


def read_upload(uploaded):
    """The uploaded file's bytes, refused when over the size limit or empty."""
    limit = settings.BULK_AWARD_MAX_BYTES
    data = uploaded.read(limit + 1)
    if len(data) > limit:
        raise ValidationError(
            {
                "file": f"The file is larger than {limit // (1024 * 1024)} MB: split the class into several files."
            }
        )
    if not data.strip():
        raise ValidationError({"file": "The file is empty."})
    return data


def _decode(data):
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            {
                "file": "The file is not UTF-8 text. In your spreadsheet choose Save As → “CSV UTF-8 (comma delimited)”."
            }
        ) from None


def _header(first_row):
    columns = []
    for position, cell in enumerate(first_row, start=1):
        name = " ".join(cell.strip().lower().replace("_", " ").replace("-", " ").split())
        column = COLUMNS.get(name)
        if column is None and name:
            raise ValidationError(
                {
                    "file": f"Column {position} is headed “{cell.strip()[:40]}”, which is not one of: "
                    + ", ".join(TEMPLATE_HEADER)
                    + ". Start from the template."
                }
            )
        if column in columns:
            raise ValidationError({"file": f"The column “{cell.strip()}” appears twice in the header."})
        columns.append(column)
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        names = {"email": "email", "given_name": "given name", "family_name": "family name"}
        raise ValidationError(
            {
                "file": "The first row must be the header, with at least: "
                + ", ".join(names[c] for c in missing)
                + ". Start from the template."
            }
        )
    return columns


def parse(data):
    """The rows of a CSV file (bytes) as dicts by column, with their line numbers; raises a
    ValidationError on the file's ``file`` field for a file that cannot be read at all."""
    text = _decode(data)
    if "\0" in text:
        raise ValidationError({"file": "This is not a CSV file: save the spreadsheet as CSV UTF-8."})
    try:
        reader = csv.reader(io.StringIO(text, newline=""))
        lines = list(reader)
    except csv.Error as error:
        raise ValidationError({"file": f"The file is not valid CSV: {error}."}) from None
    if not lines:
        raise ValidationError({"file": "The file is empty."})
    columns = _header(lines[0])
    rows = []
    for number, cells in enumerate(lines[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(rows) >= settings.BULK_AWARD_MAX_ROWS:
            raise ValidationError(
                {
                    "file": f"The file has more than {settings.BULK_AWARD_MAX_ROWS:,} learners: "
                    "split it into several files."
                }
            )
        row = {"line": number}
        for column, cell in zip(columns, cells, strict=False):
            if column:
                row[column] = cell
        if len(cells) > len(columns) and any(c.strip() for c in cells[len(columns) :]):
            row["extra"] = True
        rows.append(row)
    if not rows:
        raise ValidationError({"file": "The file has a header but no learners."})
    return rows

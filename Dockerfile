FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app

COPY pyproject.toml README.md ./
RUN pip install --upgrade pip && pip install .
COPY . .
# collectstatic needs settings to load; the real secret comes from the environment at run time.
RUN DEBUG=0 SECRET_KEY=collectstatic-only python manage.py collectstatic --no-input

# A user of its own, owning only what it writes: uploaded files and the issuer's keys (both volumes).
RUN useradd --create-home --uid 1000 microcred \
    && mkdir -p /app/private-media /app/private-keys \
    && chown microcred /app/private-media /app/private-keys && chmod 700 /app/private-keys
USER microcred
EXPOSE 8000
CMD ["gunicorn", "microcred.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]

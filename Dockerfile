# Production image for the portal, the statistics office's web process and the workers.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 BIF_VAR_DIR=/var/lib/bif
WORKDIR /app
# pg_dump / pg_restore for `manage.py backup` and `restore` (Debian bookworm: version 15,
# the server's major version in docker-compose.yml).
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml README.md ./
COPY bif ./bif
COPY departments ./departments
COPY statistics_office ./statistics_office
COPY dashboards ./dashboards
COPY rollout ./rollout
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build-only-collectstatic SEALED_DATABASE_URL=none python manage.py collectstatic --noinput \
    && useradd --system --home /app bif && mkdir -p /var/lib/bif /var/lib/bif-sealed/snapshots \
    && chown bif /var/lib/bif && chown -R bif /var/lib/bif-sealed && chmod 700 /var/lib/bif-sealed
USER bif
EXPOSE 8000
CMD ["gunicorn", "bif.wsgi:application", "--config", "deploy/gunicorn.conf.py"]

# The ledger's HTTP API, for docker compose (see docker-compose.yml and README.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

# Install the package and its dependencies (psycopg ships binary wheels: no compiler needed).
COPY pyproject.toml README.md LICENSE ./
COPY domain ./domain
COPY projections ./projections
COPY api ./api
COPY ledger ./ledger
COPY seed ./seed
COPY cli ./cli
RUN pip install . \
    && useradd --create-home --uid 10001 ledger

USER ledger
EXPOSE 8000

CMD ["ledger", "serve", "--host", "0.0.0.0", "--port", "8000"]

# The ledger's HTTP API, for docker compose (see docker-compose.yml and README.md).
# The build context is the checkout minus .dockerignore; CI installs the package the
# same way (.ci/packaged-install), so a file missing from either fails CI first.

# Build a wheel from the source tree: every package and its data files, as pyproject.toml
# finds them (no list of folders here to keep up to date).
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY . .
RUN pip wheel --no-deps --wheel-dir /wheels .

# Install it (not editable, no source tree in the image) with its dependencies
# (psycopg ships binary wheels: no compiler needed).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

COPY --from=build /wheels /wheels
RUN pip install /wheels/*.whl \
    && rm -rf /wheels \
    && useradd --create-home --uid 10001 ledger

WORKDIR /app
USER ledger
EXPOSE 8000

CMD ["ledger", "serve", "--host", "0.0.0.0", "--port", "8000"]

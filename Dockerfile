# One slim image for every role: `tally serve` by default; `tally worker`, `tally scheduler`,
# `tally migrate`, … by argument. Scaled deployments set DATABASE_URL and REDIS_URL.
FROM python:3.11-slim AS build
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy
RUN pip install --no-cache-dir "uv>=0.13,<0.14"
WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --no-install-project
COPY app ./app
COPY graphql_schema ./graphql_schema
COPY console ./console
COPY workers ./workers
RUN uv sync --frozen --no-dev

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 tally
COPY --from=build --chown=tally:tally /app /app
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    TALLY_HOST=0.0.0.0 \
    TALLY_DATA_DIR=/home/tally/data \
    TALLY_ENVIRONMENT=production
USER tally
WORKDIR /app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/health'); sys.exit(0)"
ENTRYPOINT ["tally"]
CMD ["serve"]

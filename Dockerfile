# cowork production image: one process per container by default; see docker-compose.yml for
# PostgreSQL + Redis + several workers.
FROM node:20-bookworm-slim AS frontend
WORKDIR /build
COPY package.json package-lock.json static/icons.txt ./
RUN npm ci --omit=dev --no-audit --no-fund \
    && mkdir icons && for icon in $(cat icons.txt); do cp "node_modules/lucide-static/icons/$icon.svg" icons/; done

FROM python:3.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    COWORK_DATA_DIR=/data
# Pango (and its FreeType backend) for the PDF export; DejaVu fonts so reports in any language have glyphs.
RUN apt-get update && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --system --uid 10001 --create-home --home-dir /home/cowork cowork \
    && mkdir /data && chown cowork:cowork /data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY src ./src
COPY templates ./templates
COPY static ./static
COPY --from=frontend /build/node_modules/htmx.org/dist/htmx.min.js \
     /build/node_modules/socket.io-client/dist/socket.io.min.js ./static/vendor/
COPY --from=frontend /build/icons ./static/vendor/icons/
RUN pip install --no-cache-dir ".[postgres,redis]" && cowork i18n compile
USER cowork
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"
CMD ["cowork", "serve", "--host", "0.0.0.0", "--port", "8000"]

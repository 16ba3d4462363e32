# The API server image: Debian 12 (bookworm), as in development. docker-compose.yml runs two of
# these behind nginx. The server applies pending migrations when it starts (under an advisory
# lock, so several instances can start together).

FROM debian:bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
        build-essential cmake pkg-config \
        libcivetweb-dev libcjson-dev libjwt-dev libpq-dev libcrypt-dev libxlsxwriter-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo \
 && cmake --build build -j "$(nproc)" --target cdt-server

FROM debian:bookworm-slim
# The runtime halves of the -dev packages above (libxlsxwriter4: the .xlsx exports, which write
# their temporary files in TMPDIR); WeasyPrint and Liberation Serif (Times New Roman's metrics)
# render the periodic report as PDF (api/reports.c, PDF_RENDERER).
RUN apt-get update \
 && apt-get install -y --no-install-recommends libcivetweb1 libcjson1 libjwt0 libpq5 libcrypt1 libxlsxwriter4 \
        weasyprint fonts-liberation2 \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --home-dir /app --no-create-home --shell /usr/sbin/nologin cdt
WORKDIR /app
COPY --from=build /src/build/cdt-server /usr/local/bin/cdt-server
COPY sql/ sql/
COPY web/ web/
COPY docs/ docs/
USER cdt
# DATABASE_URL and JWT_SECRET have no defaults: the server refuses to start without them.
ENV LISTEN=8080 \
    WEB_ROOT=/app/web \
    MIGRATIONS_DIR=/app/sql/migrations \
    OPENAPI_PATH=/app/docs/openapi.yaml \
    TMPDIR=/tmp
EXPOSE 8080
CMD ["cdt-server"]

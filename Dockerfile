# syntax=docker/dockerfile:1
# Resound: one image with every binary of the bundle (docs/deploy.md).
#   resound          all-in-one (WebSocket + HTTP API, in-memory or Redis scaling) - the default command
#   resound-edge     WebSocket edge, N replicas behind a proxy (Redis)
#   resound-api      Pusher HTTP API (Redis)
#   resound-auth     JWT auth verifier for pusher-js / Echo (docs/auth-verifier.md)
#   resound-monitor  health and Prometheus metrics of the bundle (Redis)
# Build and runtime stages use the same Debian release, so the runtime library versions match.

FROM debian:12 AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      libpoco-dev libyaml-cpp-dev libspdlog-dev libssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY CMakeLists.txt ./
COPY shared/ shared/
COPY services/ services/
COPY scripts/docker-build.sh scripts/
# The same script scripts/dockerfile-build-check.sh runs on a host (CTest packaging.dockerfile-build).
RUN bash scripts/docker-build.sh /src /build /out

FROM debian:12-slim AS runtime
# Runtime libraries only; their dependencies (libexpat1, libpcre3, zlib1g, ...) come along.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpocofoundation80 libpoconet80 libpoconetssl80 libpococrypto80 libpocoutil80 libpocoxml80 \
      libpocojson80 libpocoredis80 \
      libyaml-cpp0.7 libspdlog1.10 libfmt9 libssl3 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 resound \
 && useradd --system --uid 10001 --gid resound --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin resound
COPY --from=build /out/bin/ /usr/local/bin/
COPY config/resound.yaml /etc/resound/resound.yaml

# Every binary reads this file (env variables override it; mount your own to change more).
ENV RESOUND_CONFIG=/etc/resound/resound.yaml \
    RESOUND_LOG_FORMAT=json
USER 10001:10001
# 8080: resound / resound-edge / resound-api, 8081: resound-auth, 9601: resound-monitor.
EXPOSE 8080 8081 9601
# The binaries handle SIGTERM themselves (drain, exit 0) and never fork, so they run as PID 1 without
# tini: exec-form CMD, no shell in between to swallow the signal.
STOPSIGNAL SIGTERM
# For the default command. Compose files set the healthcheck of each other service.
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["resound", "healthcheck"]
CMD ["resound"]

# syntax=docker/dockerfile:1
# Resound: one image with every binary of the bundle (docs/deploy.md).
#   resound          all-in-one (WebSocket + HTTP API, in-memory or Redis scaling) - the default command
#   resound-edge     WebSocket edge, N replicas behind a proxy (Redis)
#   resound-api      Pusher HTTP API (Redis)
#   resound-auth     JWT auth verifier for pusher-js / Echo (docs/auth-verifier.md)
#   resound-monitor  health and Prometheus metrics of the bundle (Redis)

# Both stages are pinned to the same Debian point release (bump them together), so the runtime stage's
# library versions are exactly the ones the build linked against.
FROM debian:12.11 AS build
# BuildKit cache mounts keep apt's downloads and lists between builds; Debian's docker-clean hook would
# delete the downloaded packages after every install, so it goes.
RUN rm -f /etc/apt/apt.conf.d/docker-clean \
 && echo 'Binary::apt::APT::Keep-Downloaded-Packages "true";' > /etc/apt/apt.conf.d/keep-cache
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt/lists,sharing=locked \
    apt-get update \
 && apt-get install -y --no-install-recommends \
      build-essential ccache cmake ninja-build pkg-config \
      libpoco-dev libyaml-cpp-dev libspdlog-dev libssl-dev
WORKDIR /src
COPY CMakeLists.txt ./
COPY shared/ shared/
COPY services/ services/
COPY scripts/docker-build.sh scripts/
# ccache in a cache mount: after a source change only the changed translation units compile again.
# (ccache rather than a cached build tree: it keys on file contents, so it cannot be fooled by the
# timestamps COPY gives the sources, and a stale tree can never leak into the image.) CMake reads the
# launcher from these variables.
ENV CCACHE_DIR=/root/.cache/ccache \
    CMAKE_C_COMPILER_LAUNCHER=ccache \
    CMAKE_CXX_COMPILER_LAUNCHER=ccache
# The same script scripts/dockerfile-build-check.sh runs on a host (CTest packaging.dockerfile-build).
RUN --mount=type=cache,target=/root/.cache/ccache \
    bash scripts/docker-build.sh /src /build /out

FROM debian:12.11-slim AS runtime
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
# `<binary> healthcheck` without --url probes the service of the Resound binary running as PID 1 (its
# port, /ready; /health for resound-monitor), so this line is right for every role of the image.
# Compose files still set an explicit healthcheck per service (interval and retries sized for the proxy).
HEALTHCHECK --interval=10s --timeout=5s --start-period=10s --retries=3 \
  CMD ["resound", "healthcheck"]
CMD ["resound"]

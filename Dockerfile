# syntax=docker/dockerfile:1
# fifowin in a container: a multi-stage build of the `fifowin` binary onto a small,
# non-root runtime image (distroless: glibc and CA certificates, no shell).
#
#   docker build -t fifowin .
#   docker run --rm -p 9324:9324 fifowin                       # fifowin serve on :9324
#   docker run --rm -p 9324:9324 -v "$PWD/fifowin.example.toml:/etc/fifowin/fifowin.toml:ro" \
#       fifowin serve --config /etc/fifowin/fifowin.toml       # with start-up queues
#
# The entrypoint is the binary, so every subcommand works: `docker run --rm fifowin
# analyze ...`, `fifowin health` (the healthcheck below), `fifowin --help`.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# The whole workspace: cargo resolves every member's manifest, even when building one.
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p fifowin \
    && cp target/release/fifowin /usr/local/bin/fifowin

FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /usr/local/bin/fifowin /usr/local/bin/fifowin
COPY fifowin.example.toml /etc/fifowin/fifowin.example.toml
# Inside a container the server must listen beyond loopback; the port stays 9324.
# (These are the variables `fifowin serve` reads; `fifowin health` reads FIFOWIN_PORT.)
ENV FIFOWIN_HOST=0.0.0.0 \
    FIFOWIN_PORT=9324
EXPOSE 9324
USER nonroot:nonroot
HEALTHCHECK --interval=5s --timeout=3s --start-period=5s --retries=5 \
    CMD ["/usr/local/bin/fifowin", "health"]
ENTRYPOINT ["/usr/local/bin/fifowin"]
CMD ["serve"]

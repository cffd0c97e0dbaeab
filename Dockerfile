# mcpc in a container: only the compiled binary on a distroless base (glibc, no shell, no Node,
# no Deno), run as the non-root user, with its home (sessions, logs, secrets) in /data.
#
#   docker build -t mcpc .
#   docker run --rm -v mcpc-home:/data mcpc connect https://mcp.example.com/mcp @ci \
#     -H "Authorization: Bearer $TOKEN"
#   docker run --rm -v mcpc-home:/data mcpc @ci tools-call search query:=hello --json
#
# Each `docker run` is one command; the session's bridge is started again (resuming its MCP
# session) by the next command on the same volume.

# Build: the pinned Deno compiles the bundle into one executable.
FROM denoland/deno:debian-2.9.6 AS build
WORKDIR /src
COPY . .
RUN deno task compile --output /out/mcpc \
 && /out/mcpc --version \
 && mkdir -p /out/data \
 && chmod 700 /out/data

# Run: the binary alone.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /out/mcpc /usr/local/bin/mcpc
# mcpc insists on a private home: owned by the user, mode 0700 (a new named volume copies it).
COPY --from=build --chown=65532:65532 /out/data /data
ENV MCPC_HOME_DIR=/data \
    MCPC_SECRET_STORE=file
VOLUME ["/data"]
USER nonroot
ENTRYPOINT ["/usr/local/bin/mcpc"]
CMD ["--help"]

# Dockyard itself as a container image: the Fastify server with the site prebuilt, talking to the
# host's Docker engine through its socket (compose.yaml; docs/deploy.md explains that trade-off).
# Built locally FROM the Debian base image `npm run images` makes; no registry is needed, and the
# build itself needs no network: build it with `npm run image:server`, which first installs the
# dependencies on the host (npm install, with the host's npm settings and certificates) and stages
# a Node 24 binary in .cache/server-image — the npm registry's `node@24` package, as
# scripts/use-node.sh bootstraps it (Debian 12's own nodejs is 18, older than the 22.18 this project
# needs to run .ts files).
ARG BASE_IMAGE=dockyard/debian:bookworm

# --- the site, built with the checkout's dependencies; then only what the server needs -----------
FROM ${BASE_IMAGE} AS build
COPY .cache/server-image/node /usr/local/bin/node
WORKDIR /src
# The build talks to nothing outside this machine.
ENV ASTRO_TELEMETRY_DISABLED=1
COPY . .
RUN node_modules/.bin/astro build \
 && node scripts/lib/prune-dev-dependencies.ts /src

# --- runtime --------------------------------------------------------------------------------------
FROM ${BASE_IMAGE}
COPY --from=build /usr/local/bin/node /usr/local/bin/node
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/sandbox-server/src ./sandbox-server/src
COPY --from=build /src/dist ./dist
# The server reaches the engine through /var/run/docker.sock; access comes from the socket's group,
# added at run time (compose.yaml: group_add), not from running as root.
# /var/lib/dockyard: the server's small state (its instance id), on a volume (compose.yaml).
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin dockyard \
 && install -d -o 10001 -g 10001 /var/lib/dockyard
USER 10001
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4321 \
    SITE_DIR=/app/dist
EXPOSE 4321
STOPSIGNAL SIGTERM
CMD ["node", "--max-semi-space-size=8", "sandbox-server/src/server.ts"]

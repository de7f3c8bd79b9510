# Dockyard itself as a container image: the Fastify server with the site prebuilt, talking to the
# host's Docker engine through its socket (compose.yaml; docs/deploy.md explains that trade-off).
# Built locally from the Debian base image `npm run images` makes (no registry is needed):
#
#   docker build -t dockyard/server:latest .
#
# Node 24 comes from the npm registry's `node@24` package, as scripts/use-node.sh bootstraps it:
# Debian 12's own nodejs is 18, older than the 22.18 this project needs to run .ts files.
ARG BASE_IMAGE=dockyard/debian:bookworm

# --- Node 24 --------------------------------------------------------------------------------------
FROM ${BASE_IMAGE} AS node
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nodejs npm ca-certificates \
 && rm -rf /var/lib/apt/lists/*
RUN npm install --no-audit --no-fund --prefix /opt/node24 node@24 \
 && /opt/node24/node_modules/node/bin/node --version
ENV PATH=/opt/node24/node_modules/node/bin:$PATH

# --- dependencies and the built site --------------------------------------------------------------
FROM node AS build
WORKDIR /src
COPY package.json package-lock.json ./
# `npm install`, not `npm ci`: see scripts/lib/prepare.ts (an optional Windows-only dependency).
RUN npm install --no-audit --no-fund
COPY . .
RUN npx astro build \
 && npm prune --omit=dev --no-audit --no-fund

# --- runtime --------------------------------------------------------------------------------------
FROM ${BASE_IMAGE}
COPY --from=node /opt/node24/node_modules/node/bin/node /usr/local/bin/node
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/sandbox-server/src ./sandbox-server/src
COPY --from=build /src/dist ./dist
# The server talks to the engine through /var/run/docker.sock; access to it comes from the socket's
# group, added at run time (compose.yaml: group_add), not from running as root.
RUN useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin dockyard
USER 10001
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=4321 \
    SITE_DIR=/app/dist
EXPOSE 4321
STOPSIGNAL SIGTERM
CMD ["node", "sandbox-server/src/server.ts"]

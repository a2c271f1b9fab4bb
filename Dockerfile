# syntax=docker/dockerfile:1
# vigil: docker build -t vigil:local .    docker run --rm vigil:local --help
# Config and rules are baked in (/etc/vigil/config.yaml, /etc/vigil/queries) and can be replaced
# by mounts; every setting also comes from the environment (see config.yaml and .env.example).

# Build stage: compile TypeScript with the dev dependencies, bundle the start-up path and write
# its V8 code cache (scripts/bundle.js; same Node image and flags as the runtime stage, so the
# cache is used), then drop the dev dependencies.
FROM node:20.19-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts/bundle.js scripts/vigil-node-args.js ./scripts/
# the bundle's code cache is made by validating the shipped config and rules
COPY config.yaml ./
COPY queries ./queries
RUN npm run build && npm prune --omit=dev --ignore-scripts && npm cache clean --force

# Runtime stage: slim Node 20, non-root, only what runs.
FROM node:20.19-bookworm-slim
# fonts for the report's PNG charts (resvg draws text with system fonts)
RUN apt-get update \
  && apt-get install -y --no-install-recommends fonts-dejavu-core \
  && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    VIGIL_CONFIG=/etc/vigil/config.yaml \
    VIGIL_LOG_DIR=/var/log/vigil
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config.yaml /etc/vigil/config.yaml
COPY queries /etc/vigil/queries
RUN mkdir -p /var/log/vigil && chown node:node /var/log/vigil
# the image's unprivileged user (uid 1000)
USER node
VOLUME ["/var/log/vigil"]
EXPOSE 9464
# liveness (/livez), not /healthz: Swarm and autoheal restart an unhealthy container, and a restart
# does not end an Elasticsearch outage; /healthz stays available for readiness and dashboards
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:9464/livez').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# the node flags of dist/cli/main.js's first line (a smaller young generation: less memory)
ENTRYPOINT ["node", "--max-semi-space-size=2", "/app/dist/cli/main.js"]
# /metrics, /healthz and /livez on all interfaces of the container, so probes and Prometheus reach them
CMD ["monitor", "--metrics-port", "9464", "--metrics-host", "0.0.0.0"]

# syntax=docker/dockerfile:1
# Attesta node image: `docker build -t attesta .`, then
#   docker run -p 7545:7545 -v attesta-data:/data attesta
# runs a single-validator dev chain with its data in the volume. Override the command for other
# modes, e.g. `docker run ... attesta start --data-dir /data --api-host 0.0.0.0`.

# ---- build: compile TypeScript to dist/ ----
FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# ---- runtime: production dependencies and dist/ only ----
FROM node:22-slim AS runtime
ENV NODE_ENV=production \
    ATTESTA_DATA_DIR=/data \
    NODE_OPTIONS="--max-old-space-size=144 --max-semi-space-size=16" \
    MALLOC_ARENA_MAX=2
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
# The data directory belongs to the unprivileged `node` user of the base image; the code stays root-owned, read-only to it.
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
# 7545: HTTP API, events, metrics, dashboard. 7546: peer-to-peer (libp2p TCP).
EXPOSE 7545 7546
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:7545/v1/status',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
ENTRYPOINT ["node", "dist/src/cli/main.js"]
CMD ["start", "--dev", "--data-dir", "/data", "--api-host", "0.0.0.0"]

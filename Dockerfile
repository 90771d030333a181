# syntax=docker/dockerfile:1
#
# One recipe, one image per service (pick it with --target):
#   docker build --target ingest      -t imsync-ingest .
#   docker build --target sync-worker -t imsync-sync-worker .
# The final images hold only production dependencies and the compiled JavaScript, run as the unprivileged
# `node` user, and run node itself as the process that receives SIGTERM (each service handles it; compose
# adds an init with `init: true` to reap zombies).

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- manifests: every workspace's package.json and nothing else, so `npm ci` layers survive code changes
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY packages packages
RUN find packages -mindepth 2 -maxdepth 2 ! -name package.json -exec rm -rf {} +

# ---- build: all dependencies, then the TypeScript project references of both services
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY --from=manifests /app/packages packages
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY packages packages
RUN npx tsc -b packages/ingest packages/sync-worker

# ---- production dependencies of one service (its workspace and the workspaces it uses)
FROM ${NODE_IMAGE} AS ingest-deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY --from=manifests /app/packages packages
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund --workspace @imsync/ingest

FROM ${NODE_IMAGE} AS sync-worker-deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY --from=manifests /app/packages packages
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund --workspace @imsync/sync-worker

# ---- runtime base
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
STOPSIGNAL SIGTERM

# ---- ingest: public port 3000, admin port 3001 (/healthz, /readyz, /metrics, /admin/queues)
FROM runtime AS ingest
COPY --from=ingest-deps /app ./
COPY --from=build /app/packages/callbacks/dist packages/callbacks/dist
COPY --from=build /app/packages/service-kit/dist packages/service-kit/dist
COPY --from=build /app/packages/ingest/dist packages/ingest/dist
ENV INGEST_HOST=0.0.0.0 INGEST_PORT=3000 ADMIN_PORT=3001
EXPOSE 3000 3001
USER node
CMD ["node", "--heap-growing-percent=50", "packages/ingest/dist/main.js"]

# ---- sync-worker: admin port 3002 (/healthz, /readyz, /metrics); runs its migrations at start; also the
#      image of the backfill command
FROM runtime AS sync-worker
COPY --from=sync-worker-deps /app ./
COPY --from=build /app/packages/callbacks/dist packages/callbacks/dist
COPY --from=build /app/packages/service-kit/dist packages/service-kit/dist
COPY --from=build /app/packages/tencent-api/dist packages/tencent-api/dist
COPY --from=build /app/packages/sync-worker/dist packages/sync-worker/dist
COPY --from=build /app/packages/sync-worker/migrations packages/sync-worker/migrations
ENV WORKER_ADMIN_PORT=3002
EXPOSE 3002
# `docker compose run --rm sync-worker backfill --app <SDKAppID>` runs the backfill command in this image
RUN printf '#!/bin/sh\nexec node /app/packages/sync-worker/dist/backfill/main.js "$@"\n' > /usr/local/bin/backfill \
  && chmod 755 /usr/local/bin/backfill
USER node
CMD ["node", "packages/sync-worker/dist/main.js"]

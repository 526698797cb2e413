# syntax=docker/dockerfile:1

# ---- build: install all dependencies, compile, then drop the dev ones -------------------------
FROM node:20-bookworm-slim AS build
# Toolchain for native modules (sqlite3, argon2) when no prebuilt binary fits.
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app

COPY package.json package-lock.json ./
# `prepare` (nest build) needs the sources, which are not copied yet: skip scripts here, then
# run only the dependencies' install scripts (native builds) with `npm rebuild`.
RUN npm ci --ignore-scripts && npm rebuild

COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev --ignore-scripts

# ---- runtime: compiled output and production dependencies only --------------------------------
FROM node:20-bookworm-slim AS runtime
# jemalloc, which scripts/start.sh preloads: glibc's allocator keeps what libvips frees after bursts.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libjemalloc2 \
 && rm -rf /var/lib/apt/lists/*
ENV NODE_ENV=production \
    PORT=3000 \
    UPLOAD_DIR=/app/uploads
WORKDIR /app

COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/package.json ./package.json
COPY --chown=node:node scripts/start.sh ./scripts/start.sh
# Writable places for the local storage driver and a SQLite database, owned by the runtime user.
RUN mkdir -p /app/uploads /app/data && chown node:node /app/uploads /app/data

USER node
EXPOSE 3000
# Liveness: orchestrators that act on this status restart the container when it fails, and a
# restart cannot fix a database or storage outage (it would only add a cold start), so this asks
# only whether the process serves. Readiness (/health/ready) is for balancers and compose.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "require('http').get({host:'127.0.0.1',port:process.env.PORT||3000,path:'/health/live',timeout:4000},r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1)).on('timeout',()=>process.exit(1))"]
# `exec`s node: the app is the container's main process and gets its signals directly.
CMD ["sh", "scripts/start.sh"]

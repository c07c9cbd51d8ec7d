# syntax=docker/dockerfile:1
# Multi-stage: build with dev dependencies, run with production ones only.
# Node 22 LTS: Node 20 reached end of life on 2026-04-30 (package.json still allows >=20).
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied.
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY workers ./workers
RUN npm run build

FROM node:22-bookworm-slim AS prod-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production LR_DATA_DIR=/data
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# SQL migrations and protocol files are read at run time.
COPY drizzle ./drizzle
COPY config ./config
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
# Started with `node`, not `npm`, so SIGTERM reaches the process; compose adds tini (init: true).
ENTRYPOINT ["node", "bin/living-review.js"]
CMD ["worker"]

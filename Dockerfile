# syntax=docker/dockerfile:1
# One image for the three demo services; docker-compose picks the app with `command`.
#   docker build -t dual-stream:local .
#   docker run --rm -e KAFKA_BROKERS=... -p 3000:3000 dual-stream:local node dist/apps/ingester/src/main.js

FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the `node` devDependency would download a second Node binary; the image already has Node 24.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY libs ./libs
COPY apps ./apps
# tsc and tsc-alias run with the image's node (node_modules/.bin/node is the skipped devDependency's shim).
RUN node node_modules/typescript/bin/tsc -p tsconfig.build.json \
 && node node_modules/tsc-alias/dist/bin/index.js -p tsconfig.build.json \
 && node libs/client/scripts/build.mjs \
 && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:24-bookworm-slim AS runtime
# production: the services refuse dev tokens, placeholder secrets and an ingester without API keys.
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    LOG_FORMAT=json \
    CONSUMER_DB_PATH=/data/consumer-projection.sqlite
WORKDIR /app
RUN mkdir -p /data && chown node:node /data
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/libs/client/dist/browser ./libs/client/dist/browser
COPY --from=build --chown=node:node /app/apps/gateway/public ./apps/gateway/public
COPY --chown=node:node scripts/demo/load-generator.mjs scripts/demo/token.mjs ./scripts/demo/
USER node
VOLUME ["/data"]
EXPOSE 3000 3001 3002
# Nest handles SIGTERM (graceful shutdown); node as PID 1 receives it directly with exec-form CMD.
STOPSIGNAL SIGTERM
CMD ["node", "dist/apps/ingester/src/main.js"]

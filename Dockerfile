# The azo operator image: `docker build -t azo:0.1.0 .` (not built in CI: no image registry or engine is reachable
# there; test/e2e/deploy.test.ts checks this file's inputs statically). Runs `azo operator` as a non-root user.

# Build: compile TypeScript (src/ and the generated model) to dist/.
FROM node:20-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY generated ./generated
RUN npm run build

# Production dependencies only (no install scripts: the package's own `prepare` would need TypeScript).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force

# Runtime: Node.js only (no shell, no package manager), user 65532 (nonroot).
FROM gcr.io/distroless/nodejs20-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY package.json ./
COPY bin ./bin
USER 65532:65532
# --max-semi-space-size: src/operator/internal/node-flags.ts says why (test/e2e/deploy.test.ts keeps the two equal).
ENTRYPOINT ["/nodejs/bin/node", "--max-semi-space-size=4", "bin/azo.js", "operator"]

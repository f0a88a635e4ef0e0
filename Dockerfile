# syntax=docker/dockerfile:1
#
# olympia-data as a container: the CLI is the entrypoint, the project (olympia-data.json, migrations, seed,
# backups/) is mounted at /project, and the services are reached by URL.
#
#   docker build -t olympia-data .
#   docker run --rm --network host --user "$(id -u):$(id -g)" -v "$PWD:/project" \
#     -e DATABASE_URL='mysql://root:secret@127.0.0.1:3306/olympia' -e ELASTICSEARCH_URL=http://127.0.0.1:9200 \
#     olympia-data initialize            # or: dump --name nightly, load --name nightly, list, verify NAME
#
# The image holds no MySQL, Elasticsearch or docker CLI: run the services on the host, in compose or as CI
# services, not with `--services docker|local`. `--user` keeps the backups it writes owned by you.

ARG NODE_VERSION=24

# The bundle is plain JavaScript, so it is built on the build machine's platform whatever the target.
FROM --platform=$BUILDPLATFORM node:${NODE_VERSION}-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY scripts/package.sh scripts/build-wasm.mjs ./scripts/
RUN npm run package

FROM node:${NODE_VERSION}-slim AS runtime
# The release workflow passes the version from the tag.
ARG VERSION=dev
# The repository URL, e.g. --build-arg SOURCE_URL=https://github.com/OWNER/olympia-data (CI passes it).
ARG SOURCE_URL=""
LABEL org.opencontainers.image.title="olympia-data" \
      org.opencontainers.image.description="Data lifecycle for MySQL + Elasticsearch applications: initialize, seed, dump and load backups." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.licenses="MPL-2.0" \
      org.opencontainers.image.source="${SOURCE_URL}"

# dist/cli is one ncc bundle with every dependency inlined (and dump-worker.js, the dump threads' small
# bundle): the runtime needs no node_modules at all.
COPY --from=build /src/dist/cli /app/dist/cli

# `load` of an addons-server backup extracts storage.tar with tar (gzip for .tar.gz): fail the build, not a
# user's load, if a base image ever drops them. /project belongs to the default user for runs without --user.
RUN tar --version >/dev/null && gzip --version >/dev/null \
    && mkdir -p /project && chown node:node /project

ENV NODE_ENV=production
WORKDIR /project
# The base image's unprivileged `node` user, by number so the host (Kubernetes runAsNonRoot too) can tell.
USER 1000:1000
ENTRYPOINT ["node", "/app/dist/cli/index.js"]
CMD ["--help"]

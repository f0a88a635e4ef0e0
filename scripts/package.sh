#!/usr/bin/env bash
# `npm run package`: everything the action, the CLI and the container run, built from src/.
#   src/mysql/row-encoder-wasm.ts  the row encoder's WebAssembly, assembled from row-encoder.wat
#   dist/index.js                  the action (one ncc bundle, dependencies inlined)
#   dist/cli/index.js              the CLI
#   dist/**/dump-worker.js         the dump's worker threads: a small bundle next to each of the two,
#                                  so a thread does not load the whole action or CLI
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
ncc=node_modules/.bin/ncc

node scripts/build-wasm.mjs
"$ncc" build src/action/main.ts -o dist --license licenses.txt -q
"$ncc" build src/cli/main.ts -o dist/cli -q
worker=$(mktemp -d)
trap 'rm -rf "$worker"' EXIT
"$ncc" build src/dump/dump-thread.ts -o "$worker" -q
cp "$worker/index.js" dist/dump-worker.js
cp "$worker/index.js" dist/cli/dump-worker.js

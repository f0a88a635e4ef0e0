#!/usr/bin/env bash
# The action runs the committed dist/, not src/: rebuild it and fail when the result differs from what is
# committed (changed, added or deleted files), saying how to fix it. Quiet when dist/ is up to date.
# The generated WebAssembly module source (src/mysql/row-encoder-wasm.ts) is checked the same way.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { echo "check-dist: $(pwd) is not a git work tree" >&2; exit 2; }

npm run --silent package

changes=$(git status --porcelain --untracked-files=all -- dist/ src/mysql/row-encoder-wasm.ts)
if [[ -n $changes ]]; then
  {
    echo "check-dist: dist/ is out of date with src/. Files that differ after \`npm run package\`:"
    printf '%s\n' "$changes" | sed 's/^/  /'
    echo "Fix: run \`npm run package\` and commit dist/ (and src/mysql/row-encoder-wasm.ts)."
  } >&2
  git --no-pager diff --stat -- dist/ >&2 || true
  exit 1
fi

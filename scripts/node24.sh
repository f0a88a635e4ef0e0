#!/usr/bin/env bash
# Prints the path of a Node.js 24 binary: the version the action runs on (action.yml: node24) and
# the container image ships. This machine's own node when it is 24; else the official binary as the
# npm registry's node-linux-<arch> package repackages it, unpacked into .cache/node-24 once (npm
# checks the tarball's integrity against the registry). CI runs the action's tests on it
# (.ci/run); the benchmarks take it with --node. Exits non-zero, printing nothing, when there is
# none that runs here.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
version=24.22.3
# The binary itself, not a version manager's shim that may pick another version elsewhere.
own=$(node -p process.execPath)
if [[ "$("$own" --version)" == v24.* ]]; then
  echo "$own"
  exit 0
fi
dir=.cache/node-24
bin=$dir/package/bin/node
runs() { [[ -x $1 && "$("$1" --version 2>/dev/null)" == "v$version" ]]; }
if ! runs "$bin"; then
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *)
      echo "node24.sh: no Node.js 24 package for $(uname -m)" >&2
      exit 1
      ;;
  esac
  mkdir -p .cache
  tmp=$(mktemp -d .cache/node-24.XXXXXX)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$version" >/dev/null)
  tar -xzf "$tmp/node-linux-$arch-$version.tgz" -C "$tmp"
  rm "$tmp/node-linux-$arch-$version.tgz"
  if ! runs "$tmp/package/bin/node"; then
    echo "node24.sh: the unpacked Node.js $version does not run on this machine" >&2
    exit 1
  fi
  # Put in place whole, by rename. A run beside this one may get there first: then its copy serves.
  aside=$dir.old.$$
  if [[ -e $dir ]]; then mv -T "$dir" "$aside" 2>/dev/null || true; fi
  mv -T "$tmp" "$dir" 2>/dev/null || runs "$bin" || {
    echo "node24.sh: could not put Node.js $version in $dir" >&2
    exit 1
  }
  rm -rf "$aside"
fi
echo "$PWD/$bin"

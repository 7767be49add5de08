#!/usr/bin/env bash
# Proves that ICE's deployment files are valid: each Kubernetes manifest (examples/*/k8s/*.yaml) passes the JSON
# schema and the TypeScript type that kubernetes-models generates from Kubernetes' OpenAPI spec (see
# docker/manifest-validator/validate.mjs), and each Compose file (examples/*/compose.yaml) passes
# `docker-compose config`, which checks it against the Compose file schema without a Docker engine. First it shows
# that the checks bite: every document of docker/manifest-validator/broken.yaml, each with one fault, and
# docker/manifest-validator/broken-compose.yaml must be rejected.
#
# Needs Node.js 18 or later with npm, and Debian's docker-compose; installs Debian's packages where they are missing.
# The Kubernetes validator's packages come from the npm registry, at the versions its package.json pins.
set -euo pipefail

DOCKER_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
REPO=$(dirname "$DOCKER_DIR")
VALIDATOR=$DOCKER_DIR/manifest-validator

say() {
  echo "validate-manifests: $*" >&2
}

install_missing_packages() {
  local missing=()
  command -v node >/dev/null || missing+=(nodejs)
  command -v npm >/dev/null || missing+=(npm)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  [ ${#missing[@]} -gt 0 ] || return 0
  [ "$(id -u)" = 0 ] || { say "missing: ${missing[*]}; install them or run me as root"; exit 2; }
  say "installing ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# node_modules stays beside the validator between runs; npm install is quick when it is already complete.
install_validator() {
  (cd "$VALIDATOR" && npm install --no-audit --no-fund --no-package-lock --loglevel=error >/dev/null)
}

# A Compose file names the key as ${ICE_PRESHARED_KEY:?...}; any value will do for checking it.
check_compose_files() {
  local file failed=0
  if ICE_PRESHARED_KEY=unused docker-compose -f "$VALIDATOR/broken-compose.yaml" config -q 2>/dev/null; then
    say "FAIL  docker-compose config accepted $VALIDATOR/broken-compose.yaml"
    failed=1
  else
    say "ok    docker-compose config rejects $VALIDATOR/broken-compose.yaml"
  fi
  for file in "$REPO"/examples/*/compose.yaml; do
    if ICE_PRESHARED_KEY=unused docker-compose -f "$file" config -q; then
      say "ok    $file"
    else
      say "FAIL  $file"
      failed=1
    fi
  done
  return "$failed"
}

main() {
  install_missing_packages
  install_validator

  local manifests=("$REPO"/examples/*/k8s/*.yaml) status=0
  [ -e "${manifests[0]}" ] || { say "no manifests under examples/*/k8s/"; exit 1; }

  node "$VALIDATOR/validate.mjs" --expect-invalid "$VALIDATOR/broken.yaml" || status=1
  node "$VALIDATOR/validate.mjs" "${manifests[@]}" || status=1
  check_compose_files || status=1
  return "$status"
}

main "$@"

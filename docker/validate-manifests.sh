#!/usr/bin/env bash
# Proves that ICE's Kubernetes manifests (examples/*/k8s/*.yaml) are valid Kubernetes objects: each document passes
# the JSON schema and the TypeScript type that kubernetes-models generates from Kubernetes' OpenAPI spec (see
# docker/manifest-validator/validate.mjs). First it shows that the checks bite: every document of
# docker/manifest-validator/broken.yaml, each with one fault, must be rejected.
#
# Needs Node.js 18 or later and npm; installs Debian's when they are missing. The validator's packages come from the
# npm registry, at the versions docker/manifest-validator/package.json pins.
set -euo pipefail

DOCKER_DIR=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)
REPO=$(dirname "$DOCKER_DIR")
VALIDATOR=$DOCKER_DIR/manifest-validator

say() {
  echo "validate-manifests: $*" >&2
}

install_node() {
  if command -v node >/dev/null && command -v npm >/dev/null; then
    return 0
  fi
  [ "$(id -u)" = 0 ] || { say "Node.js and npm are missing; install them or run me as root"; exit 2; }
  say "installing nodejs and npm"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
}

# node_modules stays beside the validator between runs; npm install is quick when it is already complete.
install_validator() {
  (cd "$VALIDATOR" && npm install --no-audit --no-fund --no-package-lock --loglevel=error >/dev/null)
}

main() {
  install_node
  install_validator

  local manifests=("$REPO"/examples/*/k8s/*.yaml)
  [ -e "${manifests[0]}" ] || { say "no manifests under examples/*/k8s/"; exit 1; }

  node "$VALIDATOR/validate.mjs" --expect-invalid "$VALIDATOR/broken.yaml"
  node "$VALIDATOR/validate.mjs" "${manifests[@]}"
}

main "$@"

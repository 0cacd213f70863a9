#!/usr/bin/env bash
# Validates the Helm chart offline: `helm lint` and `helm template` with the default values
# and each file in deploy/validate/testdata/, wrong values refused, then a Go test
# decoding every rendered object strictly against the real Kubernetes API types. Needs Go;
# helm is built from the Go module proxy when not on PATH (HELM names another).
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

HELM_VERSION=v3.19.2
helm=${HELM:-$(command -v helm || echo "$(go env GOPATH)/bin/helm")}
if [ ! -x "$helm" ]; then
  echo "validate-chart: building helm $HELM_VERSION from the Go module proxy"
  go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION"
fi
chart=deploy/helm/emotion
rendered=$(mktemp -d)
trap 'rm -rf "$rendered"' EXIT

"$helm" lint --strict --quiet "$chart"
"$helm" template emotion "$chart" >"$rendered/default.yaml"
for values in deploy/validate/testdata/*.yaml; do
  "$helm" lint --strict --quiet "$chart" --values "$values"
  "$helm" template emotion "$chart" --values "$values" >"$rendered/$(basename "$values")"
done
# Values the chart must refuse: a grace period shorter than preStop + the server's drain
# (template check), a misspelt key, a wrong enum, a key in plain settings (values.schema.json);
# a rate-limit store without a limit, with a password in its URL, set past rateLimitStore, or
# with an unknown failure mode.
for wrong in terminationGracePeriodSeconds=12 replica=3 apiKeys.mode=envs settings.API_KEYS=0123456789abcdef \
  rateLimitStore.bundled.enabled=true 'rateLimitStore.url=redis://:secret@redis:6379' \
  settings.RATE_LIMIT_STORE=redis://redis:6379 rateLimitStore.onFailure=open; do
  if "$helm" template emotion "$chart" --set "$wrong" >/dev/null 2>&1; then
    echo "validate-chart: --set $wrong was accepted" >&2
    exit 1
  fi
done
(cd deploy/validate && RENDERED="$rendered" go test -count=1 ./...)
echo "validate-chart: passed in $((SECONDS - started)) s ($(find "$rendered" -name "*.yaml" | wc -l) renderings)"

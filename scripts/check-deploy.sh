#!/usr/bin/env bash
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
#
# Checks deploy/ without a Docker engine or a Kubernetes cluster (neither runs here):
#   1. every manifest in deploy/kubernetes validates against the Kubernetes 1.29 and current schemas
#      (kubernetes-validate, strict: unknown fields fail);
#   2. the manifests agree with each other and with the daemon's defaults (scripts/check_deploy.py):
#      emptyDir at /.tencentcloudbase/wx, read-only in the app; probes on /-/ready and /-/healthy at the
#      configured listen port; the native form's restartPolicy: Always; --once in the Job; the Dockerfile's
#      COPY sources exist and its binary path matches ENTRYPOINT;
#   3. the ConfigMap's wxsidecar.yaml passes `wxsidecar check-config` ($BINARY, else the debug build), with
#      the secret and the token folder redirected to scratch files.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
python="${PYTHON:-python3}"
if ! "$python" -c 'import yaml, kubernetes_validate' 2>/dev/null; then
  # A virtual environment under .build: works where the system Python refuses pip (PEP 668).
  venv="$root/.build/ops-venv"
  if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c 'import yaml, kubernetes_validate' 2>/dev/null; then
    echo "check-deploy: installing PyYAML and kubernetes-validate from PyPI into $venv" >&2
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check pyyaml kubernetes-validate >/dev/null
  fi
  python="$venv/bin/python"
fi

for version in 1.29.0 1.33.0; do
  "$python" -m kubernetes_validate --strict --quiet -k "$version" "$root"/deploy/kubernetes/*.yaml
done

BINARY="${BINARY:-$(cd "$root" && swift build --show-bin-path)/wxsidecar}"
BINARY="$BINARY" "$python" "$root/scripts/check_deploy.py" "$root"
echo "check-deploy: deploy/kubernetes validates (Kubernetes 1.29 and 1.33 schemas) and agrees with the defaults; Dockerfile paths exist (not built: no Docker engine)"

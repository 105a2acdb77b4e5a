#!/usr/bin/env python3
# This file is part of wxsidecar.
# SPDX-License-Identifier: Apache-2.0
"""Checks that deploy/ agrees with itself and with wxsidecar's defaults (see check-deploy.sh)."""

import os
import re
import subprocess
import sys
import tempfile

import yaml

ROOT = sys.argv[1]
TOKEN_DIR = "/.tencentcloudbase/wx"
failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


def load(name):
    with open(os.path.join(ROOT, "deploy", "kubernetes", name)) as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc]


# MARK: The ConfigMap and the daemon's defaults

config_docs = load("config.yaml")
config_map = next(d for d in config_docs if d["kind"] == "ConfigMap")
secret = next(d for d in config_docs if d["kind"] == "Secret")
config = yaml.safe_load(config_map["data"]["wxsidecar.yaml"])
listen_port = int(config["listen"].rsplit(":", 1)[1])
check(config["listen"].startswith("127.0.0.1:"), "the ConfigMap must keep the listener on loopback")
check(os.path.dirname(config["token"]["file"]) == TOKEN_DIR, f"token.file must be in {TOKEN_DIR}")
check(config["log"]["format"] == "json", "containers log JSON")
check(config["whitelist"]["file"] == "/etc/wxsidecar/whitelist.txt", "whitelist.file must be the mounted ConfigMap key")
check("appsecret" in secret["stringData"], "the Secret must hold the key appsecret")
secret_dir = os.path.dirname(config["secret_file"])

loading = open(os.path.join(ROOT, "Sources/Sidecar/Config/SidecarConfiguration+Accounts.swift")).read()
check(f'"{TOKEN_DIR}/cloudbase_access_token"' in loading, "the daemon's default token.file moved: update deploy/")
dockerfile = open(os.path.join(ROOT, "deploy", "Dockerfile")).read()
check(f'VOLUME ["{TOKEN_DIR}"]' in dockerfile, "the Dockerfile's VOLUME must be the token folder")

# MARK: Pod templates


def pod_spec(doc):
    if doc["kind"] == "Pod":
        return doc["spec"]
    return doc["spec"]["template"]["spec"]


def probe_path(probe):
    command = " ".join(probe["exec"]["command"])
    match = re.search(r"http://127\.0\.0\.1:(\d+)(/\S*)", command)
    return (int(match.group(1)), match.group(2)) if match else (None, None)


def check_pod(name, spec, sidecar_name, native=False, once=False):
    volumes = {v["name"]: v for v in spec["volumes"]}
    containers = spec.get("initContainers", []) + spec["containers"]
    sidecar = next((c for c in containers if c["name"] == sidecar_name), None)
    check(sidecar is not None, f"{name}: no container {sidecar_name}")
    if sidecar is None:
        return
    check(spec.get("securityContext", {}).get("fsGroup") == 65532, f"{name}: fsGroup 65532 lets the app read the token")
    for container in containers:
        mounts = {m["mountPath"]: m for m in container.get("volumeMounts", [])}
        wx = mounts.get(TOKEN_DIR)
        check(wx is not None, f"{name}/{container['name']}: {TOKEN_DIR} not mounted")
        if wx is None:
            continue
        check("emptyDir" in volumes[wx["name"]], f"{name}: {TOKEN_DIR} must be an emptyDir")
        read_only = wx.get("readOnly", False)
        if container is sidecar:
            check(not read_only, f"{name}: the sidecar must write {TOKEN_DIR}")
            check(mounts.get("/etc/wxsidecar", {}).get("name") in volumes, f"{name}: /etc/wxsidecar not mounted")
            config_volume = volumes[mounts["/etc/wxsidecar"]["name"]]
            check(config_volume.get("configMap", {}).get("name") == config_map["metadata"]["name"], f"{name}: config volume")
            secret_mount = mounts.get(secret_dir)
            check(secret_mount is not None, f"{name}: secret_file's folder {secret_dir} not mounted")
            if secret_mount:
                secret_volume = volumes[secret_mount["name"]]["secret"]
                check(secret_volume["secretName"] == secret["metadata"]["name"], f"{name}: secret volume")
                check(secret_volume.get("defaultMode") == 0o440, f"{name}: the secret must be 0440 (group fsGroup)")
            security = sidecar.get("securityContext", {})
            check(security.get("readOnlyRootFilesystem") is True, f"{name}: read-only root filesystem")
            check(security.get("runAsUser") == 65532, f"{name}: runs as 65532 like the image")
        else:
            check(read_only, f"{name}/{container['name']}: {TOKEN_DIR} must be read-only in the app")
    if once:
        check("--once" in sidecar.get("args", []), f"{name}: the Job's init container must run --once")
        check(sidecar.get("restartPolicy") is None, f"{name}: a --once init container must not restart")
        return
    check(probe_path(sidecar["readinessProbe"]) == (listen_port, "/-/ready"), f"{name}: readiness on /-/ready")
    check(probe_path(sidecar["livenessProbe"]) == (listen_port, "/-/healthy"), f"{name}: liveness on /-/healthy")
    if native:
        check(sidecar in spec.get("initContainers", []), f"{name}: the native sidecar is an init container")
        check(sidecar.get("restartPolicy") == "Always", f"{name}: native sidecars need restartPolicy: Always")
        check(probe_path(sidecar["startupProbe"]) == (listen_port, "/-/ready"), f"{name}: startupProbe on /-/ready")


check_pod("pod-sidecar.yaml", pod_spec(load("pod-sidecar.yaml")[0]), "wxsidecar")
check_pod("pod-native-sidecar.yaml", pod_spec(load("pod-native-sidecar.yaml")[0]), "wxsidecar", native=True)
check_pod("job-once.yaml", pod_spec(load("job-once.yaml")[0]), "wxsidecar-once", once=True)

# MARK: Dockerfile

for line in dockerfile.splitlines():
    if line.startswith("COPY ") and "--from=" not in line:
        for source in line.split()[1:-1]:
            check(os.path.exists(os.path.join(ROOT, source)), f"Dockerfile: COPY source {source} does not exist")
check("/out/usr/local/bin/wxsidecar" in dockerfile and 'ENTRYPOINT ["/usr/local/bin/wxsidecar"]' in dockerfile,
      "Dockerfile: the built binary must land at the ENTRYPOINT path")
check("curl" in dockerfile.split("# MARK: runtime")[1], "Dockerfile: the runtime needs curl for the exec probes")

# MARK: The ConfigMap's YAML through the real parser

with tempfile.TemporaryDirectory() as scratch:
    config_path = os.path.join(scratch, "wxsidecar.yaml")
    whitelist_path = os.path.join(scratch, "whitelist.txt")
    open(config_path, "w").write(config_map["data"]["wxsidecar.yaml"])
    open(whitelist_path, "w").write(config_map["data"]["whitelist.txt"])
    environment = {
        "PATH": "/usr/bin:/bin",
        "WXSIDECAR_SECRET": "check-deploy",
        "WXSIDECAR_TOKEN_FILE": os.path.join(scratch, "wx", "cloudbase_access_token"),
        "WXSIDECAR_TOKEN_METADATA_FILE": os.path.join(scratch, "wx", "cloudbase_access_token.json"),
        "WXSIDECAR_WHITELIST_FILE": whitelist_path,
    }
    result = subprocess.run([os.environ["BINARY"], "check-config", "--config", config_path],
                            env=environment, capture_output=True, text=True)
    check(result.returncode == 0, f"wxsidecar check-config rejects the ConfigMap: {result.stderr.strip()}")

if failures:
    print("check-deploy: " + "\ncheck-deploy: ".join(failures), file=sys.stderr)
    sys.exit(1)

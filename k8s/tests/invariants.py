#!/usr/bin/env python3
"""Invariants of the rendered Anant manifests that no schema or generic linter checks.

    invariants.py [--bin DIR] OVERLAY=RENDERED.yaml ...

For every overlay's rendered manifests (`kubectl kustomize k8s/overlays/OVERLAY`):

- every container has CPU and memory requests and limits (requests within limits), the
  hardened securityContext (non-root with a numeric UID, read-only root file system, no
  privilege escalation, every capability dropped, seccomp RuntimeDefault), named ports
  `rpc` and `http`, startup, liveness and readiness probes on `http` at paths the
  service serves (/healthz, /readyz), a preStop sleep and a grace period of at least
  --drain-seconds + the sleep + 5 s; pods mount no ServiceAccount token;
- every argument is a flag the binary's --help lists (with --bin), every
  required flag is there, every $(VAR) is defined (Kubernetes leaves an unknown one as
  is), services listen on 0.0.0.0 on their named ports and advertise a name or IP;
- the paths a service writes are on a writable volume (PersistentVolume or emptyDir);
- the Prometheus annotations name the http port and /metrics;
- StatefulSets have volumeClaimTemplates and a headless Service; compute has an HPA (or a
  fixed replica count) and a PodDisruptionBudget; the gateway is behind a Service;
  storage replicas (and gateways) carry anti-affinity, required for storage when it has
  several replicas; the gateway's --replicas is at most the storage replicas;
- the NetworkPolicies deny by default and allow exactly the paths of DESIGN.md §4;
- every checkov skip annotation gives its reason;
- with --bin, every container's arguments pass the binary's own `--check-config`: the
  binary runs with exactly those arguments ($(VAR) expanded from the container's
  environment: the ConfigMap, the downward API with plausible values) in a temporary root
  standing for the container's file system, every volumeMount made there (PersistentVolume
  and emptyDir folders, the Secrets' files decoded from the rendered Secrets, keyed as
  their items say) and every absolute path argument moved under it; run as the pod's
  user when this runs as root (then the root file system outside the mounts is read-only
  to it, as in the pod). It must exit 0 and report its service, its rpc and http ports,
  TLS (mutual) exactly where the overlay has components/tls, and the cluster token.
  Self-tests mutate one argument (--max-frame-mb 0), drop a Secret's file and, as the
  pod's user, move a written folder off the volumes, and expect --check-config to fail.

Exit status 1 when any invariant fails. Needs PyYAML.
"""

from __future__ import annotations

import argparse
import base64
import json
import math
import os
import posixpath
import re
import shutil
import stat
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import yaml

SERVICES = ("metadata", "storage", "compute", "gateway")
# What AnantRuntime's HTTPEndpoints serves (Sources/AnantRuntime/HTTPEndpoints.swift).
SERVED_PATHS = {"/healthz", "/readyz", "/metrics"}
# Where each service writes: the flag naming the path, and whether it is a file.
WRITABLE_FLAGS = {"db": True, "root": False, "cache-dir": False, "scratch": False}
DEFAULT_DRAIN_SECONDS = 20.0
GRACE_MARGIN_SECONDS = 5
MIN_UID = 10000
IMAGE_UID = 10001  # the user anant of the images (images/README.md)
IMAGE_GID = 10001
IMAGE_WORKDIR = "/tmp"  # the images' working folder and the user's home (images/README.md)

# DESIGN.md §4: who may open a connection to whose RPC port ("*": anyone, from outside).
EXPECTED_INGRESS = {
    "metadata": {"gateway", "compute", "storage"},
    "storage": {"gateway", "compute"},
    "compute": {"gateway"},
    "gateway": {"*"},
}
EXPECTED_EGRESS = {
    "gateway": {"metadata", "storage", "compute"},
    "compute": {"metadata", "storage"},
    "storage": {"metadata"},
    "metadata": set(),
}


class Report:
    def __init__(self) -> None:
        self.failures: list[str] = []
        self.warnings: list[str] = []
        self.notes: list[str] = []
        self.checks = 0

    def check(self, ok: bool, where: str, what: str) -> bool:
        self.checks += 1
        if not ok:
            self.failures.append(f"{where}: {what}")
        return ok

    def warn(self, where: str, what: str) -> None:
        self.warnings.append(f"{where}: {what}")


def quantity(text: object) -> float:
    """A Kubernetes quantity ("500m", "2", "512Mi", "1G") as a number."""
    s = str(text)
    suffixes = {"m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12,
                "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
    m = re.fullmatch(r"([0-9.]+)([a-zA-Z]*)", s)
    if not m or (m.group(2) and m.group(2) not in suffixes):
        raise ValueError(f"not a quantity: {s!r}")
    return float(m.group(1)) * suffixes.get(m.group(2), 1)


class Binaries:
    """The flags each service binary's --help lists, and those its USAGE line requires."""

    def __init__(self, directory: str | None) -> None:
        self.directory = Path(directory) if directory else None
        self.cache: dict[str, tuple[set[str], set[str]] | None] = {}

    def path(self, binary: str) -> Path | None:
        return self.directory / binary if self.directory and self.flags(binary) is not None else None

    def checks_config(self, binary: str) -> bool:
        found = self.flags(binary)
        return found is not None and "check-config" in found[0]

    def flags(self, binary: str) -> tuple[set[str], set[str]] | None:
        if binary in self.cache:
            return self.cache[binary]
        result = None
        path = self.directory / binary if self.directory else None
        if path and path.is_file() and os.access(path, os.X_OK):
            out = subprocess.run([str(path), "--help"], capture_output=True, text=True, timeout=60)
            text = out.stdout + out.stderr
            known = set(re.findall(r"^\s+(?:-\w, )?--([a-z0-9][a-z0-9-]*)", text, re.M))
            usage = re.search(r"^USAGE:\s*(.*)$", text, re.M)
            required: set[str] = set()
            if usage:
                outside = re.sub(r"\[[^\]]*\]", "", usage.group(1))
                required = set(re.findall(r"--([a-z0-9][a-z0-9-]*)", outside))
            if known:
                result = (known, required)
        self.cache[binary] = result
        return result


def parse_args(args: list[str]) -> list[tuple[str, str | None]]:
    """`--flag=value`, `--flag value` and `--switch` as (flag, value) pairs."""
    pairs: list[tuple[str, str | None]] = []
    i = 0
    while i < len(args):
        a = str(args[i])
        if a.startswith("--"):
            if "=" in a:
                name, value = a[2:].split("=", 1)
                pairs.append((name, value))
            elif i + 1 < len(args) and not str(args[i + 1]).startswith("--"):
                pairs.append((a[2:], str(args[i + 1])))
                i += 1
            else:
                pairs.append((a[2:], None))
        else:
            pairs.append(("", a))
        i += 1
    return pairs


def sc_uid(container: dict, pod_context: dict) -> object:
    return (container.get("securityContext") or {}).get("runAsUser", pod_context.get("runAsUser"))


def labels_match(selector: dict | None, labels: dict) -> bool:
    if selector is None:
        return False
    if selector.get("matchExpressions"):
        return False  # not used here; treat as no match so a check notices
    return all(labels.get(k) == v for k, v in (selector.get("matchLabels") or {}).items())


def service_of(labels: dict) -> str | None:
    name = labels.get("app.kubernetes.io/name", "")
    return name[len("anant-"):] if name.startswith("anant-") and name[len("anant-"):] in SERVICES else None


def check_overlay(name: str, docs: list[dict], binaries: Binaries, report: Report) -> dict:
    by_kind: dict[str, list[dict]] = {}
    for d in docs:
        by_kind.setdefault(d["kind"], []).append(d)

    def named(kind: str, prefix: str) -> list[dict]:
        return [d for d in by_kind.get(kind, []) if d["metadata"]["name"].startswith(prefix)]

    configmaps = named("ConfigMap", "anant-config")
    report.check(len(configmaps) == 1, name, "exactly one ConfigMap anant-config")
    config = (configmaps[0].get("data") or {}) if configmaps else {}
    config_name = configmaps[0]["metadata"]["name"] if configmaps else None
    secrets = {d["metadata"]["name"]: d for d in by_kind.get("Secret", [])}

    # Checkov skips must give a reason.
    for d in docs:
        for key, value in (d["metadata"].get("annotations") or {}).items():
            if key.startswith("checkov.io/skip"):
                m = re.fullmatch(r"(CKV2?_K8S_\d+)=(.+)", str(value), re.S)
                report.check(bool(m) and len(m.group(2).strip()) >= 20, f"{name} {d['kind']}/{d['metadata']['name']}",
                             f"{key} must be CKV_K8S_NN=<a real reason>, not {value!r}")

    workloads = by_kind.get("Deployment", []) + by_kind.get("StatefulSet", [])
    replicas: dict[str, int | None] = {}
    gateway_replicas_flag: int | None = None
    stats = {"workloads": 0, "containers": 0, "flags": 0}
    seen_services = set()

    for w in workloads:
        kind, wname = w["kind"], w["metadata"]["name"]
        where = f"{name} {kind}/{wname}"
        spec = w["spec"]
        template = spec["template"]
        pod = template["spec"]
        labels = template["metadata"].get("labels") or {}
        service = service_of(labels)
        if not report.check(service is not None, where, "pod label app.kubernetes.io/name is anant-<service>"):
            continue
        seen_services.add(service)
        stats["workloads"] += 1
        replicas[service] = spec.get("replicas")
        report.check(labels_match(spec["selector"], labels), where, "the selector matches the pod labels")

        # Pod level.
        report.check(pod.get("automountServiceAccountToken") is False, where, "automountServiceAccountToken: false")
        report.check(bool(pod.get("serviceAccountName")), where, "a ServiceAccount of its own")
        psc = pod.get("securityContext") or {}
        report.check(psc.get("runAsNonRoot") is True, where, "pod runAsNonRoot: true")
        report.check(isinstance(psc.get("runAsUser"), int) and psc["runAsUser"] >= MIN_UID, where, f"pod runAsUser numeric ≥ {MIN_UID}")
        report.check((psc.get("seccompProfile") or {}).get("type") == "RuntimeDefault", where, "pod seccomp RuntimeDefault")
        for forbidden in ("hostNetwork", "hostPID", "hostIPC"):
            report.check(not pod.get(forbidden), where, f"no {forbidden}")

        volumes = {v["name"]: v for v in pod.get("volumes") or []}
        claim_names = {t["metadata"]["name"] for t in spec.get("volumeClaimTemplates") or []}

        annotations = template["metadata"].get("annotations") or {}
        report.check(annotations.get("prometheus.io/scrape") == "true", where, "prometheus.io/scrape: \"true\"")
        report.check(annotations.get("prometheus.io/path") == "/metrics" and "/metrics" in SERVED_PATHS, where,
                     "prometheus.io/path: /metrics")

        containers = pod.get("containers") or []
        report.check(len(containers) == 1, where, "one container")
        for c in (pod.get("initContainers") or []) + containers:
            stats["containers"] += 1
            cw = f"{where} container {c['name']}"
            ports = {p.get("name"): p for p in c.get("ports") or []}
            report.check(all(p.get("name") for p in c.get("ports") or []), cw, "every port is named")
            report.check({"rpc", "http"} <= set(ports), cw, "ports named rpc and http")
            http_port = ports.get("http", {}).get("containerPort")
            rpc_port = ports.get("rpc", {}).get("containerPort")
            report.check(annotations.get("prometheus.io/port") == str(http_port), cw, "prometheus.io/port is the http port")

            # scripts/build-images tags localhost/anant/SERVICE:VERSION.
            m = re.fullmatch(r"(?:[a-z0-9.:-]+/)?anant/(metadata|storage|compute|gateway):(\d+\.\d+\.\d+)", c.get("image", ""))
            report.check(bool(m) and m.group(1) == service, cw, f"image [REGISTRY/]anant/{service}:X.Y.Z, not {c.get('image')!r}")
            report.check(sc_uid(c, psc) == IMAGE_UID, cw, f"runs as the images' user {IMAGE_UID} (images/README.md)")
            report.check(c.get("imagePullPolicy") == "IfNotPresent", cw, "imagePullPolicy: IfNotPresent")

            res = c.get("resources") or {}
            for part in ("requests", "limits"):
                for r in ("cpu", "memory"):
                    report.check(r in (res.get(part) or {}), cw, f"resources.{part}.{r}")
            for r in ("cpu", "memory", "ephemeral-storage"):
                req, lim = (res.get("requests") or {}).get(r), (res.get("limits") or {}).get(r)
                if req is not None and lim is not None:
                    report.check(quantity(req) <= quantity(lim), cw, f"{r} request {req} within its limit {lim}")

            sc = c.get("securityContext") or {}
            report.check(sc.get("runAsNonRoot") is True, cw, "runAsNonRoot: true")
            report.check(isinstance(sc.get("runAsUser", psc.get("runAsUser")), int), cw, "a numeric runAsUser")
            report.check(sc.get("readOnlyRootFilesystem") is True, cw, "readOnlyRootFilesystem: true")
            report.check(sc.get("allowPrivilegeEscalation") is False, cw, "allowPrivilegeEscalation: false")
            report.check(not sc.get("privileged"), cw, "not privileged")
            caps = sc.get("capabilities") or {}
            report.check(caps.get("drop") == ["ALL"] and not caps.get("add"), cw, "capabilities: drop [ALL], add none")
            report.check((sc.get("seccompProfile") or {}).get("type") == "RuntimeDefault", cw, "seccomp RuntimeDefault")

            for probe, path in (("startupProbe", "/healthz"), ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
                p = c.get(probe)
                if not report.check(isinstance(p, dict) and "httpGet" in p, cw, f"an httpGet {probe}"):
                    continue
                g = p["httpGet"]
                report.check(g.get("port") in ("http", http_port), cw, f"{probe} on the http port")
                report.check(g.get("path") in SERVED_PATHS, cw, f"{probe} path {g.get('path')!r} is served ({sorted(SERVED_PATHS)})")
                report.check(g.get("path") == path, cw, f"{probe} path is {path}")

            # Environment: what $(VAR) may name.
            env_names = {e["name"] for e in c.get("env") or []}
            for source in c.get("envFrom") or []:
                ref = (source.get("configMapRef") or {}).get("name")
                if ref and ref == config_name:
                    env_names |= set(config)
                elif ref:
                    report.check(False, cw, f"envFrom names an unknown ConfigMap {ref}")
            values = {e["name"]: e.get("value") for e in c.get("env") or [] if "value" in e}
            if config_name and any((s.get("configMapRef") or {}).get("name") == config_name for s in c.get("envFrom") or []):
                values = {**{k: str(v) for k, v in config.items()}, **values}

            def expand(text: str) -> str:
                return re.sub(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", lambda m: str(values.get(m.group(1), f"<{m.group(1)}>")), text)

            mounts = c.get("volumeMounts") or []

            def mount_of(path: str) -> dict | None:
                best = None
                for mt in mounts:
                    mp = mt["mountPath"].rstrip("/")
                    if path == mp or path.startswith(mp + "/"):
                        if best is None or len(mp) > len(best["mountPath"].rstrip("/")):
                            best = mt
                return best

            def writable(path: str) -> bool:
                mt = mount_of(path)
                if not mt or mt.get("readOnly"):
                    return False
                return mt["name"] in claim_names or "emptyDir" in volumes.get(mt["name"], {})

            tmp = mount_of("/tmp")
            report.check(tmp is not None and tmp["mountPath"] == "/tmp" and writable("/tmp"), cw,
                         "/tmp (the temporary directory) is a writable emptyDir")

            args = [str(a) for a in c.get("args") or []]
            report.check(not c.get("command"), cw, "no command: the image's entry point is the binary")
            pairs = parse_args(args)
            flags = {}
            for flag, value in pairs:
                if not report.check(flag != "", cw, f"argument {value!r} is not a flag"):
                    continue
                report.check(flag not in flags, cw, f"--{flag} given once")
                flags[flag] = value
                for var in re.findall(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", value or ""):
                    report.check(var in env_names, cw, f"--{flag} names $({var}), which the container's environment does not define")
            stats["flags"] += len(flags)

            binary = f"anant-{service}"
            help_flags = binaries.flags(binary)
            if help_flags is not None:
                known, required = help_flags
                for flag in flags:
                    report.check(flag in known, cw, f"--{flag} is a flag of {binary} (see {binary} --help)")
                for flag in required:
                    report.check(flag in flags, cw, f"{binary} requires --{flag}")

            listen, http = flags.get("listen"), flags.get("http")
            report.check(listen == f"0.0.0.0:{rpc_port}", cw, f"--listen=0.0.0.0:<the rpc port {rpc_port}>, not {listen!r}")
            report.check(http == f"0.0.0.0:{http_port}", cw, f"--http=0.0.0.0:<the http port {http_port}>, not {http!r}")
            advertise = flags.get("advertise") or ""
            report.check("$(POD_IP)" in advertise or "$(POD_NAME)" in advertise, cw,
                         "--advertise is the pod's DNS name or $(POD_IP)")
            if service == "storage" and kind == "StatefulSet":
                report.check(advertise.startswith(f"$(POD_NAME).{spec.get('serviceName')}."), cw,
                             "storage advertises its stable name $(POD_NAME).<headless service>.… (the catalog keeps it)")
            for var in ("POD_IP", "POD_NAME", "POD_NAMESPACE"):
                if f"$({var})" in advertise:
                    field = {"POD_IP": "status.podIP", "POD_NAME": "metadata.name", "POD_NAMESPACE": "metadata.namespace"}[var]
                    ok = any(e["name"] == var and ((e.get("valueFrom") or {}).get("fieldRef") or {}).get("fieldPath") == field
                             for e in c.get("env") or [])
                    report.check(ok, cw, f"{var} comes from the downward API ({field})")

            # Secrets: the cluster token everywhere, the client tokens at the gateway.
            def secret_behind(path: str | None, prefix: str) -> bool:
                mt = mount_of(path or "")
                if not mt or not mt.get("readOnly"):
                    return False
                name_ = ((volumes.get(mt["name"]) or {}).get("secret") or {}).get("secretName", "")
                return name_.startswith(prefix) and name_ in secrets

            report.check(secret_behind(flags.get("token-file"), "anant-cluster-token"), cw,
                         "--token-file is read-only, from the generated Secret anant-cluster-token")
            if service == "gateway":
                report.check(secret_behind(flags.get("tokens"), "anant-gateway-tokens"), cw,
                             "--tokens is read-only, from the generated Secret anant-gateway-tokens")
            for flag in ("tls-cert", "tls-key", "tls-ca"):
                if flag in flags:
                    report.check(secret_behind(flags[flag], "anant-tls"), cw, f"--{flag} is read-only, from the Secret anant-tls")

            for flag, is_file in WRITABLE_FLAGS.items():
                if flag in flags:
                    path = expand(flags[flag] or "")
                    report.check(writable(os.path.dirname(path) if is_file else path), cw,
                                 f"--{flag} {path} is on a writable volume (PersistentVolume or emptyDir)")
            if service == "metadata" or service == "storage":
                data = [mt for mt in mounts if mt["name"] in claim_names]
                report.check(bool(data), cw, "its data is on a PersistentVolume of the volumeClaimTemplates")

            # Memory: the cache budget below the limit.
            if "cache-mb" in flags:
                try:
                    cache = float(expand(flags["cache-mb"] or "")) * 2**20
                    limit = quantity((res.get("limits") or {}).get("memory", "0"))
                    report.check(cache < limit, cw, f"--cache-mb {expand(flags['cache-mb'] or '')} below the memory limit")
                except ValueError:
                    report.check(False, cw, f"--cache-mb {flags['cache-mb']!r} resolves to a number")

            # Shutdown: preStop sleep, then SIGTERM, then --drain-seconds.
            sleep = (((c.get("lifecycle") or {}).get("preStop") or {}).get("sleep") or {}).get("seconds")
            report.check(isinstance(sleep, int) and sleep > 0, cw, "a preStop sleep action (the image has no shell)")
            try:
                drain = float(expand(flags.get("drain-seconds") or str(DEFAULT_DRAIN_SECONDS)))
            except ValueError:
                drain = None
                report.check(False, cw, "--drain-seconds is a number")
            grace = pod.get("terminationGracePeriodSeconds")
            if drain is not None and isinstance(sleep, int):
                report.check(isinstance(grace, int) and grace >= drain + sleep + GRACE_MARGIN_SECONDS, cw,
                             f"terminationGracePeriodSeconds {grace} ≥ drain {drain:g} + preStop {sleep} + {GRACE_MARGIN_SECONDS}")

            if service == "gateway" and "replicas" in flags:
                try:
                    gateway_replicas_flag = int(expand(flags["replicas"] or ""))
                except ValueError:
                    report.check(False, cw, "--replicas resolves to a number")

        # Kind-specific.
        if kind == "StatefulSet":
            report.check(bool(spec.get("volumeClaimTemplates")), where, "volumeClaimTemplates")
            headless = [s for s in by_kind.get("Service", []) if s["metadata"]["name"] == spec.get("serviceName")]
            report.check(bool(headless) and headless[0]["spec"].get("clusterIP") == "None"
                         and labels_match(headless[0]["spec"].get("selector"), labels), where,
                         f"a headless Service {spec.get('serviceName')} selecting its pods")
        if service in ("storage", "gateway"):
            anti = (pod.get("affinity") or {}).get("podAntiAffinity") or {}
            terms = [t.get("podAffinityTerm", t) for t in anti.get("preferredDuringSchedulingIgnoredDuringExecution") or []]
            required = anti.get("requiredDuringSchedulingIgnoredDuringExecution") or []
            report.check(any(labels_match(t.get("labelSelector"), labels) for t in terms + required), where,
                         "pod anti-affinity spreads its replicas")
            if service == "storage" and (spec.get("replicas") or 1) > 1:
                report.check(any(labels_match(t.get("labelSelector"), labels) and t.get("topologyKey") == "kubernetes.io/hostname"
                                 for t in required), where, "several storage replicas: required anti-affinity per node")
        pdbs = [p for p in by_kind.get("PodDisruptionBudget", []) if labels_match(p["spec"].get("selector"), labels)]
        if service in ("compute", "storage", "gateway"):
            report.check(bool(pdbs), where, "a PodDisruptionBudget")
        if service == "compute":
            report.check(kind == "Deployment", where, "compute is a Deployment")
            hpas = [h for h in by_kind.get("HorizontalPodAutoscaler", [])
                    if h["spec"]["scaleTargetRef"].get("kind") == "Deployment" and h["spec"]["scaleTargetRef"].get("name") == wname]
            if hpas:
                report.check(spec.get("replicas") is None, where, "no replicas field: the HPA owns it")
                report.check(hpas[0]["spec"].get("minReplicas", 1) <= hpas[0]["spec"]["maxReplicas"], where, "HPA min ≤ max")
                replicas[service] = hpas[0]["spec"].get("minReplicas", 1)
            else:
                report.check(spec.get("replicas") is not None, where, "without an HPA, a replica count")
                report.notes.append(f"{name}: compute has no HPA (fixed at {spec.get('replicas')})")
        if service == "gateway":
            svcs = [s for s in by_kind.get("Service", []) if labels_match(s["spec"].get("selector"), labels)]
            report.check(any(p.get("targetPort") == "rpc" for s in svcs for p in s["spec"].get("ports") or []), where,
                         "a Service in front of the gateway's rpc port")
        if service == "metadata":
            report.check(spec.get("replicas", 1) == 1, where, "metadata has one replica (one SQLite writer)")

    report.check(seen_services == set(SERVICES), name, f"all four services, not {sorted(seen_services)}")
    if gateway_replicas_flag is not None and replicas.get("storage"):
        report.check(gateway_replicas_flag <= replicas["storage"], name,
                     f"gateway --replicas {gateway_replicas_flag} ≤ storage replicas {replicas['storage']}")

    # NetworkPolicies: default deny, then exactly DESIGN.md's paths on the rpc port.
    policies = by_kind.get("NetworkPolicy", [])
    report.check(any(p["spec"].get("podSelector") == {} and set(p["spec"].get("policyTypes") or []) == {"Ingress", "Egress"}
                     and not p["spec"].get("ingress") and not p["spec"].get("egress") for p in policies), name,
                 "a default-deny NetworkPolicy (ingress and egress)")
    pod_labels = {service_of(w["spec"]["template"]["metadata"].get("labels") or {}):
                  w["spec"]["template"]["metadata"].get("labels") or {} for w in workloads}
    pod_labels.pop(None, None)
    rpc_names, rpc_numbers = {"rpc"}, {7000}
    for w in workloads:
        for c in w["spec"]["template"]["spec"]["containers"]:
            for p in c.get("ports") or []:
                if p.get("name") == "rpc":
                    rpc_numbers.add(p["containerPort"])

    def on_rpc(rule: dict) -> bool:
        ports = rule.get("ports")
        return not ports or any(p.get("port") in rpc_names | rpc_numbers for p in ports)

    def peers(entries: list[dict] | None) -> set[str]:
        if entries is None:
            return {"*"}
        found: set[str] = set()
        for e in entries:
            if "ipBlock" in e or ("namespaceSelector" in e and "podSelector" not in e) or e.get("podSelector") == {}:
                found.add("*")
            elif "namespaceSelector" in e:
                found.add("other-namespace")
            else:
                found |= {s for s, lab in pod_labels.items() if labels_match(e.get("podSelector"), lab)}
        return found

    for service, lab in pod_labels.items():
        ingress: set[str] = set()
        egress: set[str] = set()
        for p in policies:
            if not labels_match(p["spec"].get("podSelector"), lab) and p["spec"].get("podSelector") != {}:
                continue
            for rule in p["spec"].get("ingress") or []:
                if on_rpc(rule):
                    ingress |= peers(rule.get("from"))
            for rule in p["spec"].get("egress") or []:
                ports = {p_.get("port") for p_ in rule.get("ports") or []}
                if ports and ports <= {53}:
                    continue  # DNS
                egress |= peers(rule.get("to"))
        report.check(ingress == EXPECTED_INGRESS[service], f"{name} NetworkPolicy", f"{service}'s rpc port takes "
                     f"{sorted(ingress) or 'nothing'}, DESIGN.md draws {sorted(EXPECTED_INGRESS[service]) or 'nothing'}")
        report.check(egress == EXPECTED_EGRESS[service], f"{name} NetworkPolicy", f"{service} may call "
                     f"{sorted(egress) or 'nothing'}, DESIGN.md draws {sorted(EXPECTED_EGRESS[service]) or 'nothing'}")
    return stats


# --- --check-config: every container's arguments, run through its binary -----------------

# Whether an overlay's services serve TLS, mutually: the overlays that take components/tls.
# Another overlay is expected to exactly when it renders the Secret anant-tls.
TLS_OVERLAYS = {"dev": False, "prod": True}
# Plausible downward-API values: the pod's own; --check-config dials nothing.
POD_IP = "10.244.1.17"
HOST_IP = "10.0.0.4"
NODE_NAME = "node-1"
POD_UID = "0f6b2c1e-5d4a-4b8e-9a7c-3e2d1f0a9b8c"
REPLICASET_POD_SUFFIX = "-7d9c8b6f5-x4k2p"
# Flags naming a file a Secret provides: the self-test drops each in turn.
SECRET_FILE_FLAGS = ("token-file", "tokens", "tls-cert", "tls-key", "tls-ca")
# Where a written folder goes in the self-test that moves it off the volumes.
UNMOUNTED = "/anant-unmounted"
VAR_REF = re.compile(r"\$\$|\$\(([-._a-zA-Z][-._a-zA-Z0-9]*)\)")
CHECK_CONFIG_TIMEOUT = 60


def k8s_expand(text: str, env: dict[str, str]) -> str:
    """`$(VAR)` as the kubelet expands it in args and env values: `$$` is a `$`, a reference
    to an undefined variable stays as it is."""
    return VAR_REF.sub(lambda m: "$" if m.group(0) == "$$" else env.get(m.group(1), m.group(0)), text)


def secret_files(secret: dict) -> dict[str, bytes]:
    files = {k: base64.b64decode(v) for k, v in (secret.get("data") or {}).items()}
    files.update({k: str(v).encode() for k, v in (secret.get("stringData") or {}).items()})
    return files


def configmap_files(configmap: dict) -> dict[str, bytes]:
    files = {k: str(v).encode() for k, v in (configmap.get("data") or {}).items()}
    files.update({k: base64.b64decode(v) for k, v in (configmap.get("binaryData") or {}).items()})
    return files


def on_host(root: Path, path: str) -> Path:
    """The container's absolute `path` under `root` (`..` cannot climb out of it)."""
    return root / posixpath.normpath("/" + path).lstrip("/")


def with_flag(args: list[str], flag: str, value: str) -> list[str]:
    """`args` with --flag (either form) replaced by --flag=value."""
    out: list[str] = []
    skip = False
    for i, a in enumerate(args):
        if skip:
            skip = False
        elif a == f"--{flag}":
            skip = i + 1 < len(args) and not args[i + 1].startswith("--")
        elif not a.startswith(f"--{flag}="):
            out.append(a)
    return out + [f"--{flag}={value}"]


class Container:
    """One container as the kubelet starts it: its environment, its arguments, and its
    volumes laid out under a temporary root standing for its file system."""

    def __init__(self, workload: dict, c: dict, configmaps: dict, secrets: dict) -> None:
        self.problems: list[str] = []
        meta, spec = workload["metadata"], workload["spec"]
        pod, template_meta = spec["template"]["spec"], spec["template"]["metadata"]
        self.container, self.configmaps, self.secrets = c, configmaps, secrets
        self.pod_name = f"{meta['name']}-0" if workload["kind"] == "StatefulSet" else f"{meta['name']}{REPLICASET_POD_SUFFIX}"
        self.fields = {
            "metadata.name": self.pod_name, "metadata.namespace": meta.get("namespace", "default"),
            "metadata.uid": POD_UID, "spec.nodeName": NODE_NAME,
            "spec.serviceAccountName": pod.get("serviceAccountName", "default"),
            "status.podIP": POD_IP, "status.podIPs": POD_IP, "status.hostIP": HOST_IP, "status.hostIPs": HOST_IP,
        }
        for key in ("labels", "annotations"):
            for k, v in (template_meta.get(key) or {}).items():
                self.fields[f"metadata.{key}['{k}']"] = str(v)
        self.containers = {x["name"]: x for x in (pod.get("initContainers") or []) + (pod.get("containers") or [])}
        self.env = self._environment()
        psc, sc = pod.get("securityContext") or {}, c.get("securityContext") or {}
        self.uid = sc.get("runAsUser", psc.get("runAsUser", IMAGE_UID))
        self.gid = sc.get("runAsGroup", psc.get("runAsGroup", IMAGE_GID))
        self.fs_group = psc.get("fsGroup")
        self.groups = [g for g in [self.fs_group, *(psc.get("supplementalGroups") or [])] if g is not None]
        self.volumes = {v["name"]: v for v in pod.get("volumes") or []}
        self.claims = {t["metadata"]["name"] for t in spec.get("volumeClaimTemplates") or []}
        # Outer mounts first: an inner one is made inside its folder.
        self.mounts = sorted(c.get("volumeMounts") or [], key=lambda m: posixpath.normpath(m["mountPath"]).count("/"))
        self.args = [k8s_expand(str(a), self.env) for a in c.get("args") or []]
        self.workdir = c.get("workingDir") or IMAGE_WORKDIR

    def _lookup(self, kind: str, ref: dict) -> dict[str, bytes] | None:
        table, decode = (self.secrets, secret_files) if kind.startswith("secret") else (self.configmaps, configmap_files)
        name = ref.get("secretName", ref.get("name"))
        if name in table:
            return decode(table[name])
        if not ref.get("optional"):
            self.problems.append(f"{kind} {name} is not in the rendered manifests (the pod would not start)")
        return None

    def _resource(self, ref: dict) -> str:
        target = self.containers.get(ref.get("containerName") or self.container["name"], self.container)
        part, _, resource = str(ref.get("resource", "")).partition(".")
        res = target.get("resources") or {}
        value = (res.get(part) or {}).get(resource) or (res.get("requests") or {}).get(resource) or "1"
        return str(max(1, math.ceil(quantity(value) / quantity(ref.get("divisor", "1")))))

    def _environment(self) -> dict[str, str]:
        """envFrom, then env in order (a `value` may name the variables before it)."""
        env: dict[str, str] = {}
        c = self.container
        for source in c.get("envFrom") or []:
            for kind in ("configMapRef", "secretRef"):
                if kind in source:
                    data = self._lookup(kind, source[kind]) or {}
                    env.update({source.get("prefix", "") + k: v.decode(errors="replace") for k, v in data.items()})
        for e in c.get("env") or []:
            source = e.get("valueFrom")
            if source is None:
                env[e["name"]] = k8s_expand(str(e.get("value", "")), env)
            elif "fieldRef" in source:
                field = source["fieldRef"].get("fieldPath", "")
                if field in self.fields:
                    env[e["name"]] = self.fields[field]
                else:
                    self.problems.append(f"env {e['name']}: no plausible value for the downward-API field {field}")
            elif "resourceFieldRef" in source:
                env[e["name"]] = self._resource(source["resourceFieldRef"])
            else:
                for kind in ("configMapKeyRef", "secretKeyRef"):
                    if kind in source:
                        ref = source[kind]
                        data = self._lookup(kind, ref)
                        if data is not None and ref.get("key") in data:
                            env[e["name"]] = data[ref["key"]].decode(errors="replace")
                        elif data is not None and not ref.get("optional"):
                            self.problems.append(f"env {e['name']}: {kind} {ref.get('name')} has no key {ref.get('key')}")
        return env

    def _files(self, volume: dict) -> dict[str, tuple[bytes, int]]:
        """The files of a Secret, ConfigMap, downwardAPI or projected volume: path → (bytes, mode)."""
        if "projected" in volume:
            default = volume["projected"].get("defaultMode", 0o644)
            sources = volume["projected"].get("sources") or []
        else:
            kind = next(k for k in ("secret", "configMap", "downwardAPI") if k in volume)
            default = volume[kind].get("defaultMode", 0o644)
            sources = [{kind: volume[kind]}]
        files: dict[str, tuple[bytes, int]] = {}
        for source in sources:
            kind = next((k for k in ("secret", "configMap") if k in source), None)
            if kind:
                ref = source[kind]
                data = self._lookup(kind, ref)
                if data is None:
                    continue
                items = ref.get("items")
                if not items:
                    files.update({k: (v, default) for k, v in data.items()})
                for item in items or []:
                    if item["key"] in data:
                        files[item["path"]] = (data[item["key"]], item.get("mode", default))
                    elif not ref.get("optional"):
                        self.problems.append(f"volume {volume['name']}: {kind} {ref.get('secretName', ref.get('name'))} "
                                             f"has no key {item['key']} (the pod would not start)")
            elif "downwardAPI" in source:
                for item in source["downwardAPI"].get("items") or []:
                    value = (self.fields.get(item["fieldRef"].get("fieldPath", ""), "") if "fieldRef" in item
                             else self._resource(item.get("resourceFieldRef") or {}))
                    files[item["path"]] = (value.encode(), item.get("mode", default))
            elif "serviceAccountToken" in source:
                files[source["serviceAccountToken"]["path"]] = (b"throwaway-service-account-token", default)
            elif "clusterTrustBundle" in source:
                files[source["clusterTrustBundle"]["path"]] = (b"", default)
        return files

    def on_volume(self, path: str) -> bool:
        p = posixpath.normpath(path)
        return any(p == mp or p.startswith(mp.rstrip("/") + "/")
                   for mp in (posixpath.normpath(m["mountPath"]) for m in self.mounts))

    def materialize(self, root: Path, as_pod_user: bool, omit: frozenset[str] = frozenset()) -> None:
        """Makes every volumeMount under `root`, as the kubelet would: PersistentVolume and
        emptyDir folders, the files of Secrets and ConfigMaps (but those of `omit`, container
        paths). As the pod's user, the rest (the root file system) is root's and read-only to
        it; the volumes are fsGroup's."""
        group = self.fs_group if self.fs_group is not None else 0
        finish: list[tuple[Path, int]] = []  # modes set last: a read-only folder takes no files

        def own(path: Path, mode: int) -> None:
            if as_pod_user:
                os.chown(path, 0, group)
            os.chmod(path, mode)

        def folders(path: Path) -> None:
            missing = []
            while not path.exists():
                missing.append(path)
                path = path.parent
            for d in reversed(missing):
                d.mkdir()
                os.chmod(d, 0o755)

        folders(root)
        for m in self.mounts:
            where, mount_path = on_host(root, m["mountPath"]), posixpath.normpath(m["mountPath"])
            volume = self.volumes.get(m["name"])
            sub = m.get("subPath") or k8s_expand(m.get("subPathExpr") or "", self.env)
            if m["name"] in self.claims or (volume and "persistentVolumeClaim" in volume):
                # A new volume's folder is root's, 0755; fsGroup makes it the group's, setgid.
                mode, files = (0o2775 if self.fs_group is not None else 0o755), None
            elif volume and "emptyDir" in volume:
                mode, files = (0o2777 if self.fs_group is not None else 0o777), None
            elif volume and any(k in volume for k in ("secret", "configMap", "downwardAPI", "projected")):
                mode, files = 0o755, self._files(volume)
            elif volume is None:
                self.problems.append(f"volumeMount {m['name']} names no volume of the pod")
                continue
            else:
                mode, files = 0o755, None
            if files is not None and sub:
                files = {rel[len(sub):].lstrip("/"): f for rel, f in files.items()
                         if rel == sub or rel.startswith(sub.rstrip("/") + "/")}
                if "" in files:  # one file, mounted at mountPath
                    folders(where.parent)
                    if mount_path not in omit:
                        where.write_bytes(files[""][0])
                        own(where, files[""][1] | (0o440 if self.fs_group is not None else 0))
                    continue
            folders(where)
            for rel, (data, file_mode) in (files or {}).items():
                if posixpath.normpath(posixpath.join(mount_path, rel)) in omit:
                    continue
                target = on_host(where, rel)
                folders(target.parent)
                target.write_bytes(data)
                own(target, file_mode | (0o440 if self.fs_group is not None else 0))
            finish.append((where, mode & ~0o222 if m.get("readOnly") else mode))
        for where, mode in reversed(finish):
            own(where, mode)

    def command(self, binary: Path, root: Path, args: list[str]) -> tuple[list[str], dict[str, str], str, list[str]]:
        """argv, environment and working folder of `binary` run in `root`, and the absolute
        path arguments on no volume."""
        argv, off_volume = [str(binary)], []
        for a in args:
            flag, value = a.split("=", 1) if a.startswith("--") and "=" in a else (None, a)
            if value.startswith("/"):
                if not self.on_volume(value):
                    off_volume.append(a)
                value = str(on_host(root, value))
            argv.append(f"{flag}={value}" if flag else value)
        env = {k: str(on_host(root, v)) if v.startswith("/") else v for k, v in self.env.items()}
        env.setdefault("HOME", str(on_host(root, IMAGE_WORKDIR)))
        env.setdefault("TMPDIR", str(on_host(root, "/tmp")))
        env.setdefault("HOSTNAME", self.pod_name)
        for name in ("PATH", "LD_LIBRARY_PATH"):
            if name in os.environ:
                env.setdefault(name, os.environ[name])
        cwd = on_host(root, self.workdir)
        return argv + ["--check-config"], env, str(cwd if cwd.is_dir() else root), off_volume


def config_line(stdout: str) -> dict | None:
    """The JSON line --check-config prints."""
    for line in reversed(stdout.splitlines()):
        if line.strip().startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                return None
            return value if isinstance(value, dict) else None
    return None


def config_problems(line: dict | None, service: str, ports: dict, tls: bool) -> list[str]:
    """How the --check-config line differs from what the manifest says."""
    if line is None:
        return ["printed no JSON line"]
    problems = []
    want = {"service": service, "config": "valid", "tls": tls, "mutual_tls": tls, "cluster_token": True}
    for key, value in want.items():
        if line.get(key) != value:
            problems.append(f"\"{key}\" is {json.dumps(line.get(key))}, not {json.dumps(value)}")
    for key in ("rpc", "http"):
        host, _, port = str(line.get(key, "")).rpartition(":")
        if host not in ("0.0.0.0", "[::]", "::", POD_IP) or port != str(ports.get(key)):
            problems.append(f"\"{key}\" is {json.dumps(line.get(key))}, not the port named {key} ({ports.get(key)}) on 0.0.0.0")
    return problems


def traversable(path: Path) -> bool:
    """Whether any user may reach `path` (the pod's user must reach its temporary root)."""
    return all(p.stat().st_mode & stat.S_IXOTH for p in [path, *path.parents])


class ConfigRuns:
    """Every container's --check-config run and the self-tests, run at once at the end."""

    def __init__(self, binaries: Binaries, base: Path, report: Report) -> None:
        self.binaries, self.base, self.report = binaries, base, report
        self.as_pod_user = os.geteuid() == 0 and traversable(base)
        self.jobs: list[dict] = []
        self.stats: dict[str, dict[str, int]] = {}
        self.users: set[int] = set()

    def add(self, overlay: str, docs: list[dict]) -> None:
        configmaps = {d["metadata"]["name"]: d for d in docs if d["kind"] == "ConfigMap"}
        secrets = {d["metadata"]["name"]: d for d in docs if d["kind"] == "Secret"}
        tls = TLS_OVERLAYS.get(overlay, any(n.startswith("anant-tls") for n in secrets))
        stats = self.stats.setdefault(overlay, {"containers": 0, "valid": 0, "self-tests": 0, "tls": int(tls)})
        for w in docs:
            if w["kind"] not in ("Deployment", "StatefulSet"):
                continue
            service = service_of(w["spec"]["template"]["metadata"].get("labels") or {})
            binary = self.binaries.path(f"anant-{service}") if service else None
            if binary is None or not self.binaries.checks_config(f"anant-{service}"):
                continue
            pod = w["spec"]["template"]["spec"]
            for c in (pod.get("initContainers") or []) + (pod.get("containers") or []):
                cw = f"{overlay} {w['kind']}/{w['metadata']['name']} container {c['name']} --check-config"
                view = Container(w, c, configmaps, secrets)
                root = self.base / overlay / w["metadata"]["name"] / c["name"]
                ports = {p.get("name"): p.get("containerPort") for p in c.get("ports") or []}
                stats["containers"] += 1
                self.users.add(view.uid if self.as_pod_user else os.geteuid())

                def job(kind: str, tag: str, args: list[str], omit: frozenset[str] = frozenset(), **more) -> dict:
                    where = root if kind == "run" else root.parent / f"{c['name']}.self-test-{tag}"
                    view.materialize(where, self.as_pod_user, omit)
                    argv, env, cwd, off_volume = view.command(binary, where, args)
                    return {"kind": kind, "cw": cw, "service": service, "root": where, "argv": argv, "env": env,
                            "cwd": cwd, "view": view, "off_volume": off_volume, "overlay": overlay, **more}

                self.jobs.append(job("run", "", view.args, ports=ports, tls=tls))
                for problem in dict.fromkeys(view.problems):
                    self.report.check(False, cw, problem)
                # Self-tests: faults --check-config must notice, or the run above proves nothing.
                self.jobs.append(job("self-test", "frame", with_flag(view.args, "max-frame-mb", "0"),
                                     fault="--max-frame-mb=0", expect="max-frame-mb"))
                for flag, value in parse_args(view.args):
                    if flag in SECRET_FILE_FLAGS and value and value.startswith("/") and view.on_volume(value):
                        self.jobs.append(job("self-test", flag, view.args, frozenset({posixpath.normpath(value)}),
                                             fault=f"--{flag} {value} missing from its Secret", expect=value))
                if self.as_pod_user:
                    for flag, value in parse_args(view.args):
                        if flag in WRITABLE_FLAGS and value:
                            moved = f"{UNMOUNTED}/{posixpath.basename(value)}"
                            self.jobs.append(job("self-test", flag, with_flag(view.args, flag, moved),
                                                 fault=f"--{flag}={moved} (on the read-only root file system)",
                                                 expect=f"--{flag}"))
                            break

    def run(self) -> None:
        def execute(j: dict) -> tuple[int, str, str]:
            view = j["view"]
            user = dict(user=view.uid, group=view.gid, extra_groups=view.groups) if self.as_pod_user else {}
            try:
                out = subprocess.run(j["argv"], capture_output=True, text=True, env=j["env"], cwd=j["cwd"],
                                     stdin=subprocess.DEVNULL, timeout=CHECK_CONFIG_TIMEOUT, **user)
            except subprocess.TimeoutExpired:
                return -1, "", f"no answer within {CHECK_CONFIG_TIMEOUT} s"
            except OSError as error:
                return -1, "", f"cannot run: {error}"
            # Messages name the container's paths, not the temporary root's.
            return out.returncode, out.stdout, out.stderr.replace(str(j["root"]), "")

        with ThreadPoolExecutor(max_workers=min(16, os.cpu_count() or 4)) as pool:
            results = list(pool.map(execute, self.jobs))
        # A container whose own arguments fail: its self-tests would fail for that reason too.
        rejected = {j["cw"] for j, (rc, _, _) in zip(self.jobs, results) if j["kind"] == "run" and rc != 0}
        for j, (rc, stdout, stderr) in zip(self.jobs, results):
            stats, cw, binary = self.stats[j["overlay"]], j["cw"], f"anant-{j['service']}"
            if j["kind"] == "self-test" and cw in rejected:
                continue
            message = next((line.strip() for line in stderr.splitlines() if line.strip()), "(nothing on standard error)")
            if j["kind"] == "run":
                for arg in j["off_volume"]:
                    self.report.check(False, cw, f"{arg}: the path is on no volumeMount (the root file system is "
                                                 "read-only, and the image holds only the binary)")
                if not self.report.check(rc == 0, cw, f"{binary} rejects the container's arguments (exit {rc}): {message}"):
                    continue
                line = config_line(stdout)
                problems = config_problems(line, j["service"], j["ports"], j["tls"])
                for problem in problems:
                    self.report.check(False, cw, f"{binary} --check-config {problem}")
                stats["valid"] += not problems
                # The comparison itself must notice a wrong port and a wrong TLS answer.
                if line is not None and not problems:
                    wrong = {**line, "tls": not j["tls"], "rpc": "0.0.0.0:1"}
                    self.report.check(len(config_problems(wrong, j["service"], j["ports"], j["tls"])) >= 2, cw,
                                      "self-test: a line with the wrong rpc port and TLS passes the comparison")
                    stats["self-tests"] += 1
            else:
                ok = rc == 64 and j["expect"] in stderr
                self.report.check(ok, cw, f"self-test: with {j['fault']}, {binary} --check-config gave exit {rc} and "
                                          f"{message!r}, not exit 64 naming {j['expect']}: the check could pass a broken manifest")
                stats["self-tests"] += ok


def remove_tree(path: Path) -> None:
    """rmtree, read-only folders (the readOnly mounts) included."""
    for folder, _, _ in os.walk(path):
        try:
            os.chmod(folder, 0o755)
        except OSError:
            pass
    shutil.rmtree(path, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", help="the folder of the service binaries (their --help lists the flags)")
    parser.add_argument("rendered", nargs="+", metavar="OVERLAY=FILE")
    options = parser.parse_args()

    binaries = Binaries(os.path.abspath(options.bin) if options.bin else None)
    missing = [f"anant-{s}" for s in SERVICES if binaries.flags(f"anant-{s}") is None]
    if missing:
        print(f"invariants: SKIPPED the flag check: no runnable {', '.join(missing)} in {options.bin or '(no --bin)'}"
              " (build them, or set ANANT_BIN)")
    lacking = [f"anant-{s}" for s in SERVICES if f"anant-{s}" not in missing and not binaries.checks_config(f"anant-{s}")]
    if missing:
        print(f"invariants: SKIPPED the --check-config runs of {', '.join(missing)}: not runnable")
    if lacking:
        print(f"invariants: SKIPPED the --check-config runs of {', '.join(lacking)}: their --help lists no"
              " --check-config (rebuild them)")
    report = Report()
    # The containers' file systems: reachable by the pods' user (0755), the Secrets' files
    # in it readable by root and fsGroup only.
    base = Path(tempfile.mkdtemp(prefix="anant-check-config-"))
    try:
        os.chmod(base, 0o755)
        runs = ConfigRuns(binaries, base, report)
        for item in options.rendered:
            overlay, _, path = item.partition("=")
            docs = [d for d in yaml.safe_load_all(Path(path).read_text()) if d]
            stats = check_overlay(overlay, docs, binaries, report)
            print(f"invariants: {overlay}: {stats['workloads']} workloads, {stats['containers']} containers, "
                  f"{stats['flags']} flags checked")
            runs.add(overlay, docs)
        runs.run()
    finally:
        remove_tree(base)
    who = (f"as the pods' user {', '.join(map(str, sorted(runs.users)))} (the root file system read-only to it)"
           if runs.as_pod_user else f"as uid {os.geteuid()} (not root: not as the pods' user; outside the volumes"
           " the root file system is writable)")
    for overlay, st in runs.stats.items():
        if st["containers"]:
            print(f"invariants: {overlay}: --check-config: {st['valid']} of {st['containers']} containers valid "
                  f"{who}, TLS {'on' if st['tls'] else 'off'}; {st['self-tests']} self-tests caught their fault")
    for note in dict.fromkeys(report.notes):
        print(f"invariants: note: {note}")
    for warning in dict.fromkeys(report.warnings):
        print(f"invariants: WARNING: {warning}")
    for failure in report.failures:
        print(f"invariants: FAIL: {failure}")
    print(f"invariants: {report.checks - len(report.failures)} passed, {len(report.failures)} failed"
          f" ({len(set(report.warnings))} warnings)")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())

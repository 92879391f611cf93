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
- every checkov skip annotation gives its reason.

Exit status 1 when any invariant fails. Needs PyYAML.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", help="the folder of the service binaries (their --help lists the flags)")
    parser.add_argument("rendered", nargs="+", metavar="OVERLAY=FILE")
    options = parser.parse_args()

    binaries = Binaries(options.bin)
    missing = [f"anant-{s}" for s in SERVICES if binaries.flags(f"anant-{s}") is None]
    if missing:
        print(f"invariants: SKIPPED the flag check: no runnable {', '.join(missing)} in {options.bin or '(no --bin)'}"
              " (build them, or set ANANT_BIN)")
    report = Report()
    for item in options.rendered:
        overlay, _, path = item.partition("=")
        docs = [d for d in yaml.safe_load_all(Path(path).read_text()) if d]
        stats = check_overlay(overlay, docs, binaries, report)
        print(f"invariants: {overlay}: {stats['workloads']} workloads, {stats['containers']} containers, "
              f"{stats['flags']} flags checked")
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

"""Rendered Kubernetes manifests run as processes on the netns harness: a small kubelet.

:class:`Cluster` takes the objects ``kubectl kustomize`` rendered and runs each
Deployment's and StatefulSet's pods as Kubernetes would on a node of their own: every pod
is a host of :class:`netns.Harness` (its own network namespace and address), its container
a process started with exactly the manifest's command and args (``$(VAR)`` expanded from
its environment: ``envFrom`` ConfigMaps and Secrets, ``env`` values, the downward API's
``metadata.name``, ``metadata.namespace``, ``status.podIP``, ...), in a mount namespace of
its own where every ``volumeMount`` is a bind mount at its ``mountPath`` (PersistentVolume
claims and emptyDirs are folders, Secrets and ConfigMaps folders of files with their
``defaultMode`` and the pod's ``fsGroup``), the root read-only when
``readOnlyRootFilesystem``, as ``runAsUser``:``runAsGroup`` (with ``fsGroup``) without
capabilities. The image's entrypoint is ``/usr/local/bin/anant-SERVICE`` (images/README.md):
the binaries' folder is bound at ``/usr/local/bin``.

The kubelet of each pod probes as declared (startup, then readiness and liveness, HTTP GET
on the named port, from a "node" namespace, with the probes' thresholds and timeouts; the
periods are multiplied by ``probe_scale`` to keep a test short), restarts an exited or
unhealthy container with a back-off (restartPolicy Always), and deletes a pod as the API
server and kubelet do: out of the Service endpoints at once, the preStop hook (``sleep``),
SIGTERM, SIGKILL when ``terminationGracePeriodSeconds`` has passed since the deletion.

Service DNS is the harness's hosts files: for every Service, ``NAME``, ``NAME.NS``,
``NAME.NS.svc`` and ``NAME.NS.svc.cluster.local`` name its endpoints (ready pods matching
its selector, or every pod with ``publishNotReadyAddresses``), and a StatefulSet's pods
under its governing headless Service get ``POD.NAME[.NS[.svc[.cluster.local]]]``. A
ClusterIP Service has no virtual IP here (no kube-proxy): its name resolves to its ready
endpoints directly, which requires ``port == targetPort`` (checked).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import random
import re
import signal
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from netns import Harness, Host, Mount, Proc

__all__ = ["Cluster", "Pod", "expand", "KubeError"]

IMAGE_BIN = "/usr/local/bin"  # where the images put anant-SERVICE (images/README.md)
IMAGE_WORKDIR = "/tmp"  # the images' working folder
VAR = re.compile(r"\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)")


class KubeError(RuntimeError):
    pass


def expand(text: str, env: Mapping[str, str]) -> str:
    """Kubernetes' ``$(VAR)`` expansion: a defined VAR is replaced, an undefined one kept
    as written, ``$$`` is a literal ``$``."""

    def one(match: "re.Match[str]") -> str:
        if match.group(0) == "$$":
            return "$"
        name = match.group(1)
        return env[name] if name in env else match.group(0)

    return VAR.sub(one, text)


def _labels_match(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


def _quantity(text: Any) -> float:
    """A Kubernetes quantity as a number (cpu "500m" -> 0.5, memory "1Gi" -> bytes)."""
    value = str(text)
    units = {"m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "Ki": 1024, "Mi": 1024 ** 2, "Gi": 1024 ** 3,
             "Ti": 1024 ** 4}
    for suffix in sorted(units, key=len, reverse=True):
        if value.endswith(suffix):
            return float(value[: -len(suffix)]) * units[suffix]
    return float(value)


@dataclass
class Event:
    time: float
    pod: str
    what: str

    def __str__(self) -> str:
        return f"{time.strftime('%H:%M:%S', time.localtime(self.time))}.{int(self.time % 1 * 1000):03d} {self.pod}: {self.what}"


@dataclass
class Termination:
    """How a deleted pod ended."""

    pod: str
    grace: float
    pre_stop: float
    sigterm_to_exit: Optional[float]
    exit_code: Optional[int]
    killed: bool


@dataclass
class Pod:
    name: str
    workload: str
    kind: str
    template: Dict[str, Any]
    host: Host
    labels: Dict[str, str]
    container: Dict[str, Any]
    ordinal: Optional[int] = None
    proc: Optional[Proc] = None
    env: Dict[str, str] = field(default_factory=dict)
    argv: List[str] = field(default_factory=list)
    mounts: List[Mount] = field(default_factory=list)
    ready: bool = False
    started: bool = False
    deleting: bool = False
    deleted: bool = False
    restarts: int = 0
    ready_line: Optional[dict] = None
    ready_at: Optional[float] = None
    created: float = field(default_factory=time.time)
    thread: Optional[threading.Thread] = None
    wake: threading.Event = field(default_factory=threading.Event)
    exits: List[Tuple[float, Optional[int], str]] = field(default_factory=list)

    @property
    def ip(self) -> str:
        return self.host.ip

    @property
    def spec(self) -> Dict[str, Any]:
        return self.template["spec"]

    def port(self, name_or_number: Any) -> int:
        if isinstance(name_or_number, int):
            return name_or_number
        if str(name_or_number).isdigit():
            return int(name_or_number)
        for port in self.container.get("ports", []):
            if port.get("name") == name_or_number:
                return int(port["containerPort"])
        raise KubeError(f"{self.name}: no container port named {name_or_number}")


class Cluster:
    """The rendered objects of one namespace, run on ``net``.

    Args:
        net: the harness; the cluster adds a "node" host that probes (``kubelet``).
        objects: the rendered objects (dicts).
        bin_dir: the folder of anant-metadata, anant-storage, anant-compute, anant-gateway.
        work_dir: where the volumes go (``pv/`` outlives a pod, as a claim does; ``pods/``).
        probe_scale: periods of probes and restart back-offs are multiplied by this.
        on_event: called with every :class:`Event` (also kept in ``events``).
        enforce_policies: enforce the NetworkPolicies with nftables in every pod's
            namespace (ingress and egress, TCP; the node's probes are always let in), and
            record what they drop (:meth:`dropped`).
    """

    def __init__(self, net: Harness, objects: Sequence[Mapping[str, Any]], bin_dir: str, work_dir: str,
                 probe_scale: float = 0.2, on_event: Optional[Callable[[Event], None]] = None,
                 enforce_policies: bool = True) -> None:
        self.net = net
        self.bin_dir = os.path.abspath(bin_dir)
        self.work_dir = os.path.abspath(work_dir)
        self.probe_scale = probe_scale
        self.on_event = on_event
        self.events: List[Event] = []
        self.terminations: List[Termination] = []
        self.lock = threading.RLock()
        self.objects = [copy.deepcopy(dict(o)) for o in objects if o]
        self.namespace = ""
        self.configmaps: Dict[str, Dict[str, str]] = {}
        self.secrets: Dict[str, Dict[str, bytes]] = {}
        self.services: Dict[str, Dict[str, Any]] = {}
        self.workloads: Dict[str, Dict[str, Any]] = {}
        self.pods: Dict[str, Pod] = {}
        self.revisions: Dict[str, int] = {}
        self.policies: List[Dict[str, Any]] = []
        self.namespace_labels: Dict[str, str] = {}
        self.enforce_policies = enforce_policies
        self.outside: Dict[str, str] = {}  # address -> name of hosts that are not pods (client, kubelet)
        self.findings: List[str] = []  # what does not map onto hosts (reported, not fatal)
        self.drops: List[Dict[str, Any]] = []
        self._stopping = threading.Event()
        for obj in self.objects:
            kind, meta = obj.get("kind"), obj.get("metadata", {})
            name = meta.get("name", "")
            if kind == "Namespace":
                self.namespace = name
            elif kind == "ConfigMap":
                self.configmaps[name] = {k: str(v) for k, v in (obj.get("data") or {}).items()}
            elif kind == "Secret":
                data = {k: base64.b64decode(v) for k, v in (obj.get("data") or {}).items()}
                data.update({k: str(v).encode() for k, v in (obj.get("stringData") or {}).items()})
                self.secrets[name] = data
            elif kind == "Service":
                self.services[name] = obj
            elif kind in ("Deployment", "StatefulSet"):
                self.workloads[name] = obj
            elif kind == "NetworkPolicy":
                self.policies.append(obj)
            if meta.get("namespace") and not self.namespace:
                self.namespace = meta["namespace"]
        self.namespace = self.namespace or "default"
        for obj in self.objects:
            if obj.get("kind") == "Namespace" and obj["metadata"]["name"] == self.namespace:
                self.namespace_labels = dict(obj["metadata"].get("labels") or {})
        self.namespace_labels["kubernetes.io/metadata.name"] = self.namespace
        for service in self.services.values():
            if service["spec"].get("clusterIP") != "None":
                for port in service["spec"].get("ports", []):
                    target = port.get("targetPort", port["port"])
                    if isinstance(target, int) and target != port["port"]:
                        raise KubeError(f"Service {service['metadata']['name']}: port {port['port']} -> {target} needs a proxy")
        self.kubelet = net.add_host("kubelet")  # the "node": probes come from here
        self.outside[self.kubelet.ip] = "kubelet (node)"

    # MARK: Events and DNS

    def event(self, pod: str, what: str) -> None:
        item = Event(time.time(), pod, what)
        with self.lock:
            self.events.append(item)
        if self.on_event:
            self.on_event(item)

    def endpoints(self, service: str) -> List[Pod]:
        """The pods the Service's endpoints list now (in creation order)."""
        spec = self.services[service]["spec"]
        selector = spec.get("selector") or {}
        not_ready = bool(spec.get("publishNotReadyAddresses"))
        with self.lock:
            pods = [p for p in self.pods.values() if not p.deleted and selector and _labels_match(selector, p.labels)]
        return [p for p in sorted(pods, key=lambda p: p.created)
                if (not_ready and p.proc is not None) or (p.ready and not p.deleting)]

    def dns(self) -> Dict[str, List[str]]:
        """Every Service name (and StatefulSet pod name) with the addresses it resolves to."""
        names: Dict[str, List[str]] = {}
        ns = self.namespace
        for service, obj in self.services.items():
            pods = self.endpoints(service)
            addresses = [p.ip for p in pods]
            for name in (service, f"{service}.{ns}", f"{service}.{ns}.svc", f"{service}.{ns}.svc.cluster.local"):
                names[name] = addresses
            if obj["spec"].get("clusterIP") == "None":
                for pod in pods:
                    if pod.kind == "StatefulSet" and self.workloads[pod.workload]["spec"].get("serviceName") == service:
                        base = f"{pod.name}.{service}"
                        for name in (base, f"{base}.{ns}", f"{base}.{ns}.svc", f"{base}.{ns}.svc.cluster.local"):
                            names[name] = [pod.ip]
        return names

    def sync_dns(self) -> None:
        with self.lock:
            self.net.set_names(self.dns(), replace=True)

    # MARK: NetworkPolicies (nftables)

    def _selects(self, selector: Optional[Mapping[str, Any]], labels: Mapping[str, str]) -> bool:
        """A label selector (matchLabels, matchExpressions); an empty one selects all."""
        selector = selector or {}
        if not _labels_match(selector.get("matchLabels") or {}, labels):
            return False
        for expression in selector.get("matchExpressions") or []:
            key, operator, values = expression["key"], expression["operator"], expression.get("values") or []
            if operator == "In" and labels.get(key) not in values:
                return False
            if operator == "NotIn" and labels.get(key) in values:
                return False
            if operator == "Exists" and key not in labels:
                return False
            if operator == "DoesNotExist" and key in labels:
                return False
        return True

    def _peers(self, peers: Optional[Sequence[Mapping[str, Any]]]) -> Optional[List[Tuple[Optional[Pod], str]]]:
        """The (pod, address) pairs a from/to list names; None for "anywhere"."""
        if not peers:
            return None
        found: List[Tuple[Optional[Pod], str]] = []
        with self.lock:
            pods = [p for p in self.pods.values() if not p.deleted]
        for peer in peers:
            if "ipBlock" in peer:
                found.append((None, peer["ipBlock"]["cidr"]))
                continue
            if "namespaceSelector" in peer and not self._selects(peer["namespaceSelector"], self.namespace_labels):
                continue  # another namespace: no pod of ours is there
            for pod in pods:
                if self._selects(peer.get("podSelector"), pod.labels):
                    found.append((pod, pod.ip))
        return found

    def _ports(self, ports: Optional[Sequence[Mapping[str, Any]]], pods: Sequence[Pod]) -> Optional[List[str]]:
        """The TCP ports a rule names (named ports through the pods that serve them); None
        for every port."""
        if not ports:
            return None
        numbers: List[str] = []
        for port in ports:
            if port.get("protocol", "TCP") != "TCP":
                continue
            value = port.get("port")
            if value is None:
                return None
            if isinstance(value, int) or str(value).isdigit():
                end = port.get("endPort")
                numbers.append(f"{value}-{end}" if end else str(value))
            else:
                for pod in pods:
                    try:
                        numbers.append(str(pod.port(value)))
                    except KubeError:
                        pass
        return sorted(set(numbers))

    def _rules(self, pod: Pod, direction: str) -> Optional[List[str]]:
        """The nftables accept rules of the policies that select ``pod`` in one direction
        ("ingress" or "egress"); None when no policy isolates it that way."""
        key, peer_key, address = (("ingress", "from", "saddr") if direction == "ingress" else ("egress", "to", "daddr"))
        isolating = False
        rules: List[str] = []
        for policy in self.policies:
            spec = policy["spec"]
            if not self._selects(spec.get("podSelector"), pod.labels):
                continue
            types = spec.get("policyTypes") or (["Ingress"] + (["Egress"] if "egress" in spec else []))
            if direction.capitalize() not in types:
                continue
            isolating = True
            for rule in spec.get(key) or []:
                peers = self._peers(rule.get(peer_key))
                if peers is not None and not peers:
                    continue
                targets = [pod] if direction == "ingress" else [p for p, _ in (peers or []) if p is not None]
                ports = self._ports(rule.get("ports"), targets)
                if ports is not None and not ports:
                    continue
                match = ""
                if peers is not None:
                    match += f"ip {address} {{ {', '.join(sorted(set(a for _, a in peers)))} }} "
                if ports is not None:
                    match += f"tcp dport {{ {', '.join(ports)} }} "
                rules.append(match + "accept")
        return rules if isolating else None

    def sync_policies(self) -> None:
        """Every pod's nftables table, from the NetworkPolicies and today's pod addresses."""
        if not self.enforce_policies or not self.policies:
            return
        with self.lock:
            pods = [p for p in self.pods.values() if not p.deleted]
            for pod in pods:
                lines = ["table inet anantnp {", "}", "delete table inet anantnp", "table inet anantnp {",
                         "  set dropped_in { type ipv4_addr . ipv4_addr . inet_service; flags dynamic; size 4096; }",
                         "  set dropped_out { type ipv4_addr . ipv4_addr . inet_service; flags dynamic; size 4096; }"]
                for direction, chain, hook, local in (("ingress", "input", "input", "iif"), ("egress", "output", "output", "oif")):
                    rules = self._rules(pod, direction)
                    lines.append(f"  chain {chain} {{ type filter hook {hook} priority 0; policy accept;")
                    if rules is not None:
                        lines += ["    ct state established,related accept", f"    {local} \"lo\" accept"]
                        if direction == "ingress":  # the kubelet's probes (the node) always pass
                            lines.append(f"    ip saddr {self.kubelet.ip} accept")
                        lines += [f"    {r}" for r in rules]
                        target = "dropped_in" if direction == "ingress" else "dropped_out"
                        lines.append(f"    meta l4proto tcp add @{target} {{ ip saddr . ip daddr . tcp dport }} counter drop")
                        lines.append("    counter drop")
                    lines.append("  }")
                lines.append("}")
                self.collect_dropped(pod)  # the table is replaced: keep what it recorded
                self.net.nft(pod.host, "\n".join(lines) + "\n")

    def collect_dropped(self, pod: Pod) -> None:
        """Moves what ``pod``'s tables dropped into ``self.drops`` (each with the time it was
        first seen, and whether the far end was a pod that was gone or going: a stale
        address, not a path the policies forbid between live pods)."""
        if not self.enforce_policies or pod.host.name not in self.net.hosts:
            return
        for name in ("dropped_in", "dropped_out"):
            for element in self.net.nft_set_elements(pod.host, "inet anantnp", name):
                if len(element) != 3:
                    continue
                direction, source, target, port = name[len("dropped_"):], str(element[0]), str(element[1]), int(element[2])
                far = target if direction == "out" else source
                with self.lock:
                    if any(d["direction"] == direction and d["source"] == source and d["target"] == target and d["port"] == port
                           for d in self.drops):
                        continue
                    peer = next((p for p in self.pods.values() if p.ip == far), None)
                    stale = peer is not None and (peer.deleted or peer.deleting)
                    item = {"time": time.time(), "direction": direction, "source": source, "target": target, "port": port,
                            "stale": stale, "text": f"{self.who(source)} -> {self.who(target)}:{port}"
                                                    + (" (a pod that is gone)" if stale else "")}
                    self.drops.append(item)
                self.event(pod.name, f"NetworkPolicy dropped {direction}going: {item['text']}")

    def watch_drops(self, interval: float = 0.5) -> None:
        """Reads every pod's drop sets each ``interval`` on a thread of its own, so that each
        dropped connection's event carries (about) its time."""
        if not self.enforce_policies or not self.policies:
            return

        def watch() -> None:
            while not self._stopping.wait(interval):
                with self.lock:
                    pods = [p for p in self.pods.values() if not p.deleted]
                for pod in pods:
                    try:
                        self.collect_dropped(pod)
                    except Exception:  # a namespace going away meanwhile
                        pass

        threading.Thread(target=watch, name="netpol-drops", daemon=True).start()

    def who(self, address: str) -> str:
        """A pod's name (or the outside host's) for an address."""
        with self.lock:
            for pod in self.pods.values():
                if pod.ip == address:
                    return f"{pod.name} ({address})"
        return f"{self.outside.get(address, 'outside')} ({address})"

    def dropped(self) -> List[Dict[str, Any]]:
        """Every connection the NetworkPolicies dropped so far."""
        with self.lock:
            pods = [p for p in self.pods.values() if not p.deleted]
        for pod in pods:
            self.collect_dropped(pod)
        with self.lock:
            return list(self.drops)

    # MARK: Pods

    def _pod_name(self, workload: Dict[str, Any], ordinal: Optional[int]) -> str:
        name = workload["metadata"]["name"]
        if workload["kind"] == "StatefulSet":
            return f"{name}-{ordinal}"
        revision = self.revisions.get(name, 0)
        template = json.dumps(workload["spec"]["template"], sort_keys=True) + f"#{revision}"
        alphabet = "bcdfghjklmnpqrstvwxz2456789"  # as Kubernetes' SafeEncodeString
        digest = hashlib.sha256(template.encode()).digest()
        pod_hash = "".join(alphabet[b % len(alphabet)] for b in digest[:10])
        suffix = "".join(random.choice(alphabet) for _ in range(5))
        return f"{name}-{pod_hash}-{suffix}"

    def replicas(self, workload: str) -> int:
        spec = self.workloads[workload]["spec"]
        return int(spec.get("replicas", 1))

    def start_workload(self, workload: str) -> List[Pod]:
        """Creates the workload's pods (``replicas`` of them), not waiting for them."""
        count = self.replicas(workload)
        return [self.create_pod(workload, ordinal=i if self.workloads[workload]["kind"] == "StatefulSet" else None)
                for i in range(count)]

    def rollout(self, workload: str) -> None:
        """A new revision of a Deployment: later pods get a new pod-template hash."""
        self.revisions[workload] = self.revisions.get(workload, 0) + 1

    def create_pod(self, workload: str, ordinal: Optional[int] = None) -> Pod:
        obj = self.workloads[workload]
        template = copy.deepcopy(obj["spec"]["template"])
        containers = template["spec"]["containers"]
        if len(containers) != 1 or template["spec"].get("initContainers"):
            raise KubeError(f"{workload}: one container and no init containers are supported")
        name = self._pod_name(obj, ordinal)
        host = self.net.add_host(name)
        pod = Pod(name=name, workload=workload, kind=obj["kind"], template=template, host=host,
                  labels=dict(template.get("metadata", {}).get("labels", {})), container=containers[0], ordinal=ordinal)
        pod.env = self._environment(pod)
        pod.argv = self._argv(pod)
        pod.mounts = self._volumes(pod)
        with self.lock:
            self.pods[name] = pod
        self.sync_policies()
        self.event(name, f"created on {host.ip}: {' '.join(pod.argv)}")
        pod.thread = threading.Thread(target=self._kubelet, args=(pod,), name=f"kubelet-{name}", daemon=True)
        pod.thread.start()
        return pod

    def _environment(self, pod: Pod) -> Dict[str, str]:
        container = pod.container
        env: Dict[str, str] = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME": pod.name}
        for source in container.get("envFrom", []):
            prefix = source.get("prefix", "")
            if "configMapRef" in source:
                ref = source["configMapRef"]
                data = self.configmaps.get(ref["name"])
                if data is None and not ref.get("optional"):
                    raise KubeError(f"{pod.name}: no ConfigMap {ref['name']}")
                env.update({prefix + k: v for k, v in (data or {}).items()})
            elif "secretRef" in source:
                ref = source["secretRef"]
                data_b = self.secrets.get(ref["name"])
                if data_b is None and not ref.get("optional"):
                    raise KubeError(f"{pod.name}: no Secret {ref['name']}")
                env.update({prefix + k: v.decode() for k, v in (data_b or {}).items()})
        for item in container.get("env", []):
            name = item["name"]
            if "value" in item:
                env[name] = expand(str(item["value"]), env)
                continue
            source = item.get("valueFrom", {})
            if "fieldRef" in source:
                env[name] = self._field(pod, source["fieldRef"]["fieldPath"])
            elif "configMapKeyRef" in source:
                ref = source["configMapKeyRef"]
                env[name] = self.configmaps[ref["name"]][ref["key"]]
            elif "secretKeyRef" in source:
                ref = source["secretKeyRef"]
                env[name] = self.secrets[ref["name"]][ref["key"]].decode()
            elif "resourceFieldRef" in source:
                ref = source["resourceFieldRef"]
                kind, _, resource = ref["resource"].partition(".")
                value = _quantity(container.get("resources", {}).get(kind, {}).get(resource, 0))
                divisor = _quantity(ref.get("divisor", "1"))
                env[name] = str(max(1, int(-(-value // divisor))) if resource == "cpu" else int(value // divisor))
            else:
                raise KubeError(f"{pod.name}: env {name}: unsupported valueFrom {source}")
        return env

    def _field(self, pod: Pod, path: str) -> str:
        values = {
            "metadata.name": pod.name,
            "metadata.namespace": self.namespace,
            "metadata.uid": hashlib.md5(pod.name.encode()).hexdigest(),
            "status.podIP": pod.ip,
            "status.podIPs": pod.ip,
            "status.hostIP": self.kubelet.ip,
            "spec.nodeName": pod.host.name,
            "spec.serviceAccountName": pod.spec.get("serviceAccountName", "default"),
        }
        if path in values:
            return values[path]
        match = re.fullmatch(r"metadata\.(labels|annotations)\['([^']+)'\]", path)
        if match:
            return str(pod.template.get("metadata", {}).get(match.group(1), {}).get(match.group(2), ""))
        raise KubeError(f"{pod.name}: unsupported fieldRef {path}")

    def _argv(self, pod: Pod) -> List[str]:
        container = pod.container
        image = container["image"]
        match = re.fullmatch(r"(?:[^/]+/)*anant/([a-z]+)(?::[^@]+)?(?:@.*)?", image)
        if not match:
            raise KubeError(f"{pod.name}: the image {image} is not one of localhost/anant/SERVICE")
        entrypoint = [f"{IMAGE_BIN}/anant-{match.group(1)}"]
        binary = os.path.join(self.bin_dir, f"anant-{match.group(1)}")
        if not os.access(binary, os.X_OK):
            raise KubeError(f"{pod.name}: no executable {binary}")
        command = [expand(str(c), pod.env) for c in container.get("command", [])] or entrypoint
        return command + [expand(str(a), pod.env) for a in container.get("args", [])]

    def _ids(self, pod: Pod) -> Tuple[Optional[int], Optional[int], List[int], bool]:
        pod_sc = pod.spec.get("securityContext", {}) or {}
        sc = dict(pod_sc)
        sc.update(pod.container.get("securityContext", {}) or {})
        uid, gid = sc.get("runAsUser"), sc.get("runAsGroup")
        if sc.get("runAsNonRoot") and (uid is None or uid == 0):
            raise KubeError(f"{pod.name}: runAsNonRoot without a non-zero runAsUser (the image's user would be checked)")
        groups = [int(pod_sc["fsGroup"])] if pod_sc.get("fsGroup") is not None else []
        groups += [int(g) for g in pod_sc.get("supplementalGroups", [])]
        return uid, gid, groups, bool(sc.get("readOnlyRootFilesystem"))

    def _volumes(self, pod: Pod) -> List[Mount]:
        uid, gid, groups, _ = self._ids(pod)
        fs_group = (pod.spec.get("securityContext") or {}).get("fsGroup")
        volumes = {v["name"]: v for v in pod.spec.get("volumes", [])}
        claims = {c["metadata"]["name"]: c for c in self.workloads[pod.workload]["spec"].get("volumeClaimTemplates", [])}
        mounts = [Mount(self.bin_dir, IMAGE_BIN, read_only=True)]
        made: Dict[str, str] = {}
        for mount in pod.container.get("volumeMounts", []):
            name = mount["name"]
            if name not in made:
                if name in claims:  # a PersistentVolume: one per (claim, pod), outliving the pod
                    path = os.path.join(self.work_dir, "pv", f"{name}-{pod.name}")
                    os.makedirs(path, exist_ok=True)
                    if fs_group is not None:  # the kubelet's fsGroup ownership (OnRootMismatch: once)
                        os.chown(path, 0, int(fs_group))
                        os.chmod(path, 0o2775)
                elif name in volumes and "emptyDir" in volumes[name]:
                    path = os.path.join(self.work_dir, "pods", pod.name, name)
                    os.makedirs(path, exist_ok=True)
                    os.chmod(path, 0o777)
                    if fs_group is not None:
                        os.chown(path, 0, int(fs_group))
                        os.chmod(path, 0o2777)
                elif name in volumes and ("secret" in volumes[name] or "configMap" in volumes[name]):
                    path = self._files_volume(pod, volumes[name], fs_group)
                else:
                    raise KubeError(f"{pod.name}: volume {name} is neither a claim, an emptyDir, a Secret nor a ConfigMap")
                made[name] = path
            source = made[name]
            if mount.get("subPath"):
                source = os.path.join(source, expand(mount["subPath"], pod.env))
                os.makedirs(source, exist_ok=True)
            mounts.append(Mount(source, mount["mountPath"], read_only=bool(mount.get("readOnly"))))
        # A mount whose target hides another's source (/tmp over a work_dir in /tmp) goes last;
        # parents before children.
        def key(m: Mount) -> Tuple[int, int]:
            hides = any(o is not m and (o.source + "/").startswith(m.target.rstrip("/") + "/") for o in mounts)
            return (1 if hides else 0, m.target.count("/"))

        return sorted(mounts, key=key)

    def _files_volume(self, pod: Pod, volume: Mapping[str, Any], fs_group: Optional[int]) -> str:
        kind = "secret" if "secret" in volume else "configMap"
        spec = volume[kind]
        ref = spec.get("secretName") if kind == "secret" else spec.get("name")
        data: Dict[str, bytes]
        if kind == "secret":
            data = dict(self.secrets.get(ref, {}))
        else:
            data = {k: v.encode() for k, v in self.configmaps.get(ref, {}).items()}
        if not data and not spec.get("optional"):
            raise KubeError(f"{pod.name}: no {kind} {ref}")
        mode = int(spec.get("defaultMode", 0o644))
        items = spec.get("items") or [{"key": k, "path": k} for k in data]
        path = os.path.join(self.work_dir, "pods", pod.name, volume["name"])
        os.makedirs(path, exist_ok=True)
        os.chmod(path, 0o755)  # the kubelet's tmpfs for a Secret: 1777-less, files read-only
        for item in items:
            target = os.path.join(path, item["path"])
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "wb") as handle:
                handle.write(data[item["key"]])
            os.chmod(target, int(item.get("mode", mode)))
            if fs_group is not None:
                os.chown(target, 0, int(fs_group))
        return path

    # MARK: The kubelet

    def _start_container(self, pod: Pod) -> None:
        uid, gid, groups, read_only = self._ids(pod)
        attempt = pod.restarts
        pod.proc = self.net.spawn(pod.host, pod.argv, name=f"{pod.name}" + (f".{attempt}" if attempt else ""),
                                  env=pod.env, mounts=pod.mounts, read_only_root=read_only, uid=uid, gid=gid,
                                  groups=groups, hostname=pod.name, workdir=pod.container.get("workingDir", IMAGE_WORKDIR))
        self.event(pod.name, f"container started (pid {pod.proc.pid}, restart {attempt})")
        self.sync_dns()  # publishNotReadyAddresses: the address is out from now on

    def _probe(self, pod: Pod, probe: Mapping[str, Any]) -> Tuple[bool, str]:
        timeout = float(probe.get("timeoutSeconds", 1))
        if "httpGet" in probe:
            get = probe["httpGet"]
            if get.get("scheme", "HTTP") != "HTTP":
                raise KubeError(f"{pod.name}: only HTTP probes are supported")
            status, body = self.net.http_get(self.kubelet, get.get("host", pod.ip), pod.port(get["port"]),
                                             get.get("path", "/"), timeout=timeout)
            return 200 <= status < 400, f"HTTP {status} {body[:80].strip()}"
        if "tcpSocket" in probe:
            import socket

            port = pod.port(probe["tcpSocket"]["port"])

            def connect() -> bool:
                try:
                    socket.create_connection((pod.ip, port), timeout=timeout).close()
                    return True
                except OSError:
                    return False

            ok = self.net.call_in(self.kubelet, connect, timeout=timeout + 5)
            return ok, "tcp " + ("open" if ok else "refused")
        raise KubeError(f"{pod.name}: unsupported probe {probe}")

    def _sleep(self, pod: Pod, seconds: float) -> None:
        pod.wake.wait(max(0.0, seconds))

    def _kubelet(self, pod: Pod) -> None:
        backoff = 10.0
        try:
            while not pod.deleting:
                self._start_container(pod)
                reason = self._supervise(pod)
                if pod.deleting:
                    break
                pod.restarts += 1
                wait = backoff * self.probe_scale
                self.event(pod.name, f"{reason}; restarting in {wait:.1f}s (back-off)")
                self._sleep(pod, wait)
                backoff = min(backoff * 2, 300.0)
        except Exception as error:  # a broken kubelet must show, not hang the test
            self.event(pod.name, f"kubelet failed: {error!r}")
            pod.deleting = True

    def _supervise(self, pod: Pod) -> str:
        container = pod.container
        startup, readiness, liveness = (container.get("startupProbe"), container.get("readinessProbe"),
                                        container.get("livenessProbe"))
        scale = self.probe_scale
        start = time.monotonic()
        pod.started, pod.ready = startup is None, readiness is None and startup is None
        if pod.ready:
            pod.ready_at = time.time()
            self.sync_dns()
        due = {"startup": start + float((startup or {}).get("initialDelaySeconds", 0))}
        fails = {"startup": 0, "readiness": 0, "liveness": 0}
        first_fail = {"readiness": 0.0, "liveness": 0.0}
        successes = 0

        def failed(kind: str, probe: Mapping[str, Any], now: float) -> bool:
            # failureThreshold consecutive failures, over at least the declared span in wall
            # time ((threshold - 1) × periodSeconds, unscaled): scaling only probes sooner.
            if fails[kind] == 1:
                first_fail[kind] = now
            threshold = int(probe.get("failureThreshold", 3))
            return fails[kind] >= threshold and now - first_fail[kind] >= (threshold - 1) * float(probe.get("periodSeconds", 10))

        while True:
            if pod.deleting:
                return "deleted"
            code = pod.proc.poll() if pod.proc else 0
            if code is not None:
                was_ready = pod.ready
                pod.ready = False
                pod.exits.append((time.time(), code, pod.proc.stderr_tail(5) if pod.proc else ""))
                if was_ready:
                    self.sync_dns()
                return f"container exited {code}"
            if pod.ready_line is None and pod.proc is not None:
                pod.ready_line = pod.proc.ready_line()
                if pod.ready_line is not None:
                    self.event(pod.name, f"ready line {json.dumps(pod.ready_line)}")
            now = time.monotonic()
            if not pod.started and now >= due["startup"]:
                ok, detail = self._probe(pod, startup)
                if ok:
                    pod.started = True
                    self.event(pod.name, f"startup probe passed {time.monotonic() - start:.2f}s after the container started")
                    due["readiness"] = now
                    due["liveness"] = now + float((liveness or {}).get("periodSeconds", 10)) * scale
                    if readiness is None:
                        pod.ready, pod.ready_at = True, time.time()
                        self.sync_dns()
                else:
                    fails["startup"] += 1
                    # Probed every period × scale, but the declared window (failureThreshold ×
                    # periodSeconds) is kept in wall time: a slow start is not cut shorter.
                    period = float(startup.get("periodSeconds", 10))
                    threshold = int(startup.get("failureThreshold", 3))
                    if fails["startup"] >= threshold and now - start >= period * threshold:
                        self._kill(pod)
                        return f"startup probe failed {fails['startup']} times ({detail})"
                    due["startup"] = now + period * scale
            if pod.started and readiness is not None and now >= due.get("readiness", float("inf")):
                ok, detail = self._probe(pod, readiness)
                period = float(readiness.get("periodSeconds", 10)) * scale
                due["readiness"] = time.monotonic() + period
                if ok:
                    fails["readiness"], successes = 0, successes + 1
                    if not pod.ready and successes >= int(readiness.get("successThreshold", 1)):
                        pod.ready, pod.ready_at = True, time.time()
                        self.event(pod.name, f"ready ({time.monotonic() - start:.2f}s after the container started)")
                        self.sync_dns()
                else:
                    successes = 0
                    fails["readiness"] += 1
                    if pod.ready and failed("readiness", readiness, now):
                        pod.ready = False
                        self.event(pod.name, f"not ready: {detail}")
                        self.sync_dns()
            if pod.started and liveness is not None and now >= due.get("liveness", float("inf")):
                ok, detail = self._probe(pod, liveness)
                due["liveness"] = time.monotonic() + float(liveness.get("periodSeconds", 10)) * scale
                if ok:
                    fails["liveness"] = 0
                else:
                    fails["liveness"] += 1
                    self.event(pod.name, f"liveness probe failed ({detail})")
                    if failed("liveness", liveness, now):
                        self._kill(pod)
                        return f"liveness probe failed {fails['liveness']} times"
            self._sleep(pod, 0.05)

    def _kill(self, pod: Pod) -> None:
        """A failed startup or liveness probe: the container is stopped with its grace."""
        if pod.proc is not None and pod.proc.alive:
            grace = float(pod.spec.get("terminationGracePeriodSeconds", 30))
            self.net.stop(pod.proc, grace=grace)
        pod.ready = False
        self.sync_dns()

    # MARK: Readiness and deletion

    def wait_ready(self, pods: Sequence[Pod], timeout: float) -> None:
        """Waits until every pod is ready; KubeError naming the late ones otherwise."""
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if all(p.ready for p in pods):
                return
            time.sleep(0.05)
        late = [p for p in pods if not p.ready]
        details = "; ".join(f"{p.name} (restarts {p.restarts}, exits {[(c, t[-300:]) for _, c, t in p.exits]}, "
                            f"stderr: {p.proc.stderr_tail(3) if p.proc else ''})" for p in late)
        raise KubeError(f"not ready after {timeout:.0f}s: {details}")

    def startup_window(self, workload: str) -> float:
        """How long the manifests let a pod take to become ready: the startup probe's
        failureThreshold × periodSeconds, plus the readiness probe's first period."""
        container = self.workloads[workload]["spec"]["template"]["spec"]["containers"][0]
        startup = container.get("startupProbe") or {}
        readiness = container.get("readinessProbe") or {}
        window = float(startup.get("initialDelaySeconds", 0)) + float(startup.get("periodSeconds", 10)) * int(
            startup.get("failureThreshold", 3))
        return window + float(readiness.get("periodSeconds", 10)) * int(readiness.get("successThreshold", 1))

    def delete_pod(self, pod: Pod) -> Termination:
        """Deletes a pod as Kubernetes does, and waits until it is gone."""
        begin = time.monotonic()
        grace = float(pod.spec.get("terminationGracePeriodSeconds", 30))
        pod.deleting = True
        pod.wake.set()
        self.event(pod.name, f"deleting (grace {grace:.0f}s)")
        self.sync_dns()  # the endpoints drop it at once (a terminating pod is not ready)
        if pod.thread is not None:
            pod.thread.join(timeout=10)
        pre_stop = 0.0
        hook = (pod.container.get("lifecycle") or {}).get("preStop") or {}
        if "sleep" in hook:
            pre_stop = min(float(hook["sleep"]["seconds"]), grace)
            self.event(pod.name, f"preStop: sleep {pre_stop:.0f}s")
            time.sleep(pre_stop)
        elif "httpGet" in hook:
            get = hook["httpGet"]
            self.net.http_get(self.kubelet, pod.ip, pod.port(get["port"]), get.get("path", "/"), timeout=grace)
            pre_stop = time.monotonic() - begin
        elif hook:
            raise KubeError(f"{pod.name}: unsupported preStop {hook}")
        sigterm_to_exit: Optional[float] = None
        code: Optional[int] = None
        killed = False
        if pod.proc is not None and pod.proc.alive:
            left = max(0.0, grace - (time.monotonic() - begin))
            self.event(pod.name, "SIGTERM")
            term = time.monotonic()
            code, killed = self.net.stop(pod.proc, grace=left, sig=signal.SIGTERM)
            sigterm_to_exit = time.monotonic() - term
            self.event(pod.name, f"exited {code} {sigterm_to_exit:.2f}s after SIGTERM" + (" (SIGKILL)" if killed else ""))
        elif pod.proc is not None:
            code = pod.proc.poll()
        pod.deleted = True
        self.sync_dns()
        self.collect_dropped(pod)
        self.net.remove_host(pod.host)
        self.sync_policies()
        result = Termination(pod.name, grace, pre_stop, sigterm_to_exit, code, killed)
        with self.lock:
            self.terminations.append(result)
        return result

    def delete_all(self) -> None:
        """Stops every pod quickly (SIGTERM, 5 s, SIGKILL): the end of a test."""
        self._stopping.set()
        for pod in list(self.pods.values()):
            pod.deleting = True
            pod.wake.set()
        for pod in list(self.pods.values()):
            if pod.proc is not None and pod.proc.alive:
                self.net.stop(pod.proc, grace=5)
            pod.deleted = True

    def live_pods(self, workload: str) -> List[Pod]:
        with self.lock:
            return [p for p in self.pods.values() if p.workload == workload and not p.deleting]

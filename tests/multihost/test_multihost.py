#!/usr/bin/env python3
"""The manifest-driven multi-host test (issue 14, item 4).

Renders an overlay of k8s/ (``kubectl kustomize``, with throwaway secrets made as
scripts/check-k8s makes them) and runs every Deployment's and StatefulSet's pods as
Kubernetes would, each in a network namespace of its own (kube.py on netns.py): exactly the
manifests' arguments and environment, volumes at their mount paths, uid 10001, read-only
root, probes, Service names in the hosts files. Then, from a client namespace that reaches
the cluster only through the gateway Service's name, with the Python client:

1. imports data/samples/lesmis.hif.json and a generated CSV of about 50,000 incidences,
   runs operations (degrees, components, betweenness, info) and queries and compares every
   answer with the embedded CLI's (``anant ... --format arrow|json``, run outside the
   namespaces), and exports a dataset;
2. rolls the compute Deployment and then the gateway Deployment as Kubernetes does
   (maxSurge 1, maxUnavailable 0: a new pod on a new address, ready, then the old one
   deleted: out of the endpoints, the preStop sleep, SIGTERM, SIGKILL at the grace period)
   while client threads keep running operations and queries; no request may fail that the
   client's retry policy would not absorb, and every answer must stay right.

Prints what happens and a closing line ``multihost: N passed, N failed``; exit status 0
when every check passed. Needs root; run it through scripts/multihost.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import random
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import traceback
from typing import Any, Dict, List, Optional, Tuple

sys.dont_write_bytecode = True  # no __pycache__ beside the sources
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import yaml  # noqa: E402

from kube import Cluster, Event, KubeError, Pod  # noqa: E402
from netns import Harness  # noqa: E402

LESMIS = os.path.join(ROOT, "data", "samples", "lesmis.hif.json")
CSV_QUERY_ARGS = ["--group-by", "node", "--agg", "count(*) as n", "--sort", "n desc", "--sort", "node", "--limit", "20"]
# Each case of client_ops.py and the CLI arguments that must give the same answer (FILE is
# the input); "json" compares the scalars with the CLI's JSON, "arrow" the first table.
CASES: Dict[str, Tuple[str, List[str], str]] = {
    "lesmis.info": ("lesmis", ["info", "FILE"], "json"),
    "lesmis.degree": ("lesmis", ["degree", "FILE"], "json-table"),
    "lesmis.degree_s2": ("lesmis", ["degree", "FILE", "--s", "2"], "arrow"),
    "lesmis.components": ("lesmis", ["components", "FILE"], "arrow"),
    "lesmis.components_s2": ("lesmis", ["components", "FILE", "--s", "2"], "arrow"),
    "lesmis.betweenness_nodes": ("lesmis", ["centrality", "FILE", "--measure", "betweenness", "--nodes"], "arrow"),
    "lesmis.betweenness_edges_s2": ("lesmis", ["centrality", "FILE", "--measure", "betweenness", "--s", "2"], "arrow"),
    "lesmis.query": ("lesmis", ["query", "FILE", *CSV_QUERY_ARGS], "arrow"),
    "big.info": ("big", ["info", "FILE"], "json"),
    "big.degree": ("big", ["degree", "FILE"], "arrow"),
    "big.components": ("big", ["components", "FILE"], "arrow"),
    "big.betweenness_s3": ("big", ["centrality", "FILE", "--measure", "betweenness", "--s", "3"], "arrow"),
    "big.query": ("big", ["query", "FILE", *CSV_QUERY_ARGS], "arrow"),
}
T0 = time.monotonic()


def say(message: str) -> None:
    print(f"multihost [{time.monotonic() - T0:6.1f}s] {message}", flush=True)


class Checks:
    def __init__(self) -> None:
        self.passed: List[str] = []
        self.failed: List[str] = []
        self.warnings: List[str] = []

    def check(self, ok: bool, what: str, detail: str = "") -> bool:
        (self.passed if ok else self.failed).append(what + (f": {detail}" if detail and not ok else ""))
        say(f"{'PASS' if ok else 'FAIL'} {what}" + (f" ({detail})" if detail else ""))
        return ok

    def warn(self, what: str) -> None:
        self.warnings.append(what)
        say(f"WARN {what}")


# MARK: Rendering


def throwaway(path: str, admin_token: str) -> None:
    """A throwaway secret of the kind its name says, as scripts/check-k8s makes them (the
    tokens file's admin entry is the hash of ``admin_token``, which the client presents)."""
    name = os.path.basename(path)
    if name == "tokens":
        digest = subprocess.run(["sha256sum"], input=admin_token.encode(), stdout=subprocess.PIPE, check=True).stdout
        text = f"# ROLE SHA256 [NAMESPACE] (throwaway, made by tests/multihost)\nadmin {digest.decode().split()[0]}\n"
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(text)
    elif name.endswith((".crt", ".key")):
        folder = os.path.dirname(path)
        if not os.path.exists(os.path.join(folder, "tls.key")):
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                            "-days", "1", "-subj", "/CN=anant-throwaway", "-keyout", os.path.join(folder, "tls.key"),
                            "-out", os.path.join(folder, "tls.crt")], check=True, capture_output=True)
            shutil.copy(os.path.join(folder, "tls.crt"), os.path.join(folder, "ca.crt"))
    else:
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(secrets.token_hex(32) + "\n")


def render(overlay: str, work: str) -> Tuple[List[Dict[str, Any]], str]:
    """The overlay's objects, rendered in a copy of k8s/ with throwaway secrets; and the
    file of the admin token the rendered tokens Secret accepts."""
    copy = os.path.join(work, "k8s")
    shutil.copytree(os.path.join(ROOT, "k8s"), copy)
    folder = os.path.join(copy, "overlays", overlay)
    if not os.path.isdir(folder):
        raise SystemExit(f"no overlay {overlay} in k8s/overlays")
    secrets_dir = os.path.join(folder, "secrets")
    os.makedirs(secrets_dir, exist_ok=True)
    for entry in os.listdir(secrets_dir):
        if entry != "README.md":
            os.unlink(os.path.join(secrets_dir, entry))
    admin_token = secrets.token_hex(32)
    with open(os.path.join(folder, "kustomization.yaml"), encoding="utf-8") as handle:
        referenced = sorted(set(re.findall(r"secrets/[A-Za-z0-9._-]+", handle.read())))
    for relative in referenced:
        path = os.path.join(folder, relative)
        if not os.path.exists(path):
            throwaway(path, admin_token)
    token_file = os.path.join(work, "admin.token")
    with open(token_file, "w", encoding="utf-8") as handle:
        handle.write(admin_token + "\n")
    done = subprocess.run(["kubectl", "kustomize", folder], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"kubectl kustomize {overlay} failed: {done.stderr}")
    with open(os.path.join(work, f"{overlay}.yaml"), "w", encoding="utf-8") as handle:
        handle.write(done.stdout)
    return [d for d in yaml.safe_load_all(done.stdout) if d], token_file


# MARK: Data and the CLI's answers


def generate_csv(path: str, incidences: int = 50_000, seed: int = 14) -> int:
    """A seeded incidence table (header edge,node): edges of 2 to 18 nodes drawn with a
    skew towards low node ids, until ``incidences`` rows. Returns the rows written."""
    rng = random.Random(seed)
    rows = 0
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("edge,node\n")
        edge = 0
        while rows < incidences:
            size = min(rng.randint(2, 18), incidences - rows)
            members = sorted({int(12_000 * rng.random() ** 2) for _ in range(size)})
            handle.writelines(f"e{edge},n{node}\n" for node in members)
            rows += len(members)
            edge += 1
    return rows


def cli_answers(bin_dir: str, files: Dict[str, str], out: str) -> Dict[str, Any]:
    """Every case's answer from the embedded CLI (no namespace, no service): the arrow
    stream or the JSON, kept in ``out``."""
    os.makedirs(out, exist_ok=True)

    def one(name: str) -> Tuple[str, Any]:
        dataset, arguments, how = CASES[name]
        argv = [os.path.join(bin_dir, "anant")] + [files[dataset] if a == "FILE" else a for a in arguments]
        fmt = "json" if how in ("json", "json-table") else "arrow"
        done = subprocess.run(argv + ["--format", fmt], capture_output=True, timeout=300)
        if done.returncode != 0:
            return name, RuntimeError(f"{' '.join(argv)}: {done.stderr.decode()[-300:]}")
        with open(os.path.join(out, f"{name}.{fmt}"), "wb") as handle:
            handle.write(done.stdout)
        return name, done.stdout

    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(one, CASES))


def compare(name: str, cli: Any, got_dir: str) -> Tuple[bool, str]:
    import pyarrow as pa

    if isinstance(cli, Exception):
        return False, f"the CLI failed: {cli}"
    _, _, how = CASES[name]
    arrow_path, json_path = os.path.join(got_dir, f"{name}.arrow"), os.path.join(got_dir, f"{name}.json")
    if not os.path.exists(json_path):
        return False, "no answer from the cluster"
    with open(json_path, encoding="utf-8") as handle:
        scalars = json.load(handle)["scalars"]
    table = None
    if os.path.exists(arrow_path):
        with pa.OSFile(arrow_path, "rb") as source:
            table = pa.ipc.open_stream(source).read_all()
    if how == "json":
        want = json.loads(cli)
        return scalars == want, "" if scalars == want else f"scalars {scalars} != CLI {want}"
    if how == "json-table":
        want = json.loads(cli)
        got = dict(zip(table.column(0).to_pylist(), table.column(1).to_pylist())) if table is not None else None
        return got == want, "" if got == want else f"{len(got or {})} rows vs the CLI's {len(want)}"
    want_table = pa.ipc.open_stream(cli).read_all()
    if table is None:
        return False, "no table from the cluster"
    ok = table.equals(want_table)
    return ok, f"{table.num_rows} rows" if ok else f"{table.schema} {table.num_rows} rows vs the CLI's {want_table.schema} {want_table.num_rows} rows"


# MARK: The test


class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.checks = Checks()
        self.work = tempfile.mkdtemp(prefix="anant-multihost.")
        os.chmod(self.work, 0o755)
        self.logs = os.path.join(self.work, "logs")
        self.python = args.python
        self.net: Optional[Harness] = None
        self.cluster: Optional[Cluster] = None
        self.client_host = None
        self.report: Dict[str, Any] = {}
        self.event_log = None

    def on_event(self, event: Event) -> None:
        if self.event_log:
            self.event_log.write(str(event) + "\n")
            self.event_log.flush()
        if self.args.verbose or any(w in event.what for w in ("ready (", "deleting", "SIGTERM", "exited", "restarting",
                                                                  "failed", "not ready", "preStop", "dropped")):
            say(f"  {event.pod}: {event.what}")

    def client_env(self) -> Dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ANANT_")}
        env["PYTHONPATH"] = os.path.join(ROOT, "clients", "python")
        env["PYTHONUNBUFFERED"] = "1"
        env["PYTHONDONTWRITEBYTECODE"] = "1"  # nothing written into clients/python
        return env

    def client_command(self, *arguments: str) -> List[str]:
        return [self.python, os.path.join(HERE, "client_ops.py"), *arguments]

    def gateway_address(self) -> str:
        gateway = self.cluster.services["anant-gateway"]
        port = next(p["port"] for p in gateway["spec"]["ports"] if p.get("name") == "rpc")
        return f"anant-gateway:{port}"

    def main(self) -> int:
        args = self.args
        os.makedirs(self.logs, exist_ok=True)
        self.event_log = open(os.path.join(self.logs, "events.log"), "a", encoding="utf-8")
        objects, token_file = render(args.overlay, self.work)
        kinds: Dict[str, int] = {}
        for obj in objects:
            kinds[obj["kind"]] = kinds.get(obj["kind"], 0) + 1
        say(f"rendered k8s/overlays/{args.overlay}: {len(objects)} objects "
            f"({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))})")
        if any("--tls-cert" in json.dumps(o) for o in objects):
            raise SystemExit("this overlay uses TLS: the multi-host test runs overlays without it (dev)")

        csv_path = os.path.join(self.work, "big.csv")
        rows = generate_csv(csv_path, args.incidences)
        files = {"lesmis": LESMIS, "big": csv_path}
        say(f"generated {csv_path}: {rows} incidences")
        cli_pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
        cli_future = cli_pool.submit(cli_answers, args.bin, files, os.path.join(self.work, "cli"))

        with Harness(self.logs) as net:
            self.net = net
            cluster = Cluster(net, objects, args.bin, self.work, probe_scale=args.probe_scale, on_event=self.on_event,
                              enforce_policies=not args.no_network_policies)
            cluster.watch_drops()
            self.cluster = cluster
            try:
                return self.scenario(cluster, token_file, cli_future)
            finally:
                cluster.delete_all()
                cli_pool.shutdown(wait=False)
                self.write_report()

    def scenario(self, cluster: Cluster, token_file: str, cli_future: "concurrent.futures.Future[Any]") -> int:
        args, checks, net = self.args, self.checks, self.net
        order = [n for n in ("anant-metadata", "anant-storage", "anant-compute", "anant-gateway") if n in cluster.workloads]
        order += [n for n in cluster.workloads if n not in order]
        # kubectl apply: every workload at once; the services must find each other as they come.
        begin = time.monotonic()
        pods: List[Pod] = []
        for workload in order:
            pods += cluster.start_workload(workload)
        say(f"started {len(pods)} pods: " + ", ".join(f"{p.name} {p.ip}" for p in pods))
        window = max(cluster.startup_window(w) for w in order)
        try:
            cluster.wait_ready(pods, min(window, args.ready_timeout or window))
        except KubeError as error:
            checks.check(False, "every pod ready within its probes' window", str(error))
            return 1
        checks.check(True, "every pod ready within its probes' window",
                     f"{time.monotonic() - begin:.1f}s, window {window:.0f}s; " +
                     ", ".join(f"{p.name.split('-')[1]} {p.ready_at - p.created:.1f}s" for p in pods))
        restarted = [f"{p.name} ×{p.restarts} ({'; '.join(t.strip().splitlines()[-1][:200] if t.strip() else f'exit {c}' for _, c, t in p.exits)})"
                     for p in pods if p.restarts]
        if restarted:
            checks.warn("containers restarted before the cluster was ready: " + "; ".join(restarted))
        self.check_containers(pods)
        lines_ok = all(p.ready_line and p.ready_line.get("service") == p.workload.replace("anant-", "") for p in pods)
        checks.check(lines_ok, "every container printed its ready line",
                     "; ".join(f"{p.name}: {json.dumps(p.ready_line)}" for p in pods if not lines_ok or args.verbose))

        self.client_host = net.add_host("client")
        cluster.outside[self.client_host.ip] = "client"
        gateway = self.gateway_address()
        say(f"client namespace {self.client_host.ip}; {gateway} -> {net.resolve(self.client_host, 'anant-gateway')}")
        analytics_dir = os.path.join(self.work, "answers")
        begin = time.monotonic()
        done = net.run(self.client_host, self.client_command(
            "analytics", "--gateway", gateway, "--token-file", token_file, "--lesmis", LESMIS,
            "--csv", os.path.join(self.work, "big.csv"), "--out", analytics_dir), timeout=args.step_timeout, env=self.client_env())
        summary_path = os.path.join(analytics_dir, "summary.json")
        summary = json.load(open(summary_path)) if os.path.exists(summary_path) else {}
        self.report["analytics"] = {k: summary.get(k) for k in ("imports", "errors", "export", "datasets")}
        if not checks.check(done.returncode == 0 and bool(summary), "imports, operations and queries through the gateway's name",
                            f"{time.monotonic() - begin:.1f}s; imports {summary.get('imports')}" if done.returncode == 0
                            else f"exit {done.returncode}: {summary.get('errors') or done.stderr[-1500:]}"):
            if not summary:
                return 1
        self.check_registry(summary.get("status") or {}, cluster)
        checks.check("export" in summary and "export" not in summary.get("errors", {}), "export of lesmis through the gateway",
                     json.dumps(summary.get("export") or summary.get("errors", {}).get("export")))

        say("waiting for the CLI's answers (embedded, outside the namespaces)")
        cli = cli_future.result(timeout=args.step_timeout)
        for name in CASES:
            ok, detail = compare(name, cli[name], analytics_dir)
            seconds = summary.get("cases", {}).get(name, {}).get("seconds")
            checks.check(ok, f"{name} equals the CLI's", (f"{seconds}s; " if seconds is not None else "") + detail)

        self.rolling_updates(cluster, gateway, token_file, analytics_dir)
        if cluster.enforce_policies:
            drops = cluster.dropped()
            self.report["network_policy_drops"] = drops
            live = [d for d in drops if not d["stale"]]
            checks.check(not live, "the NetworkPolicies let through every connection between live pods",
                         f"{len(cluster.policies)} policies enforced with nftables in every pod" if not live
                         else "dropped: " + "; ".join(f"{d['direction']}: {d['text']}" for d in live))
            for drop in (d for d in drops if d["stale"]):
                checks.warn(f"a connection to a deleted pod's address was dropped at "
                            f"{time.strftime('%H:%M:%S', time.localtime(drop['time']))}: {drop['text']}")
        return 0 if not checks.failed else 1

    def check_containers(self, pods: List[Pod]) -> None:
        """Each container runs as its manifest says: argv, environment, uid/gid/groups, no
        capabilities, no_new_privs, read-only root, its volumes at their mount paths."""
        problems: List[str] = []
        for pod in pods:
            pid = pod.proc.pid
            try:
                argv = open(f"/proc/{pid}/cmdline", "rb").read().split(b"\0")[:-1]
                environ = dict(e.decode().split("=", 1) for e in open(f"/proc/{pid}/environ", "rb").read().split(b"\0") if e)
                status = dict(line.split(":", 1) for line in open(f"/proc/{pid}/status").read().splitlines() if ":" in line)
                mounts = {}
                for line in open(f"/proc/{pid}/mountinfo").read().splitlines():
                    fields = line.split()
                    mounts[fields[4]] = fields[5].split(",")
            except OSError as error:
                problems.append(f"{pod.name}: {error}")
                continue
            sc = dict(pod.spec.get("securityContext") or {})
            sc.update(pod.container.get("securityContext") or {})
            want_uid, want_gid = str(sc.get("runAsUser")), str(sc.get("runAsGroup"))
            uids, gids, groups = status["Uid"].split(), status["Gid"].split(), status["Groups"].split()
            if [a.decode() for a in argv] != pod.argv:
                problems.append(f"{pod.name}: argv {argv} != {pod.argv}")
            if environ != pod.env:
                problems.append(f"{pod.name}: environment {sorted(set(environ.items()) ^ set(pod.env.items()))}")
            if set(uids) != {want_uid} or set(gids) != {want_gid}:
                problems.append(f"{pod.name}: uid {uids} gid {gids}, not {want_uid}:{want_gid}")
            fs_group = (pod.spec.get("securityContext") or {}).get("fsGroup")
            if fs_group is not None and str(fs_group) not in groups:
                problems.append(f"{pod.name}: fsGroup {fs_group} not among the groups {groups}")
            if int(status["CapEff"], 16) or int(status["CapBnd"], 16) or status["NoNewPrivs"].strip() != "1":
                problems.append(f"{pod.name}: CapEff {status['CapEff'].strip()} CapBnd {status['CapBnd'].strip()} "
                                f"NoNewPrivs {status['NoNewPrivs'].strip()}")
            if sc.get("readOnlyRootFilesystem") and "ro" not in mounts.get("/", []):
                problems.append(f"{pod.name}: the root is not read-only ({mounts.get('/')})")
            for mount in pod.container.get("volumeMounts", []):
                options = mounts.get(mount["mountPath"])
                if options is None:
                    problems.append(f"{pod.name}: nothing mounted at {mount['mountPath']}")
                elif bool(mount.get("readOnly")) != ("ro" in options):
                    problems.append(f"{pod.name}: {mount['mountPath']} is {options[0]}, readOnly {mount.get('readOnly', False)}")
        self.checks.check(not problems, "every container runs with its manifest's argv, env, securityContext and volumes",
                          "; ".join(problems) if problems else
                          f"uid/gid {pods[0].spec.get('securityContext', {}).get('runAsUser')}, no capabilities, no_new_privs, "
                          f"read-only root, {sum(len(p.container.get('volumeMounts', [])) for p in pods)} volume mounts")

    def check_registry(self, status: Dict[str, Any], cluster: Cluster) -> None:
        workers = [w for w in status.get("workers", []) if int(w.get("lease_expires_unix_nanos", 0)) > time.time() * 1e9]
        want = []
        for pod in cluster.pods.values():
            if pod.deleting or pod.workload not in ("anant-storage", "anant-compute"):
                continue
            # What the manifest has it advertise (storage: its stable name; compute: its pod IP).
            advertised = next((a.split("=", 1)[1] for a in pod.argv if a.startswith("--advertise=")), pod.ip)
            want.append(f"{advertised}:{pod.port('rpc')}")
        got = sorted(w.get("rpc_address", "") for w in workers)
        self.checks.check(sorted(want) == got, "the registry lists every live worker under its manifest's --advertise",
                          f"live workers {got}" + ("" if sorted(want) == got else f", expected {sorted(want)}"))

    def rolling_updates(self, cluster: Cluster, gateway: str, token_file: str, expect_dir: str) -> None:
        args, checks = self.args, self.checks
        stop_file = os.path.join(self.work, "loop.stop")
        stats_file = os.path.join(self.work, "loop.json")
        progress = os.path.join(self.work, "loop.progress")
        command = ["ip", "netns", "exec", self.client_host.ns] + self.client_command(
            "loop", "--gateway", gateway, "--token-file", token_file, "--expect", expect_dir, "--stop-file", stop_file,
            "--out", stats_file, "--progress", progress, "--threads", str(args.loop_threads),
            "--max-seconds", str(args.loop_max_seconds))
        say(f"client loop: {args.loop_threads} threads of operations and queries through {gateway}")
        with open(os.path.join(self.logs, "loop.stdout"), "wb") as out, open(os.path.join(self.logs, "loop.stderr"), "wb") as err:
            loop = subprocess.Popen(command, stdout=out, stderr=err, env=self.client_env(), start_new_session=True)
        try:
            self.wait_progress(progress, 10)
            for workload in ("anant-compute", "anant-gateway"):
                self.roll(cluster, workload)
                self.wait_progress(progress, 10)
            time.sleep(args.settle)
        finally:
            open(stop_file, "w").close()
            try:
                loop.wait(timeout=60)
            except subprocess.TimeoutExpired:
                loop.kill()
                loop.wait()
        stats = json.load(open(stats_file)) if os.path.exists(stats_file) else {}
        self.report["loop"] = stats
        say("client loop: " + json.dumps({k: stats.get(k) for k in ("requests", "ok", "retried", "calls_retried",
                                                                    "test_applied_retries", "failed", "wrong", "seconds")}))
        for op, per in sorted((stats.get("by_op") or {}).items()):
            say(f"  {op:16} {per['requests']:5} requests, {per['retried']:3} retried, {per['failed']:3} failed, "
                f"median {per.get('median_ms')} ms, slowest {per.get('max_ms')} ms")
        for failure in (stats.get("failures") or [])[:10]:
            say(f"  failure {time.strftime('%H:%M:%S', time.localtime(failure['time']))} {failure['op']}: "
                f"{failure['code']} (retryable {failure['retryable']}, after {failure['after']}s) {failure['message'][:200]}")
        for slow in (stats.get("slow") or [])[:10]:
            say(f"  slow {time.strftime('%H:%M:%S', time.localtime(slow['time']))} {slow['op']}: {slow['seconds']}s"
                f" (retried {slow['retried']}, {slow['error'] or 'ok'})")
        for retry in (stats.get("retries") or [])[:6]:
            say(f"  retried {time.strftime('%H:%M:%S', time.localtime(retry['time']))} {retry['op']}: {retry['message'][:160]}")
        checks.check(bool(stats) and stats.get("requests", 0) > 0, "the client loop ran through both rollouts",
                     f"{stats.get('requests')} requests in {stats.get('seconds')}s" if stats else f"no stats ({loop.returncode})")
        checks.check(bool(stats) and stats.get("failed", 1) == 0,
                     "no request failed that the retry policy would not absorb",
                     f"{stats.get('requests')} requests, {stats.get('retried')} retried "
                     f"({stats.get('test_applied_retries')} of them queries, which the client itself does not retry), "
                     f"{stats.get('failed')} failed")
        checks.check(bool(stats) and stats.get("wrong", 1) == 0, "every answer during the rollouts was right",
                     f"{stats.get('wrong')} wrong")
        deletions = [(e.time, e.pod) for e in cluster.events if e.what.startswith("exited") and "SIGTERM" in e.what]
        for slow in stats.get("slow") or []:
            near = [f"{pod} exited {slow['time'] - t:+.1f}s before" for t, pod in deletions if -1 <= slow["time"] - t <= 10]
            checks.warn(f"{slow['op']} took {slow['seconds']}s at {time.strftime('%H:%M:%S', time.localtime(slow['time']))}"
                        + (f" ({'; '.join(near)})" if near else ""))

    def wait_progress(self, progress: str, seconds: float) -> None:
        """Until the loop has done at least one more request (or ``seconds``)."""
        def count() -> int:
            try:
                return int(json.load(open(progress)).get("requests", 0))
            except (OSError, ValueError):
                return 0

        start, end = count(), time.monotonic() + seconds
        while count() <= start and time.monotonic() < end:
            time.sleep(0.1)

    def roll(self, cluster: Cluster, workload: str) -> None:
        """A rolling update of a Deployment with maxSurge 1, maxUnavailable 0: a new pod,
        ready, then the old one deleted; one pod at a time."""
        checks = self.checks
        strategy = cluster.workloads[workload]["spec"].get("strategy", {})
        say(f"rolling {workload} (strategy {json.dumps(strategy)})")
        cluster.rollout(workload)
        for old in [p for p in cluster.live_pods(workload)]:
            new = cluster.create_pod(workload)
            try:
                window = cluster.startup_window(workload)
                cluster.wait_ready([new], min(window, self.args.ready_timeout or window))
            except KubeError as error:
                checks.check(False, f"{workload}: the new pod {new.name} became ready", str(error))
                return
            checks.check(True, f"{workload}: the new pod became ready", f"{new.name} on {new.ip} after {new.ready_at - new.created:.1f}s")
            if workload == "anant-gateway":
                say(f"  anant-gateway endpoints now {[p.ip for p in cluster.endpoints('anant-gateway')]}; "
                    f"client resolves {self.net.resolve(self.client_host, 'anant-gateway')}")
            termination = cluster.delete_pod(old)
            if workload == "anant-gateway":
                say(f"  client resolves anant-gateway -> {self.net.resolve(self.client_host, 'anant-gateway')}")
            graceful = termination.exit_code == 0 and not termination.killed
            checks.check(graceful, f"{workload}: the old pod {old.name} drained and exited 0 within its grace",
                         f"preStop {termination.pre_stop:.0f}s, exit {termination.exit_code} "
                         f"{termination.sigterm_to_exit:.2f}s after SIGTERM" if termination.sigterm_to_exit is not None
                         else f"exit {termination.exit_code} before SIGTERM")
            self.report.setdefault("terminations", []).append(termination.__dict__)
        if workload == "anant-compute":
            # The registry: the new worker in, the old one withdrawn (it deregisters on SIGTERM).
            done = self.net.run(self.client_host, [self.python, "-c", (
                "import json, sys, anant_client\n"
                "from google.protobuf.json_format import MessageToDict\n"
                "c = anant_client.connect(sys.argv[1], token_file=sys.argv[2])\n"
                "print(json.dumps(MessageToDict(c.status(), preserving_proto_field_name=True)))\n"),
                self.gateway_address(), os.path.join(self.work, "admin.token")], timeout=60, env=self.client_env())
            try:
                self.check_registry(json.loads(done.stdout), cluster)
            except ValueError:
                checks.check(False, "the registry after the compute rollout", done.stderr[-500:])

    def summary(self) -> List[str]:
        lines: List[str] = []
        cluster = self.cluster
        if cluster is not None:
            for pod in cluster.pods.values():
                ready = f"ready {pod.ready_at - pod.created:.1f}s after creation" if pod.ready_at else "never ready"
                end = next((t for t in cluster.terminations if t.pod == pod.name), None)
                gone = (f", deleted: preStop {end.pre_stop:.0f}s, exit {end.exit_code}"
                        + (f" {end.sigterm_to_exit:.2f}s after SIGTERM" if end.sigterm_to_exit is not None else "")
                        + (" (SIGKILL)" if end.killed else "")) if end else ""
                lines.append(f"pod {pod.name:40} {pod.ip:11} {ready}, restarts {pod.restarts}{gone}")
        analytics = self.report.get("analytics") or {}
        for name, item in (analytics.get("imports") or {}).items():
            lines.append(f"import {name}: version {item['version']}, {item['bytes']} bytes in {item['seconds']}s")
        equal = [c for c in self.checks.passed if c.endswith("equals the CLI's")]
        if analytics:
            lines.append(f"answers equal to the embedded CLI's: {len(equal)} of {len(CASES)}")
        loop = self.report.get("loop") or {}
        if loop:
            lines.append(f"client loop: {loop.get('requests')} requests in {loop.get('seconds')}s, {loop.get('retried')} retried by "
                         f"the client's policy ({loop.get('test_applied_retries')} of them queries, retried by the test with "
                         f"that policy), {loop.get('failed')} failed, {loop.get('wrong')} wrong, "
                         f"{len(loop.get('slow') or [])} slower than 2 s")
        if cluster is not None and cluster.enforce_policies:
            drops = cluster.drops
            lines.append(f"NetworkPolicies: {len(cluster.policies)} enforced; {len(drops)} connection(s) dropped"
                         + (f" ({sum(1 for d in drops if d['stale'])} to deleted pods)" if drops else ""))
        return lines

    def write_report(self) -> None:
        if self.cluster is not None:
            self.report["events"] = [str(e) for e in self.cluster.events]
            self.report["pods"] = {p.name: {"ip": p.ip, "argv": p.argv, "restarts": p.restarts, "ready_line": p.ready_line,
                                            "exits": p.exits} for p in self.cluster.pods.values()}
        self.report["checks"] = {"passed": self.checks.passed, "failed": self.checks.failed, "warnings": self.checks.warnings}
        with open(os.path.join(self.logs, "report.json"), "w", encoding="utf-8") as handle:
            json.dump(self.report, handle, indent=1, default=str)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=os.environ.get("ANANT_BIN", os.path.join(ROOT, ".build", "debug")))
    parser.add_argument("--overlay", default="dev")
    parser.add_argument("--python", default=os.path.join(ROOT, ".venv", "bin", "python"),
                        help="the Python of the client (pyarrow, protobuf)")
    parser.add_argument("--incidences", type=int, default=50_000)
    parser.add_argument("--probe-scale", type=float, default=0.2,
                        help="probe periods and restart back-offs × this (failure windows stay in wall time)")
    parser.add_argument("--ready-timeout", type=float, default=0,
                        help="at most this long for pods to be ready (0: the probes' window, startup + first readiness)")
    parser.add_argument("--step-timeout", type=float, default=300)
    parser.add_argument("--loop-threads", type=int, default=2)
    parser.add_argument("--loop-max-seconds", type=float, default=110)
    parser.add_argument("--settle", type=float, default=2.0, help="seconds of client loop after the last rollout")
    parser.add_argument("--no-network-policies", action="store_true", help="do not enforce the NetworkPolicies")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, volumes) even when it passed")
    parser.add_argument("--verbose", "-v", action="store_true")
    args = parser.parse_args()
    args.bin = os.path.abspath(args.bin)
    if os.geteuid() != 0:
        print("multihost: needs root (network namespaces, mounts)", file=sys.stderr)
        return 2
    run = Run(args)
    status = 1
    try:
        status = run.main()
    except SystemExit as stop:
        if isinstance(stop.code, str):
            run.checks.check(False, "setup", stop.code)
            status = 1
        else:
            status = int(stop.code or 0) or 1
            run.checks.check(False, "the test ran to its end", f"stopped by a signal (status {status})")
    except Exception:  # a broken harness is a failed run, with its trace
        run.checks.check(False, "the test ran to its end", traceback.format_exc()[-2000:])
        status = 1
    checks = run.checks
    status = 1 if checks.failed else status
    try:
        lines = run.summary()
        if lines:
            say("summary:" + "".join(f"\n    {line}" for line in lines))
    except Exception as error:  # the summary must not hide the verdict
        say(f"no summary: {error!r}")
    if checks.warnings:
        say(f"{len(checks.warnings)} warning(s):" + "".join(f"\n    - {w}" for w in checks.warnings))
    if checks.failed:
        say("failed:" + "".join(f"\n    - {f}" for f in checks.failed))
    keep = args.keep or status != 0
    if keep:
        say(f"logs, report and volumes kept in {run.work} (logs/report.json, logs/events.log, logs/POD.stderr)")
    else:
        shutil.rmtree(run.work, ignore_errors=True)
    print(f"multihost: {len(checks.passed)} passed, {len(checks.failed)} failed", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())

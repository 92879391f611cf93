#!/usr/bin/env python3
"""The chaos suite (issue 14, item 5): a cluster on the netns harness, a workload of client
threads, and seeded faults, with the checks of verify.py after every fault.

    chaos.py [--seed N] [--seconds S] [--faults K] [--bin DIR] [--threads T] [--keep] [--verbose]

1. Generates the inputs (small CSVs bound to dataset names, each with the checksum of its
   incidences) and, outside the namespaces, the embedded CLI's answer to every case on each
   input and on lesmis.
2. Starts 1 metadata (heartbeats every --heartbeat-seconds, lease × --missed-beats), 2
   storage, 2 compute and 1 gateway (--replicas 2), each on a host of its own
   (topology.py), and imports lesmis.
3. Runs the workload (workload.py) for about S seconds while K faults (faults.py), planned
   from the seed, are injected one after another, spread over the S seconds; after each,
   waits (with a deadline, on the readiness probes and the registry) until the cluster is
   healthy, then checks (verify.py) that nothing acknowledged was lost and no answer was
   wrong.
4. Stops the workload, checks everything once more (every case on every dataset), waits
   for the gateway's cleanup and checks the storage volumes.

Prints a report: faults injected (by kind) and survived, requests (ok / failed-retryable /
failed, during faults or not), writes acknowledged and lost, wrong answers; exit status 0
only when nothing acknowledged was lost, no answer was wrong, no half-published version was
seen, the cluster recovered from every fault and the cleanup converged. Needs root; run it
through scripts/chaos.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import traceback
from typing import Any, Dict, List, Optional

from paths import ROOT  # noqa: E402  (also puts the neighbouring folders on sys.path)

from anant_client import AnantError  # noqa: E402
from netns import Harness, netem_supported  # noqa: E402

import faults as faults_module  # noqa: E402
from faults import Fault, Injector  # noqa: E402
from oracle import LESMIS, Oracle  # noqa: E402
from topology import ChaosCluster  # noqa: E402
from verify import Findings, Verifier  # noqa: E402
from workload import COUNTER_KIND, KIND, SCHEMA, AckedImport, Ledger, Workload  # noqa: E402

T0 = time.monotonic()
PREFIX = "amc"  # the harness's namespaces: amcXXXX-NAME (scripts/chaos --cleanup)


def say(message: str) -> None:
    print(f"chaos [{time.monotonic() - T0:6.1f}s] {message}", flush=True)


class Run:
    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.work = tempfile.mkdtemp(prefix="anant-chaos.")
        os.chmod(self.work, 0o755)
        self.logs = os.path.join(self.work, "logs")
        os.makedirs(self.logs, exist_ok=True)
        self.ledger = Ledger()
        self.faults: List[Fault] = []
        self.findings: List[Findings] = []
        self.failures: List[str] = []  # what makes the run fail
        self.warnings: List[str] = []
        self.cluster: Optional[ChaosCluster] = None
        self.workload: Optional[Workload] = None
        self.injector: Optional[Injector] = None
        self.netem = False
        self.chaos_seconds = 0.0
        self.final: Optional[Findings] = None
        self.final_storage: Optional[Findings] = None
        self.lease = args.heartbeat_seconds * args.missed_beats
        self.seen: set = set()  # findings already reported

    # MARK: The run

    def main(self) -> int:
        args = self.args
        say(f"seed {args.seed} (rerun with --seed {args.seed}), {args.seconds:g}s, {args.faults} faults, "
            f"{args.threads} client threads; binaries {args.bin}; work {self.work}")
        self.netem = netem_supported()
        if self.netem:
            say("netem is available: delay/loss faults included")
        else:
            say("netem (delay, loss) is NOT available in this kernel (no sch_netem): link faults are link_down, "
                "partition and oneway (nftables drops) and slow (tbf rate limit) instead")
        self.kinds = self.fault_kinds()
        oracle = Oracle(args.bin, self.work, args.seed, args.inputs, args.big_inputs)
        say(f"inputs: lesmis + {args.inputs + args.big_inputs} generated CSVs ("
            + ", ".join(f"{i.name} {i.rows} incidences" for i in oracle.inputs.values() if i.name != "lesmis") + ")")
        oracle_thread = threading.Thread(target=oracle.compute, name="oracle", daemon=True)
        oracle_thread.start()
        with Harness(self.logs, subnet="10.78.0", prefix=PREFIX) as net:
            cluster = ChaosCluster(net, args.bin, self.work, heartbeat_seconds=args.heartbeat_seconds,
                                   missed_beats=args.missed_beats, cleanup_seconds=args.cleanup_seconds,
                                   pending_seconds=args.pending_seconds, log_level=args.log_level)
            self.cluster = cluster
            self.injector = Injector(cluster)
            try:
                return self.scenario(net, cluster, oracle, oracle_thread)
            finally:
                if self.workload is not None:
                    self.workload.stopping.set()
                self.injector.heal_everything()
                cluster.stop_all(grace=3)
                self.write_report()

    def scenario(self, net: Harness, cluster: ChaosCluster, oracle: Oracle, oracle_thread: threading.Thread) -> int:
        args = self.args
        begin = time.monotonic()
        late = cluster.start_all(timeout=60)
        if late:
            self.failures.append("the cluster did not start: " + "; ".join(late))
            for s in cluster.services.values():
                if not s.alive:
                    say(f"  {s.name}: {cluster.stderr_tail(s)}")
            return 1
        say(f"cluster ready in {time.monotonic() - begin:.1f}s: " +
            ", ".join(f"{s.name} {s.ip}" for s in cluster.services.values()) + f"; client {cluster.client.ip}")
        verifier = Verifier(cluster, oracle, self.ledger, self.work, args.seed)

        def setup(client: Any) -> str:
            version = client.import_dataset(LESMIS, "lesmis")
            self.ledger.imports.append(AckedImport("lesmis", version.version, time.time()))
            for kind in (KIND, COUNTER_KIND):
                client.meta.register_schema(kind, SCHEMA)
            return f"lesmis@{version.version}"

        say("imported " + verifier.in_client(setup, timeout=120) + f"; schemas {KIND}, {COUNTER_KIND} registered")
        oracle_thread.join(timeout=600)
        if oracle.errors:
            self.failures += [f"the embedded CLI failed: {e}" for e in oracle.errors]
            return 1
        say(f"embedded answers: {len(oracle.answers)} (cases × inputs), {time.monotonic() - T0:.1f}s since the start")

        workload = Workload(cluster.client.ns, cluster.gateway_address, cluster.admin_token, oracle, self.ledger,
                            args.seed, threads=args.threads, timeout=args.request_timeout,
                            import_rate=args.import_rate)
        self.workload = workload
        self.faults = faults_module.plan(args.seed, args.faults, cluster, self.lease, self.kinds)
        say(f"fault plan (lease {self.lease:g}s = {args.heartbeat_seconds:g}s × {args.missed_beats}): " +
            "; ".join(f"#{f.index} {f.describe()}" for f in self.faults))
        workload.start()
        chaos_begin = time.monotonic()
        slot = args.seconds / max(1, args.faults)
        rng = random.Random(args.seed ^ 0x5EED)
        injected = 0
        for fault in self.faults:
            due = chaos_begin + slot * fault.index + rng.uniform(0.15, 0.45) * slot
            if due > chaos_begin + args.seconds or time.monotonic() > chaos_begin + args.seconds:
                self.warnings.append(f"ran out of time after {injected} of {len(self.faults)} faults")
                say(self.warnings[-1])
                break
            while time.monotonic() < due and not workload.crashes:  # the workload runs meanwhile
                time.sleep(min(0.1, max(0.0, due - time.monotonic())))
            if workload.crashes:
                break
            self.one_fault(fault, verifier)
            injected += 1
        while time.monotonic() < chaos_begin + args.seconds and not workload.crashes:
            time.sleep(0.1)
        self.chaos_seconds = time.monotonic() - chaos_begin
        say(f"chaos over after {self.chaos_seconds:.1f}s: stopping the workload")
        stuck = workload.stop(timeout=args.request_timeout + 30)
        if stuck:
            self.failures.append(f"workload threads did not end: {stuck}")
        if workload.crashes:
            self.failures += [f"the workload crashed: {c}" for c in workload.crashes]

        healthy, problem, took = verifier.wait_healthy(args.recovery_timeout)
        if not healthy:
            self.failures.append(f"the cluster was not healthy at the end: {problem}")
            return 1
        say(f"final checks (every case on every dataset), cluster healthy in {took:.1f}s")
        self.final = verifier.check(final=True)
        say(f"  final: {self.final.summary()}; {json.dumps(self.final.stats)}")
        for item in self.final.all():
            say(f"    {item}")
        wait = args.pending_seconds + 3 * args.cleanup_seconds + 15
        say(f"waiting (≤ {wait:.0f}s) for the gateway's cleanup: no pending version, only published shards on storage")
        self.final_storage = verifier.final_storage(wait)
        say(f"  storage volumes: {self.final_storage.summary()}; {json.dumps(self.final_storage.stats)}")
        for item in self.final_storage.all():
            say(f"    {item}")
        return 0

    def fault_kinds(self) -> List[str]:
        """--kinds: "default", "default,+publish_lost" (added), or a list of kinds."""
        standard = faults_module.default_kinds(self.netem)
        known = set(standard) | set(faults_module.EXTRA_FAULTS) | {"netem"}
        kinds: List[str] = []
        for item in [k.strip() for k in self.args.kinds.split(",") if k.strip()]:
            name = item.lstrip("+")
            if name == "default":
                kinds += standard
            elif name not in known:
                raise SystemExit(f"unknown fault kind {name!r}: {', '.join(sorted(known))} or default")
            elif name == "netem" and not self.netem:
                raise SystemExit("netem is not available in this kernel (no sch_netem)")
            else:
                kinds.append(name)
        return list(dict.fromkeys(kinds)) or standard

    def own_import(self, verifier: Verifier) -> Any:
        """An import of the suite's own (for publish_lost), recorded like the workload's."""
        from workload import Request

        dataset = sorted(n for n in verifier.oracle.inputs if n.startswith("gen"))[0]

        def body(client: Any) -> None:
            begin = time.time()
            try:
                version = client.import_dataset(verifier.oracle.inputs[dataset].path, dataset, timeout=120)
                with self.ledger.lock:
                    self.ledger.imports.append(AckedImport(dataset, version.version, time.time()))
                self.ledger.record(Request("import (fault)", dataset, begin, time.time(), "ok"))
                say(f"  the fault's import answered {dataset}@{version.version}")
            except AnantError as error:
                self.ledger.record(Request("import (fault)", dataset, begin, time.time(),
                                           "retryable" if error.retryable else "failed", error.code, error.message[:300]))
                say(f"  the fault's import failed: {error.code} {error.message[:160]}")

        return lambda: verifier.in_client(body, timeout=180)

    def one_fault(self, fault: Fault, verifier: Verifier) -> None:
        args = self.args
        say(f"fault #{fault.index}: {fault.describe()}")
        try:
            self.injector.inject(fault, time.sleep, self.workload.wait_import_in_flight if self.workload else None,
                                 self.own_import(verifier))
        except Exception as error:
            fault.detail = f"injecting failed: {error!r}"
            say(f"  {fault.detail}")
            self.injector.heal_everything()
            for service in self.cluster.services.values():
                if not service.alive:
                    self.cluster.start(service)
        healthy, problem, took = verifier.wait_healthy(args.recovery_timeout)
        if not healthy:
            fault.detail += f" not healthy after {took:.0f}s: {problem}"
            self.failures.append(f"fault #{fault.index} ({fault.describe()}): the cluster did not recover within "
                                 f"{args.recovery_timeout:g}s: {problem}")
            say(f"  NOT RECOVERED: {problem}")
            for service in self.cluster.services.values():
                if not service.alive:
                    say(f"  {service.name} exited: {self.cluster.stderr_tail(service, 3)}")
            fault.findings = []
            return
        fault.recovered = time.time()
        fault.recovery_seconds = round(took, 2)
        findings = verifier.check()
        self.findings.append(findings)
        fault.findings = findings.all()
        new = [item for item in fault.findings if item not in self.seen]  # earlier faults' findings persist
        self.seen.update(new)
        fault.survived = not new
        with self.ledger.lock:
            counts = collections.Counter(r.outcome for r in self.ledger.requests)
        say(f"  healthy again {took:.1f}s after healing; checks: {findings.summary()} "
            f"({', '.join(f'{k} {v}' for k, v in sorted(findings.stats.items()))}); requests so far "
            + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        for item in new:
            say(f"    {item}")
        if findings.bad and not new:
            say("    (only what earlier checks found)")

    # MARK: The report

    def during_fault(self, start: float, end: float) -> bool:
        grace = 2.0
        for fault in self.faults:
            if not fault.start:
                continue
            until = (fault.recovered or fault.healed or time.time()) + grace
            if start <= until and end >= fault.start:
                return True
        return False

    def report(self) -> Dict[str, Any]:
        ledger = self.ledger
        injected = [f for f in self.faults if f.start]
        by_kind = collections.Counter(f.kind for f in injected)
        survived = collections.Counter(f.kind for f in injected if f.survived)
        requests = list(ledger.requests)
        outcome = collections.Counter(r.outcome for r in requests)
        during = collections.Counter(r.outcome for r in requests if self.during_fault(r.start, r.end))
        by_op: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        for r in requests:
            by_op[r.op][r.outcome] += 1
        failed_codes = collections.Counter(f"{r.op} {r.code}" for r in requests if r.outcome in ("failed", "retryable"))
        unexpected = [r for r in requests if r.outcome == "failed" and not self.during_fault(r.start, r.end)]
        lost = [p for f in self.findings for p in f.lost] + ([p for p in self.final.lost] if self.final else []) + \
               ([p for p in self.final_storage.lost] if self.final_storage else []) + [x["problem"] for x in ledger.lost]
        wrong = [x for x in ledger.wrong] + [p for f in self.findings for p in f.wrong] + (self.final.wrong if self.final else [])
        partial = [p for f in self.findings for p in f.partial] + (self.final.partial if self.final else []) + \
                  (self.final_storage.partial if self.final_storage else [])
        errors = [p for f in self.findings for p in f.errors] + (self.final.errors if self.final else [])
        lost, partial, errors = (list(dict.fromkeys(x)) for x in (lost, partial, errors))
        wrong = list({json.dumps(w, sort_keys=True, default=str) if isinstance(w, dict) else w: w for w in wrong}.values())
        leftovers = self.final_storage.leftovers if self.final_storage else []
        return {
            "seed": self.args.seed, "seconds": self.args.seconds, "chaos_seconds": round(self.chaos_seconds, 1),
            "faults_planned": len(self.faults), "faults_injected": len(injected), "faults_by_kind": dict(by_kind),
            "faults_survived": sum(survived.values()), "survived_by_kind": dict(survived),
            "faults": [{k: v for k, v in f.__dict__.items()} for f in self.faults],
            "requests": len(requests), "ok": outcome["ok"], "failed_retryable": outcome["retryable"],
            "failed": outcome["failed"], "wrong": outcome["wrong"], "during_faults": dict(during),
            "by_op": {op: dict(c) for op, c in sorted(by_op.items())}, "failures_by_code": dict(failed_codes),
            "client_retries": sum(r.retries for r in requests),
            "query_retries_by_test": self.workload.test_applied_retries if self.workload else 0,
            "unexpected_failures": [r.__dict__ for r in unexpected],
            "failed_requests": [dict(r.__dict__, during_fault=self.during_fault(r.start, r.end)) for r in requests
                                if r.outcome in ("failed", "retryable")],
            "imports_acknowledged": len(ledger.imports), "batches_acknowledged": ledger.batches_acked,
            "records_acknowledged": len(ledger.writes), "counters": len(ledger.counters), "writes_lost": lost, "wrong_answers": wrong,
            "partial": partial, "check_errors": errors, "leftovers": leftovers,
            "failures": self.failures, "warnings": self.warnings, "service_events": self.service_events(),
        }

    def service_events(self) -> Dict[str, Any]:
        """What the services logged (logs/*.stderr, JSON lines): the count of each message
        at notice level and above, and of the gateway's speculative copies; every error."""
        counts: collections.Counter = collections.Counter()
        errors: List[str] = []
        for name in sorted(os.listdir(self.logs)):
            if not name.endswith(".stderr"):
                continue
            with open(os.path.join(self.logs, name), encoding="utf-8", errors="replace") as handle:
                for line in handle:
                    try:
                        entry = json.loads(line)
                    except ValueError:
                        if line.strip():
                            errors.append(f"{name}: {line.strip()[:300]}")
                        continue
                    level, message = entry.get("level", ""), str(entry.get("message", ""))
                    if level in ("notice", "warning", "error", "critical") or message == "speculative copy":
                        counts[f"{entry.get('label', '?').replace('anant.', '')}: {message}"] += 1
                    if level in ("error", "critical"):
                        extra = {k: v for k, v in entry.items() if k not in ("time", "level", "label", "message", "source")}
                        errors.append(f"{name} {entry.get('time', '')}: {message} {json.dumps(extra)[:300]}")
        return {"counts": dict(sorted(counts.items())), "errors": errors}

    def write_report(self) -> None:
        try:
            report = self.report()
        except Exception:
            report = {"error": traceback.format_exc()}
        self.report_data = report
        with open(os.path.join(self.logs, "report.json"), "w", encoding="utf-8") as handle:
            json.dump(report, handle, indent=1, default=str)

    def verdict(self) -> List[str]:
        """Why the run fails (empty: it passed)."""
        r = getattr(self, "report_data", None) or self.report()
        reasons = list(self.failures)
        if r.get("writes_lost"):
            reasons.append(f"{len(r['writes_lost'])} acknowledged write(s) lost")
        if r.get("wrong_answers"):
            reasons.append(f"{len(r['wrong_answers'])} wrong answer(s)")
        if r.get("partial"):
            reasons.append(f"{len(r['partial'])} partial or half-published version(s) visible")
        if r.get("check_errors"):
            reasons.append(f"{len(r['check_errors'])} check(s) failed to run on a healthy cluster")
        if r.get("leftovers"):
            reasons.append(f"{len(r['leftovers'])} leftover(s) after the cleanup interval")
        if self.args.strict and r.get("unexpected_failures"):
            reasons.append(f"{len(r['unexpected_failures'])} request(s) failed outside any fault (--strict)")
        return reasons

    def print_summary(self) -> None:
        r = getattr(self, "report_data", None) or self.report()
        say("summary:")
        lines = [
            f"seed {r['seed']}; chaos phase {r['chaos_seconds']}s",
            f"faults injected {r['faults_injected']} of {r['faults_planned']}: " +
            ", ".join(f"{k} {v}" for k, v in sorted(r["faults_by_kind"].items())),
            f"faults survived {r['faults_survived']} of {r['faults_injected']}" +
            (": " + ", ".join(f"{k} {v}" for k, v in sorted(r["survived_by_kind"].items())) if r["survived_by_kind"] else ""),
            f"requests {r['requests']}: ok {r['ok']}, failed-retryable {r['failed_retryable']}, failed {r['failed']}, "
            f"wrong {r['wrong']} (during faults: {', '.join(f'{k} {v}' for k, v in sorted(r['during_faults'].items())) or 'none'}); "
            f"{r['client_retries']} retries absorbed by the client's policy, {r['query_retries_by_test']} of queries by the test",
            f"writes acknowledged: {r['imports_acknowledged']} imports, {r['batches_acknowledged']} metadata batches "
            f"({r['records_acknowledged']} new records, and {r['counters']} counters' last values)",
            f"writes lost: {len(r['writes_lost'])}",
            f"wrong answers: {len(r['wrong_answers'])}",
            f"partial/half-published versions seen: {len(r['partial'])}; leftovers after cleanup: {len(r['leftovers'])}",
        ]
        for op, counts in r["by_op"].items():
            lines.append(f"  {op:22} " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
        if r["failures_by_code"]:
            lines.append("failed requests by operation and code: " +
                         ", ".join(f"{k} ×{v}" for k, v in sorted(r["failures_by_code"].items())))
        for fault in r["faults"]:
            if fault["start"]:
                lines.append(f"  fault #{fault['index']} {fault['kind']:9} {fault['target']:9}"
                             f"{((' -> ' if fault['kind'] == 'oneway' else ' | ') + fault['peer']) if fault['peer'] else '':13} "
                             f"{'survived' if fault['survived'] else 'NOT SURVIVED'}, healthy {fault['recovery_seconds']}s "
                             f"after healing {fault['detail']}")
        for item in r["failed_requests"][:12]:
            lines.append(f"  failed {time.strftime('%H:%M:%S', time.localtime(item['start']))} after "
                         f"{item['end'] - item['start']:.1f}s{'' if item['during_fault'] else ' (outside any fault)'}: "
                         f"{item['op']} {item['dataset']}: {item['code']} {item['message'][:160]}")
        for item in r["unexpected_failures"][:10]:
            lines.append(f"  failed outside any fault: {item['op']} {item['dataset']}: {item['code']} {item['message'][:200]}")
        for name in ("writes_lost", "wrong_answers", "partial", "check_errors", "leftovers"):
            for item in r[name][:10]:
                lines.append(f"  {name}: {item}")
        events = r.get("service_events") or {}
        if events.get("counts"):
            lines.append("the services logged: " + ", ".join(f"{k} ×{v}" for k, v in events["counts"].items()))
        for item in (events.get("errors") or [])[:10]:
            lines.append(f"  service error: {item}")
        for warning in r["warnings"]:
            lines.append(f"  warning: {warning}")
        print("\n".join("    " + line for line in lines), flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=None, help="the seed of the inputs, the workload and the faults "
                                                               "(default: drawn, and printed)")
    parser.add_argument("--seconds", type=float, default=60, help="how long the chaos phase lasts")
    parser.add_argument("--faults", type=int, default=8, help="faults to inject, spread over --seconds")
    parser.add_argument("--kinds", default="default", help="fault kinds drawn from: default (kill, pause, restart, "
                        "link_down, partition, slow, oneway; netem where available), a comma-separated list, or "
                        "default,+publish_lost")
    parser.add_argument("--bin", default=os.environ.get("ANANT_BIN", os.path.join(ROOT, ".build", "debug")))
    parser.add_argument("--threads", type=int, default=4, help="client threads of the workload")
    parser.add_argument("--inputs", type=int, default=4, help="generated datasets (CSV files)")
    parser.add_argument("--big-inputs", type=int, default=1, help="generated datasets of about 20,000 incidences")
    parser.add_argument("--import-rate", type=float, default=1.0, help="imports a second at most (all threads)")
    parser.add_argument("--heartbeat-seconds", type=float, default=1.0)
    parser.add_argument("--missed-beats", type=int, default=3)
    parser.add_argument("--cleanup-seconds", type=float, default=2.0, help="the gateway's --cleanup-seconds")
    parser.add_argument("--pending-seconds", type=float, default=15.0, help="the gateway's --pending-seconds")
    parser.add_argument("--request-timeout", type=float, default=30.0, help="the workload's per-call deadline")
    parser.add_argument("--recovery-timeout", type=float, default=45.0, help="how long the cluster may take to be "
                                                                              "healthy after a fault")
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--strict", action="store_true", help="also fail on requests that failed outside any fault")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, volumes) even when it passed")
    args = parser.parse_args()
    if args.seed is None:
        args.seed = random.SystemRandom().randrange(1, 1_000_000)
    args.bin = os.path.abspath(args.bin)
    if os.geteuid() != 0:
        print("chaos: needs root (network namespaces, mounts)", file=sys.stderr)
        return 2
    run = Run(args)
    status = 1
    try:
        status = run.main()
    except SystemExit as stop:
        run.failures.append(f"stopped by a signal (status {stop.code})" if not isinstance(stop.code, str) else stop.code)
        status = 1
    except Exception:
        run.failures.append("the suite failed: " + traceback.format_exc()[-2500:])
        status = 1
    try:
        run.write_report()
        run.print_summary()
    except Exception:
        print(traceback.format_exc(), flush=True)
    reasons = run.verdict()
    status = 1 if reasons else status
    if status != 0 or args.keep:
        say(f"logs, report and volumes kept in {run.work} (logs/report.json, logs/SERVICE.stderr)")
    else:
        shutil.rmtree(run.work, ignore_errors=True)
    if reasons:
        say("FAILED: " + "; ".join(reasons))
    print(f"chaos: seed {args.seed}, {len([f for f in run.faults if f.start])} faults, "
          f"{'FAILED' if status else 'passed'}", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())

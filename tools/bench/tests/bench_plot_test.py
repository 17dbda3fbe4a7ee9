#!/usr/bin/env python3
"""tools/bench-plot: sample results in, a well-formed SVG out with the expected bars and
labels, every text escaped.

  bench_plot_test.py PATH_TO_BENCH_PLOT
"""
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree

NS = "{http://www.w3.org/2000/svg}"
failures = []


def check(condition, what):
    if not condition:
        failures.append(what)


def plot(tool, mode, data):
    with tempfile.TemporaryDirectory() as work:
        source = os.path.join(work, "in.json")
        out = os.path.join(work, "out.svg")
        with open(source, "w") as f:
            json.dump(data, f)
        subprocess.run([sys.executable, tool, mode, source, out], check=True)
        with open(out, encoding="utf-8") as f:
            return f.read()


def texts(root):
    return [t.text or "" for t in root.iter(NS + "text")]


def bars(root):
    return [r for r in root.iter(NS + "rect") if r.get("class") == "bar"]


def self_contained(document, what):
    for forbidden in ("<script", "href", "url(", "@import", "<foreignObject"):
        check(forbidden not in document, "%s: has %s" % (what, forbidden))


def test_vs_etcd(tool):
    table = {
        "runs_per_workload": 2, "duration": "5s", "keys": 1000, "value_size": 100, "tls": False,
        "workloads": [
            {"workload": "put c1", "etcd_ops_per_sec": 800.0, "paxoskv_ops_per_sec": 1600.0, "ratio": 2.0},
            {"workload": "get c64", "etcd_ops_per_sec": 7000.0, "paxoskv_ops_per_sec": 43050.0,
             "ratio": 6.15},
            {"workload": "<&\"odd'>", "etcd_ops_per_sec": None, "paxoskv_ops_per_sec": 500.0,
             "ratio": None},
        ],
        "memory": [],
    }
    document = plot(tool, "vs-etcd", table)
    root = ElementTree.fromstring(document.encode("utf-8"))  # raises when not well-formed
    self_contained(document, "vs-etcd")
    labels = texts(root)
    check("<&\"odd'>" in labels, "vs-etcd: the odd workload name is not shown as text")
    check("&lt;&amp;&quot;odd&apos;&gt;" in document, "vs-etcd: the odd name is not escaped")
    check("2.00\u00d7" in labels and "6.15\u00d7" in labels, "vs-etcd: ratio labels missing: %s" % labels)
    # A bar for each value given: 2 + 2 + 1 (etcd's third is missing).
    drawn = bars(root)
    check(len(drawn) == 5, "vs-etcd: %d bars, expected 5" % len(drawn))
    # y axis: 0 to 45,000 in steps of 10,000 (43,050 is the highest), bars scaled to it.
    for tick in ("0", "10,000", "40,000", "50,000"):
        check(tick in labels, "vs-etcd: no tick %s in %s" % (tick, labels))
    heights = sorted(float(r.get("height")) for r in drawn)
    check(abs(heights[-1] / heights[0] - 43050 / 500) < 0.5, "vs-etcd: bars not to scale: %s" % heights)
    check("etcd" in labels and "paxoskv" in labels, "vs-etcd: no legend")


def test_many_keys(tool):
    results = {
        "keys": 1000000, "conns": 64, "duration": "5s", "systems": ["paxoskv"],
        "runs": [
            {"system": "paxoskv", "run": 1, "keys": 1000, "ops_per_sec": 9000.0},
            {"system": "paxoskv", "run": 1, "keys": 1000000, "ops_per_sec": 2500.0},
            {"system": "paxoskv", "run": 2, "keys": 1000, "ops_per_sec": 8000.0},
            {"system": "paxoskv", "run": 2, "keys": 1000000, "ops_per_sec": 2200.0},
        ],
        "replicas": [{"system": "paxoskv", "id": i, "data_mib": 52.0, "rss_mib": 75.0 + i}
                     for i in (1, 2, 3)],
        "restart": {"local_ms": 43, "linearizable_ms": 56},
    }
    document = plot(tool, "many-keys", results)
    root = ElementTree.fromstring(document.encode("utf-8"))
    self_contained(document, "many-keys")
    labels = texts(root)
    check(len(bars(root)) == 4 + 6, "many-keys: %d bars, expected 10" % len(bars(root)))
    check("over 1,000 keys" in labels and "over 1,000,000 keys" in labels,
          "many-keys: group labels missing: %s" % labels)
    check(any("paxoskv only" in t for t in labels), "many-keys: the paxoskv-only note is missing")
    check(any("43 ms" in t for t in labels), "many-keys: the restart times are missing")
    check("paxoskv replica 3" in labels, "many-keys: replica labels missing")


def test_many_keys_both(tool):
    runs = [{"system": system, "run": n, "keys": count, "ops_per_sec": 1000.0 * n}
            for system in ("etcd", "paxoskv") for n in (1, 2) for count in (1000, 200000)]
    results = {
        "keys": 200000, "conns": 64, "duration": "5s", "systems": ["etcd", "paxoskv"],
        "runs": runs,
        "replicas": [{"system": system, "id": i, "data_mib": 20.0, "rss_mib": 50.0}
                     for system in ("etcd", "paxoskv") for i in (1, 2, 3)],
        "restarts": {"etcd": {"local_ms": 812, "linearizable_ms": 913},
                     "paxoskv": {"local_ms": 43, "linearizable_ms": 56}},
    }
    root = ElementTree.fromstring(plot(tool, "many-keys", results).encode("utf-8"))
    labels = texts(root)
    check(len(bars(root)) == 8 + 6 * 2, "many-keys both: %d bars, expected 20" % len(bars(root)))
    check(any("etcd member 3" in t and "812 ms" in t for t in labels),
          "many-keys both: etcd's restart times are missing")
    check(any("paxoskv member 3" in t and "43 ms" in t for t in labels),
          "many-keys both: paxoskv's restart times are missing")
    check(not any("paxoskv only" in t for t in labels), "many-keys both: says paxoskv only")


def test_vs_etcd_wrk(tool):
    table = {
        "runs_per_workload": 3, "duration": "5s", "keys": 1000, "value_size": 100, "tls": False,
        "driver": "wrk", "connections": 64,
        "workloads": [{"workload": "put c64", "etcd_ops_per_sec": 5000.0,
                       "paxoskv_ops_per_sec": 9000.0, "ratio": 1.8}],
        "memory": [],
    }
    labels = texts(ElementTree.fromstring(plot(tool, "vs-etcd", table).encode("utf-8")))
    check(any("wrk" in t and "one endpoint" in t for t in labels),
          "vs-etcd wrk: the driver note is missing: %s" % labels)


def main():
    tool = sys.argv[1]
    test_vs_etcd(tool)
    test_many_keys(tool)
    test_many_keys_both(tool)
    test_vs_etcd_wrk(tool)
    for failure in failures:
        print("FAIL: " + failure)
    if not failures:
        print("ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

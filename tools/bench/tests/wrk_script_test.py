#!/usr/bin/env python3
"""tools/bench/wrk/kv.lua against local stand-in servers: the requests it sends for each
system and workload (paths, bodies, base64 keys named as paxoskv-bench names them, spread
over the key space), and that wrk exits with an error when the answers are errors.
Every case runs at once, for about a second. Skipped (77) without wrk.

  wrk_script_test.py PATH_TO_KV_LUA
"""
import base64
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading

failures = []


def check(condition, what):
    if not condition:
        failures.append(what)


class Recorder(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, status):
        self.status = status
        self.requests = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Handler)

    def handle_error(self, request, client_address):
        pass  # wrk drops its connections at the end of the run


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        with self.server.lock:
            self.server.requests.append((self.command, self.path, body))
        # One write: an answer in two small writes waits for a delayed ACK.
        self.wfile.write(b"HTTP/1.1 %d X\r\nContent-Length: 2\r\n\r\n{}" % self.server.status)

    do_GET = do_PUT = do_POST = handle_any

    def log_message(self, *args):
        pass


def start(system, workload, status=200, keys=None):
    server = Recorder(status)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    env = dict(os.environ, BENCH_SYSTEM=system, BENCH_WORKLOAD=workload)
    if keys:
        env["BENCH_KEYS"] = str(keys)
    process = subprocess.Popen(
        ["wrk", "-t1", "-c2", "-d1s", "-s", sys.argv[1], "http://127.0.0.1:%d" % server.server_port],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return {"system": system, "workload": workload, "status": status, "keys": keys,
            "server": server, "process": process}


def etcd_key(body, what):
    try:
        document = json.loads(body)
        return document, base64.b64decode(document["key"]).decode()
    except (ValueError, KeyError) as error:
        failures.append("%s: a body that is not etcd's JSON: %r (%s)" % (what, body, error))
        return {}, ""


def verify(case):
    what = "%s %s" % (case["system"], case["workload"])
    out, err = case["process"].communicate(timeout=30)
    case["server"].shutdown()
    requests = case["server"].requests
    if case["status"] != 200:
        check(case["process"].returncode != 0, "%s: wrk exited 0 though every answer was %d"
              % (what, case["status"]))
        check("errors" in err, "%s: no word of the errors on stderr: %r" % (what, err))
        return
    check(case["process"].returncode == 0, "%s: wrk exited %d: %s %s"
          % (what, case["process"].returncode, out, err))
    result = [line for line in out.splitlines() if line.startswith("wrk-result ")]
    check(len(result) == 1, "%s: no wrk-result line in %r" % (what, out))
    if result:
        summary = json.loads(result[0][len("wrk-result "):])
        check(summary["requests"] > 0 and summary["errors"]["status"] == 0,
              "%s: summary %s" % (what, summary))
    check(len(requests) > 100, "%s: only %d requests" % (what, len(requests)))
    width = len(str((case["keys"] or 1000) - 1))
    name = re.compile(r"bench/\d{%d}$" % width)
    keys = set()
    for method, path, body in requests:
        if case["system"] == "paxoskv":
            key, _, query = path[len("/v1/kv/"):].partition("?")
            check(path.startswith("/v1/kv/"), "%s: path %s" % (what, path))
            if case["workload"] == "put":
                check(method == "PUT" and body == b"x" * 100, "%s: %s %r" % (what, method, body))
            else:
                check(method == "GET", "%s: method %s" % (what, method))
                expected = "consistency=local" if case["workload"] == "local-get" else ""
                check(query == expected, "%s: query %r" % (what, query))
        else:
            document, key = etcd_key(body, what)
            check(method == "POST", "%s: method %s" % (what, method))
            if case["workload"] == "put":
                check(path == "/v3/kv/put", "%s: path %s" % (what, path))
                check(base64.b64decode(document.get("value", "")) == b"x" * 100,
                      "%s: value %r" % (what, document.get("value")))
            else:
                check(path == "/v3/kv/range", "%s: path %s" % (what, path))
                check(document.get("serializable") is (case["workload"] == "local-get"),
                      "%s: serializable %r" % (what, document.get("serializable")))
        check(name.match(key) is not None, "%s: key %r is not named as paxoskv-bench names keys"
              % (what, key))
        keys.add(key)
    if case["keys"] and len(requests) > 20 * case["keys"]:
        check(len(keys) == case["keys"], "%s: %d of %d keys used in %d requests"
              % (what, len(keys), case["keys"], len(requests)))


def main():
    if shutil.which("wrk") is None:
        print("wrk is not installed (tools/install-deps --bench): skipped")
        return 77
    cases = [start(system, workload, keys=keys)
             for system in ("paxoskv", "etcd")
             for workload, keys in (("put", 20), ("get", None), ("local-get", 20))]
    cases.append(start("paxoskv", "get", status=404))
    cases.append(start("etcd", "put", status=400))
    for case in cases:
        verify(case)
    for failure in failures[:20]:
        print("FAIL: " + failure)
    if not failures:
        print("ok")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

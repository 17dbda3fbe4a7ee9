#!/usr/bin/env python3
"""Checks the deployment files under tools/deploy against the server they run.

Every flag the systemd unit (with its environment file), the Containerfile and the
Kubernetes StatefulSet pass must be one `paxoskv --help` lists; the unit must pass
`systemd-analyze verify` (when the machine has it); the Kubernetes objects must hang
together (the headless Service, the probes, the budget, a --cluster list of the pods'
stable names).

    check_manifests.py PAXOSKV_BINARY DEPLOY_DIR
"""
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

FLAG = re.compile(r"^--[a-z][a-z0-9-]*")

failures = []


def fail(text):
    failures.append(text)
    print("FAIL: " + text)


def known_flags(binary):
    result = subprocess.run([binary, "--help"], capture_output=True, text=True, check=True)
    flags = set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", result.stdout))
    if "--id" not in flags or "--cluster" not in flags:
        sys.exit(f"cannot read the flags of {binary} --help:\n{result.stdout}")
    return flags


def flags_in(words):
    """The flag names among command-line words ("--listen=x" and "--listen x" alike)."""
    return [FLAG.match(word).group(0) for word in words if FLAG.match(word)]


def check_flags(where, words, known):
    flags = flags_in(words)
    if not flags:
        fail(f"{where}: no flags found in {words!r}")
    for flag in flags:
        if flag not in known:
            fail(f"{where}: {flag} is not a flag of paxoskv --help")
    print(f"{where}: {' '.join(flags)}")
    return flags


# --- systemd --------------------------------------------------------------------------

def unit_settings(path):
    """Key -> list of values of a unit file (continuation lines joined)."""
    settings = {}
    with open(path) as unit:
        text = unit.read().replace("\\\n", " ")
    for line in text.splitlines():
        line = line.strip()
        if not line or line[0] in "#;[" or "=" not in line:
            continue
        key, value = line.split("=", 1)
        settings.setdefault(key.strip(), []).append(value.strip())
    return settings


def environment_file(path):
    values = {}
    with open(path) as env:
        for line in env:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, value = line.split("=", 1)
                values[key.strip()] = value.strip()
    return values


def check_unit(deploy_dir, binary, known):
    unit_path = os.path.join(deploy_dir, "paxoskv.service")
    env_path = os.path.join(deploy_dir, "paxoskv.env")
    settings = unit_settings(unit_path)
    env = environment_file(env_path)
    exec_start = settings.get("ExecStart", [])
    if len(exec_start) != 1:
        fail(f"paxoskv.service: expected one ExecStart, got {exec_start}")
        return
    words = shlex.split(exec_start[0])
    if not words[0].endswith("/paxoskv"):
        fail(f"paxoskv.service: ExecStart runs {words[0]}, not paxoskv")
    # ${VAR} is one word, $VAR splits on whitespace; each must come from the file.
    expanded = []
    for word in words[1:]:
        for name in re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", word):
            if name not in env and name not in ("MAINPID",):
                fail(f"paxoskv.service: ExecStart uses ${name}, which paxoskv.env does not set")
        whole = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
        if whole:
            expanded += shlex.split(env.get(whole.group(1), ""))
        else:
            expanded.append(re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}",
                                   lambda m: env.get(m.group(1), ""), word))
    check_flags("paxoskv.service ExecStart (with paxoskv.env)", expanded, known)
    for key, wanted in [("ProtectSystem", "strict"), ("ProtectHome", "yes"),
                        ("NoNewPrivileges", "yes"), ("PrivateTmp", "yes"),
                        ("Restart", "on-failure"), ("DynamicUser", "yes"),
                        ("StateDirectory", "paxoskv")]:
        if settings.get(key) != [wanted]:
            fail(f"paxoskv.service: expected {key}={wanted}, got {settings.get(key)}")
    for key in ("LimitNOFILE", "EnvironmentFile"):
        if key not in settings:
            fail(f"paxoskv.service: no {key}")
    if "notify" in settings.get("Type", []):
        fail("paxoskv.service: Type=notify, but paxoskv does not call sd_notify")

    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        print("SKIP: systemd-analyze not found: paxoskv.service not verified "
              "(install the systemd package to verify it)")
        return
    with tempfile.TemporaryDirectory() as scratch:
        # verify checks that ExecStart's program exists: point it at the built one.
        with open(unit_path) as unit:
            text = unit.read().replace(words[0], os.path.abspath(binary))
        copy = os.path.join(scratch, "paxoskv.service")
        with open(copy, "w") as unit:
            unit.write(text)
        result = subprocess.run([analyze, "verify", copy], capture_output=True, text=True)
        # It exits 0 on unknown keys and bad values, but says so: any word is a failure.
        said = (result.stdout + result.stderr).strip()
        if result.returncode != 0 or said:
            fail(f"systemd-analyze verify paxoskv.service (exit {result.returncode}):\n{said}")
        else:
            print("paxoskv.service: systemd-analyze verify passed")


# --- Containerfile ----------------------------------------------------------------------

def check_containerfile(deploy_dir, known):
    path = os.path.join(deploy_dir, "Containerfile")
    with open(path) as containerfile:
        text = containerfile.read().replace("\\\n", " ")
    instructions = [line.strip() for line in text.splitlines()
                    if line.strip() and not line.strip().startswith("#")]
    stages = [i for i, line in enumerate(instructions) if line.upper().startswith("FROM ")]
    if len(stages) < 2:
        fail("Containerfile: expected a multi-stage build")
    final = instructions[stages[-1]:] if stages else instructions
    if not any("debian:12" in instructions[i] for i in stages):
        fail("Containerfile: not built on Debian 12")
    words = []
    for keyword in ("ENTRYPOINT", "CMD"):
        lines = [line for line in final if line.upper().startswith(keyword + " ")]
        if len(lines) != 1:
            fail(f"Containerfile: expected one {keyword} in the final stage, got {len(lines)}")
            continue
        form = lines[0][len(keyword):].strip()
        try:
            words += json.loads(form)  # the exec form
        except json.JSONDecodeError:
            fail(f"Containerfile: {keyword} is not in the exec (JSON) form: {form}")
    if words and not words[0].endswith("/paxoskv"):
        fail(f"Containerfile: ENTRYPOINT runs {words[0]}, not paxoskv")
    check_flags("Containerfile ENTRYPOINT + CMD", words, known)
    users = [line.split(None, 1)[1] for line in final if line.upper().startswith("USER ")]
    if not users or users[-1].split(":")[0] in ("root", "0"):
        fail("Containerfile: the image does not run as a non-root USER")
    for keyword in ("VOLUME", "EXPOSE"):
        if not any(line.upper().startswith(keyword + " ") for line in final):
            fail(f"Containerfile: no {keyword}")


# --- Kubernetes -------------------------------------------------------------------------

def check_kubernetes(deploy_dir, known):
    path = os.path.join(deploy_dir, "kubernetes", "paxoskv.yaml")
    try:
        import yaml
    except ImportError:
        yaml = None
    if yaml is None:
        # Without a YAML parser: the words of the container's args block, from the text.
        print("SKIP: python3 has no yaml module: the Kubernetes objects' structure is "
              "not checked, only the flags of the args block")
        with open(path) as manifest:
            lines = manifest.read().splitlines()
        start = next(i for i, line in enumerate(lines) if line.strip() == "args:")
        indent = len(lines[start]) - len(lines[start].lstrip())
        block = []
        for line in lines[start + 1:]:
            if line.strip() and len(line) - len(line.lstrip()) <= indent:
                break
            text = line.strip()
            for marker in ("- >-", "- >", "- "):  # a list item, maybe a folded scalar
                if text.startswith(marker):
                    text = text[len(marker):]
                    break
            block.append(text)
        words = shlex.split(" ".join(block).replace("$$", "$"))
        check_flags("StatefulSet args", words, known)
        return

    with open(path) as manifest:
        objects = [o for o in yaml.safe_load_all(manifest) if o]
    by_kind = {}
    for o in objects:
        by_kind.setdefault(o["kind"], []).append(o)
    statefulset = by_kind.get("StatefulSet", [None])[0]
    if statefulset is None:
        fail("paxoskv.yaml: no StatefulSet")
        return
    spec = statefulset["spec"]
    name = statefulset["metadata"]["name"]
    container = spec["template"]["spec"]["containers"][0]
    words = []
    for word in container.get("command", []) + container.get("args", []):
        # A shell script (sh -c) is split into its words; Kubernetes turns $$ into $.
        words += shlex.split(word.replace("$$", "$")) if " " in word else [word]
    flags = check_flags("StatefulSet command + args", words, known)
    for required in ("--id", "--cluster", "--data-dir", "--listen"):
        if required not in flags:
            fail(f"StatefulSet: does not pass {required}")

    services = {s["metadata"]["name"]: s for s in by_kind.get("Service", [])}
    headless = services.get(spec.get("serviceName"))
    if headless is None or headless["spec"].get("clusterIP") != "None":
        fail(f"StatefulSet: serviceName {spec.get('serviceName')} is not a headless Service")
    elif not headless["spec"].get("publishNotReadyAddresses"):
        fail("headless Service: replicas must find each other before they are ready "
             "(publishNotReadyAddresses)")
    if spec.get("podManagementPolicy") != "Parallel":
        fail("StatefulSet: an ordered start waits for ever on a first pod that is never ready "
             "alone (podManagementPolicy: Parallel)")

    # --cluster names every pod by its stable DNS name, ids 1..replicas.
    cluster = next((w.split("=", 1)[1] for w in words if w.startswith("--cluster=")), "")
    members = dict(m.split("=", 1) for m in cluster.split(",") if "=" in m)
    replicas = spec.get("replicas", 1)
    if sorted(members) != [str(i + 1) for i in range(replicas)]:
        fail(f"StatefulSet: --cluster ids {sorted(members)} are not 1..{replicas}")
    for i in range(replicas):
        address = members.get(str(i + 1), "")
        if not address.startswith(f"{name}-{i}.{spec.get('serviceName')}."):
            fail(f"StatefulSet: replica {i + 1} is not at pod {name}-{i}'s stable name: "
                 f"{address}")

    ports = {p["name"]: p["containerPort"] for p in container.get("ports", [])}
    for probe, path_wanted in (("readinessProbe", "/readyz"), ("livenessProbe", "/livez")):
        get = container.get(probe, {}).get("httpGet", {})
        if get.get("path") != path_wanted:
            fail(f"StatefulSet: {probe} is not GET {path_wanted}")
        port = ports.get(get.get("port"), get.get("port"))
        listen = next((w.split("=", 1)[1] for w in words if w.startswith("--listen=")), "")
        if str(port) != listen.rsplit(":", 1)[-1]:
            fail(f"StatefulSet: {probe} port {port} is not the --listen port ({listen})")

    budgets = by_kind.get("PodDisruptionBudget", [])
    if not budgets or budgets[0]["spec"].get("maxUnavailable") != 1:
        fail("paxoskv.yaml: no PodDisruptionBudget with maxUnavailable: 1")
    elif budgets[0]["spec"]["selector"] != spec["selector"]:
        fail("PodDisruptionBudget: its selector is not the StatefulSet's")


def main():
    binary, deploy_dir = sys.argv[1], sys.argv[2]
    known = known_flags(binary)
    check_unit(deploy_dir, binary, known)
    check_containerfile(deploy_dir, known)
    check_kubernetes(deploy_dir, known)
    if failures:
        print(f"{len(failures)} problem(s) in {deploy_dir}")
        return 1
    print(f"ok: every flag the deployment files pass is one of paxoskv's")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Checks which folder of the project includes which: each folder may include only itself
and the folders below it, so the data path reads top to bottom (http -> Node ->
consensus, kvstore, transport) and no two folders include each other. The public
headers (include/paxoskv/) name no Boost or LevelDB type.

  check_layering.py SOURCE_ROOT            exit status 1 and a line per violation
  check_layering.py SOURCE_ROOT --picture  also prints which folder includes which
"""
import pathlib
import re
import sys

# Folder -> the folders its files may include (besides itself). A file belongs to the
# longest folder its path starts with; "src" is the Node room (the files directly in
# src/). "paxoskv" is the public include/paxoskv/.
ALLOWED = {
    "src/server": {"paxoskv", "http/encoding"},  # http/encoding: the one duration syntax
    "http": {"paxoskv", "src", "src/auth", "src/tls", "http/encoding"},
    "http/encoding": set(),
    "src": {"paxoskv", "src/anti_entropy", "src/auth", "src/lease", "src/membership", "src/transport",
            "src/tls", "kvstore", "consensus"},
    "src/anti_entropy": {"kvstore", "consensus"},
    "src/transport": {"paxoskv", "src/anti_entropy", "src/membership", "src/tls", "consensus"},
    "src/tls": {"paxoskv"},
    "src/auth": {"paxoskv"},
    "src/lease": {"consensus"},
    "src/membership": {"paxoskv", "kvstore", "consensus"},
    "kvstore": {"consensus"},
    "consensus": set(),
    "paxoskv": set(),
}
SOURCE_FOLDERS = {"include/paxoskv": "paxoskv"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.MULTILINE)
FOREIGN_TYPE = re.compile(r"\b(boost|leveldb)\s*::|#\s*include\s*<(boost|leveldb)/")


def folder_of(path: str) -> str | None:
    for prefix, folder in SOURCE_FOLDERS.items():
        if path.startswith(prefix + "/"):
            return folder
    candidates = [f for f in ALLOWED if f != "paxoskv" and path.startswith(f + "/")]
    if not candidates:
        return None
    folder = max(candidates, key=len)
    if folder == "src" and path.count("/") > 1:
        return None  # a subfolder of src/ not in the table: reported below
    return folder


def main() -> int:
    root = pathlib.Path(sys.argv[1])
    picture = "--picture" in sys.argv[2:]
    problems = []
    edges: dict[str, set[str]] = {folder: set() for folder in ALLOWED}
    for path in sorted(root.glob("**/*")):
        relative = path.relative_to(root).as_posix()
        if path.suffix not in (".h", ".cc") or not relative.split("/")[0] in (
                "consensus", "kvstore", "src", "http", "include"):
            continue
        folder = folder_of(relative)
        if folder is None:
            problems.append(f"{relative}: in a folder the layering does not know")
            continue
        text = path.read_text(encoding="utf-8")
        if folder == "paxoskv":
            code = re.sub(r"//[^\n]*", "", text)
            if FOREIGN_TYPE.search(code):
                problems.append(f"{relative}: a public header names a Boost or LevelDB type")
        for included in INCLUDE.findall(text):
            target = folder_of(included) if not included.startswith("paxoskv/") else "paxoskv"
            if target is None:
                problems.append(f"{relative}: includes {included}, in no known folder")
                continue
            if target == folder:
                continue
            edges[folder].add(target)
            if target not in ALLOWED[folder]:
                problems.append(f"{relative}: includes {included} ({folder} may not include "
                                f"{target})")
    if picture:
        for folder, targets in edges.items():
            print(f"{folder:18} -> {', '.join(sorted(targets)) or '(none)'}")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())

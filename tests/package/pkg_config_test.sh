#!/usr/bin/env bash
# Installs the build into a temporary prefix (meson install --destdir, nothing rebuilt)
# and builds tools/examples/config_service.cc against it as any program outside the
# project would: with the flags of the installed paxoskv.pc, and nothing else.
#
#   pkg_config_test.sh BUILD_DIR SOURCE_DIR PREFIX C++-COMPILER...
set -euo pipefail
build_dir="$1"
source_dir="$2"
prefix="$3"
shift 3
cxx=("$@")

scratch="$(mktemp -d "${TMPDIR:-/tmp}/paxoskv-pkg-config.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT

meson install -C "$build_dir" --no-rebuild --quiet --destdir "$scratch/root" >"$scratch/install.log" 2>&1 ||
  { cat "$scratch/install.log"; exit 1; }
installed="$scratch/root$prefix"
pc_file="$(find "$installed" -name paxoskv.pc -path '*/pkgconfig/*' | head -1)"
[[ -n "$pc_file" ]] || { echo "FAIL: no paxoskv.pc installed under $installed"; exit 1; }
echo "installed: $pc_file"
cat "$pc_file"

# The file must not carry this machine: no absolute library paths, no include dirs but
# its own (-isystem/usr/include breaks <cstdlib> in a C++ program).
if grep -E '^(Libs|Libs.private|Cflags):' "$pc_file" | grep -qE '(^|[ :])/[^ ]*\.(so|a)([. ]|$)|-isystem|-I/'; then
  echo "FAIL: paxoskv.pc names absolute paths or system include dirs"
  exit 1
fi

export PKG_CONFIG_PATH="$(dirname "$pc_file")"
# The .pc names the prefix it was configured for; the files are under the destdir.
pkg_config=(pkg-config --define-variable=prefix="$installed")
cflags="$("${pkg_config[@]}" --cflags paxoskv)"
libs="$("${pkg_config[@]}" --libs paxoskv)"
echo "cflags: $cflags"
echo "libs: $libs"

# shellcheck disable=SC2086 # the flags are words
"${cxx[@]}" -std=c++20 $cflags "$source_dir/tools/examples/config_service.cc" $libs \
  -o "$scratch/config_service"

# It runs: a bad flag is refused with exit status 2 (not a crash, not a missing library).
status=0
"$scratch/config_service" --no-such-flag x 2>"$scratch/run.log" || status=$?
if [[ "$status" -ne 2 ]]; then
  echo "FAIL: the example built against the installed library exited with $status:"
  cat "$scratch/run.log"
  exit 1
fi
echo "ok: tools/examples/config_service.cc builds and runs against the installed paxoskv.pc"

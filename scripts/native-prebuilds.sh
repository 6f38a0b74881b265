#!/usr/bin/env bash
# Rebuilds the prebuilt binaries of our N-API addon (native/netio.c) that ship in prebuilds/:
# linux-x64 and linux-arm64, glibc, stripped. `npm ci` then needs no compiler on those
# platforms (node-gyp-build loads the matching one, and builds from source elsewhere).
#
# Needs a C compiler for each target: the host's own, and a cross compiler for the other
# (Debian: apt-get install gcc-aarch64-linux-gnu, or gcc-x86-64-linux-gnu on an arm64 host), and
# Node headers (npm_config_nodedir=/usr on Debian). Run it after changing native/ or
# binding.gyp; it also records their SHA-256 in prebuilds/SOURCES.sha256, which a test compares
# with the sources so a stale binary cannot ship unnoticed.
set -euo pipefail
cd "$(dirname "$0")/.."
export npm_config_nodedir=${npm_config_nodedir:-/usr}

host=$(node -p process.arch)
declare -A PREFIX=([x64]=x86_64-linux-gnu- [arm64]=aarch64-linux-gnu-)

for arch in x64 arm64; do
  if [ "$arch" = "$host" ]; then
    npx prebuildify --napi --strip --tag-libc
  else
    p=${PREFIX[$arch]}
    command -v "${p}gcc" >/dev/null || { echo "native-prebuilds: ${p}gcc not found (cross compiler for $arch)" >&2; exit 1; }
    CC=${p}gcc CXX=${p}gcc LINK=${p}gcc AR=${p}ar \
      npx prebuildify --napi --strip --tag-libc --arch "$arch" --strip-bin "${p}strip"
  fi
done
# prebuildify leaves the last target's objects in build/: remove them, so that a build for
# another architecture is never mistaken for this host's (node-gyp-build prefers build/Release).
rm -rf build
sha256sum native/*.c native/*.h binding.gyp >prebuilds/SOURCES.sha256
ls -l prebuilds/*/

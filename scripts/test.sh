#!/usr/bin/env bash
# The whole test suite: unit, simulator, system and interop tests.
# As root it installs the Debian packages the system tests use (keepalived as the interop
# peer, tshark, nftables, iproute2) and runs everything; as another user the root-only
# tests skip with their reason. Ends with one plain line: "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(keepalived tshark tcpdump nftables iproute2 iputils-ping procps build-essential python3)

if [ "$(id -u)" = 0 ]; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || {
      echo "apt-get install failed"; echo "0 passed, 1 failed"; exit 1; }
  fi
  # keepalived is only the interop peer: never let the package's own service run.
  systemctl disable --now keepalived >/dev/null 2>&1 || true
  pkill -x keepalived >/dev/null 2>&1 || true
fi

export npm_config_nodedir=${npm_config_nodedir:-/usr}
if [ "${SKIP_NPM_CI:-}" != 1 ]; then
  npm ci --no-audit --no-fund || { echo "npm ci failed"; echo "0 passed, 1 failed"; exit 1; }
fi

results=$(mktemp /tmp/keepalived-ts-vitest.XXXXXX.json)
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@"
rc=$?
node -e '
  const fs = require("fs");
  let r = {};
  try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch (e) {}
  const passed = r.numPassedTests ?? 0;
  const failed = (r.numFailedTests ?? 0) + ((r.numFailedTestSuites ?? 0) > 0 && !r.numFailedTests ? r.numFailedTestSuites : 0);
  const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$results"
rm -f "$results"
exit $rc

#!/usr/bin/env bash
# The whole test suite: unit, simulator, system and interop tests.
# As root it installs the Debian packages the system tests use (keepalived as the interop
# peer, tshark, nftables, iproute2, chromium for the web view's browser tests) and runs
# everything; as another user the root-only tests skip with their reason. Ends with one plain
# line: "N passed, N failed" (skips counted on the line before).
set -uo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(keepalived tshark tcpdump nftables iproute2 iputils-ping procps build-essential python3 chromium)

if [ "$(id -u)" = 0 ]; then
  missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing Debian packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    echo 'wireshark-common wireshark-common/install-setuid boolean false' | debconf-set-selections
    # keepalived is only the interop peer: its package must not start its service while apt
    # installs it. A policy-rc.d answering 101 ("action forbidden") tells invoke-rc.d and
    # deb-systemd-invoke so; it exists only during apt-get and only if we created it (an
    # existing one is the operator's and stays as it is). Nothing here stops, disables or kills
    # a service: a keepalived already running on this machine is left alone, and the tests run
    # theirs inside network namespaces with their own pid files.
    POLICY_RC=${KEEPALIVED_TS_POLICY_RC:-/usr/sbin/policy-rc.d}
    created_policy=0
    if [ ! -e "$POLICY_RC" ] && [ ! -L "$POLICY_RC" ]; then
      trap 'if [ "$created_policy" = 1 ]; then rm -f "$POLICY_RC"; fi' EXIT
      trap 'exit 130' INT TERM
      created_policy=1
      printf '#!/bin/sh\n# written by keepalived-ts scripts/test.sh while apt-get runs\nexit 101\n' >"$POLICY_RC"
      chmod 755 "$POLICY_RC"
    fi
    apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    apt_rc=$?
    if [ "$created_policy" = 1 ]; then rm -f "$POLICY_RC"; created_policy=0; fi
    [ "$apt_rc" = 0 ] || { echo "apt-get install failed"; echo "0 passed, 1 failed"; exit 1; }
  fi
fi

export npm_config_nodedir=${npm_config_nodedir:-/usr}
if [ "${SKIP_NPM_CI:-}" != 1 ]; then
  npm ci --no-audit --no-fund || { echo "npm ci failed"; echo "0 passed, 1 failed"; exit 1; }
  # npm ci needs no compiler (netio ships prebuilt; raw-socket is optional). Where there is one
  # (as root we installed build-essential), build everything from source too: netio from
  # native/netio.c (the tests then use that build), and check that the optional raw-socket built.
  if command -v cc >/dev/null && command -v make >/dev/null && command -v python3 >/dev/null; then
    npm run build:native >/dev/null || { echo "npm run build:native failed"; echo "0 passed, 1 failed"; exit 1; }
    [ -d node_modules/raw-socket ] || { echo "raw-socket was not built although a compiler is present"; echo "0 passed, 1 failed"; exit 1; }
  else
    echo "no C compiler: using the prebuilt netio addon; raw-socket (optional, for the daemon) is not installed"
  fi
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
  if (skipped > 0) console.log(`${skipped} skipped`);
  console.log(`${passed} passed, ${failed} failed`);
' "$results"
rm -f "$results"
exit $rc

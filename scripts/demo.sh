#!/usr/bin/env bash
# sudo npm run demo
#
# Two keepalived-ts daemons (lb-a priority 150, lb-b priority 100) in their own network
# namespaces, joined by a bridge, share the virtual IP 198.51.100.100. A third namespace plays a
# client that pings the VIP. The script walks through four steps and prints what it sees:
#
#   1. election          lb-a becomes MASTER and holds the VIP
#   2. crash             lb-a is killed with SIGKILL and its link cut: lb-b takes over after the
#                        master-down interval (3 x advert_int + skew, about 3.6 s)
#   3. recovery          lb-a comes back and preempts (higher priority)
#   4. graceful stop     SIGTERM to lb-a: it advertises priority 0, removes the VIP, and lb-b
#                        takes over after the skew time only (about 0.6 s)
#
# Everything lives in namespaces named ktsdemo-*: nothing is added to the host's own network.
# Every wait is bounded; the namespaces, daemons and temporary files are removed on exit,
# Ctrl-C included.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
  echo "demo: needs root to create network namespaces - run: sudo npm run demo" >&2
  exit 1
fi
for cmd in ip node ping; do
  command -v "$cmd" >/dev/null || { echo "demo: '$cmd' is required" >&2; exit 1; }
done
[ -d node_modules/tsx ] || { echo "demo: run 'npm install' first" >&2; exit 1; }

NS_SW=ktsdemo-sw
NS_A=ktsdemo-a
NS_B=ktsdemo-b
NS_C=ktsdemo-client
VIP=198.51.100.100
WORK=$(mktemp -d /tmp/keepalived-ts-demo.XXXXXX)
CLI="$PWD/adapters/node/cli.ts"

bold() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
say() { printf '\033[36m-- %s\033[0m\n' "$*"; }

pid_of() { cat "$WORK/$1.pid" 2>/dev/null || true; }

# A pid from our pid files, if that process is still one of this run's daemons (never a reused
# pid): they carry KTS_DEMO_RUN=$WORK in their environment (their command line is renamed).
ours() { [ -n "$1" ] && grep -qaF "KTS_DEMO_RUN=$WORK" "/proc/$1/environ" 2>/dev/null; }

stop_node() { # name signal
  local p c
  p=$(pid_of "$1")
  c=$(pid_of "$1-vrrp")
  if ours "$p"; then kill "-$2" "$p" 2>/dev/null || true; fi
  if [ "$2" = KILL ] && ours "$c"; then kill -KILL "$c" 2>/dev/null || true; fi
}

cleanup() {
  set +e
  for n in lb-a lb-b; do stop_node "$n" TERM; done
  for _ in $(seq 1 30); do
    [ -z "$(pid_of lb-a)$(pid_of lb-b)" ] && break
    sleep 0.2
  done
  for n in lb-a lb-b; do stop_node "$n" KILL; done
  # Only the namespaces this run created; the daemons were ended above by their own pids.
  for ns in $CREATED_NS; do ip netns del "$ns" 2>/dev/null; done
  rm -rf "$WORK"
  [ -n "$CREATED_NS" ] && echo "demo: cleaned up (removed namespaces:$(printf ' %s' $CREATED_NS))"
}
CREATED_NS=""
trap cleanup EXIT
trap 'exit 130' INT TERM

# Namespaces of the same names belong to another demo (running, or interrupted): never touch them.
for ns in $NS_A $NS_B $NS_C $NS_SW; do
  if [ -e "/run/netns/$ns" ]; then
    echo "demo: network namespace $ns already exists (another demo running, or left by an interrupted one)." >&2
    echo "demo: if no demo is running, remove them with: for n in $NS_A $NS_B $NS_C $NS_SW; do ip netns del \$n; done" >&2
    exit 1
  fi
done

bold "Building the lab: three hosts on a bridge (198.51.100.0/24, documentation range)"
ip netns add $NS_SW
CREATED_NS="$NS_SW $CREATED_NS"
ip -n $NS_SW link add br0 type bridge
ip -n $NS_SW link set br0 up
host() { # ns ifname address
  ip netns add "$1"
  CREATED_NS="$1 $CREATED_NS"
  ip -n "$1" link set lo up
  ip -n $NS_SW link add "$2-p" type veth peer name "$2" netns "$1"
  ip -n $NS_SW link set "$2-p" master br0 up
  ip -n "$1" addr add "$3/24" dev "$2"
  ip -n "$1" link set "$2" up
}
host $NS_A lba 198.51.100.1
host $NS_B lbb 198.51.100.2
host $NS_C cli 198.51.100.9
say "lb-a 198.51.100.1 (priority 150), lb-b 198.51.100.2 (priority 100), client 198.51.100.9, VIP $VIP"

write_conf() { # name ifname priority state
  cat >"$WORK/$1.conf" <<EOF
global_defs {
  router_id $1
}
vrrp_instance VI_1 {
  state $4
  interface $2
  virtual_router_id 51
  priority $3
  advert_int 1
  virtual_ipaddress {
    $VIP/24
  }
}
EOF
}
write_conf lb-a lba 150 MASTER
write_conf lb-b lbb 100 BACKUP

start_node() { # name ns
  ( KTS_DEMO_RUN="$WORK" ip netns exec "$2" node --import tsx "$CLI" -n -l -f "$WORK/$1.conf" \
      -p "$WORK/$1.pid" -r "$WORK/$1-vrrp.pid" -c "$WORK/$1-checkers.pid" 2>&1 |
      sed -u "s/^/[$1] /" ) &
  disown $!   # no "Killed" job notices from bash when step 2 kills the daemon
}

vip_on() { ip -n "$1" -br addr show | grep -q " $VIP/"; }

wait_until() { # seconds description command...
  local limit=$1 what=$2
  shift 2
  local start=$(date +%s%N)
  for _ in $(seq 1 $((limit * 20))); do
    if "$@"; then
      echo $(( ($(date +%s%N) - start) / 1000000 ))
      return 0
    fi
    sleep 0.05
  done
  echo "demo: timed out after ${limit}s waiting for $what" >&2
  return 1
}

who_has_vip() {
  local holders=""
  vip_on $NS_A && holders="$holders lb-a"
  vip_on $NS_B && holders="$holders lb-b"
  echo "${holders:- nobody}"
}

client_ping() {
  if ip netns exec $NS_C ping -c1 -W1 $VIP >/dev/null 2>&1; then
    local mac
    mac=$(ip -n $NS_C neigh show $VIP | awk '{print $5}')
    say "client: ping $VIP ok (answered by MAC $mac)"
  else
    say "client: ping $VIP failed"
  fi
}

bold "Step 1: election"
start_node lb-a $NS_A
start_node lb-b $NS_B
wait_until 30 "lb-a to hold the VIP alone" sh -c "ip -n $NS_A -br addr | grep -q ' $VIP/' && ! ip -n $NS_B -br addr | grep -q ' $VIP/'" >/dev/null
sleep 1
say "VIP is on:$(who_has_vip)"
say "MAC of lb-a: $(ip -n $NS_A -br link show lba | awk '{print $3}'), MAC of lb-b: $(ip -n $NS_B -br link show lbb | awk '{print $3}')"
client_ping

bold "Step 2: lb-a crashes (SIGKILL to its daemon, link cut)"
stop_node lb-a KILL
ip -n $NS_A link set lba down
ms=$(wait_until 15 "lb-b to take the VIP" vip_on $NS_B)
say "lb-b took over after ${ms} ms (master down interval: 3 x 1 s + (256-100)/256 s = 3.61 s)"
sleep 1
say "VIP is on:$(who_has_vip) (lb-a's interface is down)"
client_ping

bold "Step 3: lb-a comes back and preempts"
say "the killed lb-a left the VIP on its interface; the new daemon removes it before starting in BACKUP"
ip -n $NS_A link set lba up
rm -f "$WORK/lb-a.pid" "$WORK/lb-a-vrrp.pid"
start_node lb-a $NS_A
ms=$(wait_until 30 "lb-a to hold the VIP alone again" sh -c "ip -n $NS_A -br addr | grep -q ' $VIP/' && ! ip -n $NS_B -br addr | grep -q ' $VIP/'")
sleep 1
say "VIP is on:$(who_has_vip)"
client_ping

bold "Step 4: graceful stop of lb-a (SIGTERM: priority 0 advert, VIP removed)"
stop_node lb-a TERM
ms=$(wait_until 15 "lb-b to take the VIP" vip_on $NS_B)
say "lb-b took over after ${ms} ms (skew time only: (256-100)/256 s = 0.61 s)"
wait_until 15 "lb-a to exit" sh -c "[ ! -e '$WORK/lb-a.pid' ]" >/dev/null
sleep 1
say "VIP is on:$(who_has_vip)"
client_ping

bold "Done: stopping lb-b"

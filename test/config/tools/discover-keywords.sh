#!/bin/bash
# Discover which words keepalived 2.2.7 accepts as keywords in each block, by asking the binary:
# for every candidate word and block context, `keepalived -t` on a one-keyword config either reports
# "Unknown keyword 'WORD'" or not. Candidates: keywords of the keepalived.conf(5) man page, of
# /work/shared/research/keepalived-features.md, and identifier-like strings of the binary.
# Run as root; it runs inside a private network namespace (nothing touches the host network):
#   unshare --net nice ./discover-keywords.sh OUTDIR
# then: ./check-our-keywords.sh (our own table keywords) and gen-known.py OUTDIR > config/keywords/known.ts
set -u
OUT=${1:-/tmp/kts-a-kw}
mkdir -p "$OUT" && cd "$OUT" || exit 1
{ man 5 keepalived.conf 2>/dev/null | col -b | grep -oE '^\s*#?\s*[A-Za-z][A-Za-z0-9_-]+' | sed 's/[# ]//g'
  grep -oE '`[A-Za-z][A-Za-z0-9_-]+' /work/shared/research/keepalived-features.md | tr -d '`'
  man 5 keepalived.conf 2>/dev/null | col -b | grep -oE '[A-Za-z][A-Za-z0-9_-]*_[A-Za-z0-9_-]+'
  strings /usr/sbin/keepalived | grep -E '^[A-Za-z][A-Za-z0-9_-]{1,40}$' | grep -E '_|^[A-Z_]+$'
} | grep -E '^[A-Za-z][A-Za-z0-9_-]{1,40}$' | sort -u > candidates.txt
declare -A PRE SUF
PRE[root]=""; SUF[root]=""
PRE[global_defs]=$'global_defs {\n'; SUF[global_defs]=$'\n}'
PRE[vrrp_instance]=$'vrrp_instance X {\n'; SUF[vrrp_instance]=$'\n}'
PRE[authentication]=$'vrrp_instance X {\nauthentication {\n'; SUF[authentication]=$'\n}\n}'
PRE[vrrp_sync_group]=$'vrrp_sync_group G {\n'; SUF[vrrp_sync_group]=$'\n}'
PRE[vrrp_script]=$'vrrp_script S {\n'; SUF[vrrp_script]=$'\n}'
PRE[track_file]=$'track_file F {\n'; SUF[track_file]=$'\n}'
PRE[vrrp_track_process]=$'vrrp_track_process P {\n'; SUF[vrrp_track_process]=$'\n}'
PRE[virtual_server]=$'virtual_server 10.0.0.1 80 {\n'; SUF[virtual_server]=$'\n}'
PRE[real_server]=$'virtual_server 10.0.0.1 80 {\nreal_server 10.0.0.2 80 {\n'; SUF[real_server]=$'\n}\n}'
for c in TCP_CHECK HTTP_GET SSL_GET MISC_CHECK SMTP_CHECK DNS_CHECK UDP_CHECK PING_CHECK FILE_CHECK BFD_CHECK; do
  PRE[$c]=$'virtual_server 10.0.0.1 80 {\nreal_server 10.0.0.2 80 {\n'"$c"$' {\n'; SUF[$c]=$'\n}\n}\n}'
done
PRE[url]=$'virtual_server 10.0.0.1 80 {\nreal_server 10.0.0.2 80 {\nHTTP_GET {\nurl {\n'; SUF[url]=$'\n}\n}\n}\n}'
PRE[SSL]=$'SSL {\n'; SUF[SSL]=$'\n}'
PRE[bfd_instance]=$'bfd_instance B {\n'; SUF[bfd_instance]=$'\n}'
PRE[garp_group]=$'garp_group {\n'; SUF[garp_group]=$'\n}'
# probe CONTEXT WORD -> success when keepalived does not call WORD unknown there
probe() {
  printf '%s%s 1%s\n' "${PRE[$1]}" "$2" "${SUF[$1]}" > t.conf
  ! timeout 5 keepalived -t -n -l -f t.conf 2>&1 | grep -qF "Unknown keyword '$2'"
}
if [ "${MODE:-discover}" = discover ]; then
  for ctx in "${!PRE[@]}"; do
    : > "known.$ctx"
    while read -r k; do probe "$ctx" "$k" && echo "$k" >> "known.$ctx"; done < candidates.txt
  done
else
  # MODE=targeted: stdin has lines "CONTEXT WORD WORD…"; prints "CONTEXT WORD" for accepted words.
  while read -r ctx kws; do for k in $kws; do probe "$ctx" "$k" && echo "$ctx $k"; done; done
fi

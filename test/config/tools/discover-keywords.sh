#!/bin/bash
# Discover which candidate words keepalived 2.2.7 accepts as keywords in each block context.
cd /tmp/kts-a-kw
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
for ctx in "${!PRE[@]}"; do
  : > known.$ctx
  while read -r k; do
    printf '%s%s 1%s\n' "${PRE[$ctx]}" "$k" "${SUF[$ctx]}" > t.conf
    if ! timeout 5 keepalived -t -n -l -f t.conf 2>&1 | grep -qF "Unknown keyword '$k'"; then echo "$k" >> known.$ctx; fi
  done < /tmp/kts-a-cands.txt
done
echo done > finished

#!/bin/bash
# For each "context kw kw kw" line on stdin, print "context kw" when keepalived 2.2.7 accepts kw there.
cd /tmp/kts-a-kw
source <(sed -n '/^declare -A/,/^PRE\[garp_group\]/p' run.sh)
while read -r ctx kws; do
  for k in $kws; do
    printf '%s%s 1%s\n' "${PRE[$ctx]}" "$k" "${SUF[$ctx]}" > t2.conf
    if ! timeout 5 keepalived -t -n -l -f t2.conf 2>&1 | grep -qF "Unknown keyword '$k'"; then echo "$ctx $k"; fi
  done
done

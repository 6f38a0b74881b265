#!/usr/bin/env python3
"""Writes config/keywords/known.ts: the keywords keepalived 2.2.7 accepts per block.

Input: a directory with discover-keywords.sh output (known.<context>, one keyword per line, from probing
candidate words) and targeted.out ("<context> <keyword>" lines from `MODE=targeted discover-keywords.sh`
fed with our own table keywords, which catches plain words the candidate list misses).
Usage: gen-known.py DIR > config/keywords/known.ts
"""
import os, sys

d = sys.argv[1]
known = {}
for f in os.listdir(d):
    if f.startswith('known.'):
        known[f[6:]] = {l.strip() for l in open(os.path.join(d, f)) if l.strip()}
for l in open(os.path.join(d, 'targeted.out')):
    c, k = l.split()
    known.setdefault(c, set()).add(k)
for c in known:
    known[c] = sorted(k for k in known[c] if not k.startswith('include'))

def arr(name, ctx):
    ws = known.get(ctx, [])
    body = ''.join(f"\n  '{w}'," for w in ws)
    return f"export const {name}: readonly string[] = [{body}\n];\n"

checkers = ['TCP_CHECK', 'HTTP_GET', 'SSL_GET', 'SMTP_CHECK', 'MISC_CHECK', 'DNS_CHECK', 'UDP_CHECK', 'PING_CHECK', 'FILE_CHECK', 'BFD_CHECK']
out = ['/**\n * Keywords keepalived 2.2.7 (Debian) accepts, per block, found by asking the binary itself:\n'
       ' * `keepalived -t` on a one-keyword config reports "Unknown keyword" or not\n'
       ' * (test/config/tools/discover-keywords.sh and gen-known.py). Generated; do not edit by hand.\n'
       ' * Keywords keepalived added after 2.2.7 are deliberately absent (2.2.7 is the reference).\n */\n',
       "import type { CheckerKind } from '../model.js';\n\n"]
for name, ctx in [('ROOT_KEYWORDS', 'root'), ('GLOBAL_DEFS_KEYWORDS', 'global_defs'), ('VRRP_INSTANCE_KEYWORDS', 'vrrp_instance'),
                  ('VRRP_SYNC_GROUP_KEYWORDS', 'vrrp_sync_group'), ('VRRP_SCRIPT_KEYWORDS', 'vrrp_script'), ('TRACK_FILE_KEYWORDS', 'track_file'),
                  ('VRRP_TRACK_PROCESS_KEYWORDS', 'vrrp_track_process'), ('VIRTUAL_SERVER_KEYWORDS', 'virtual_server'),
                  ('REAL_SERVER_KEYWORDS', 'real_server'), ('URL_KEYWORDS', 'url'), ('AUTHENTICATION_KEYWORDS', 'authentication')]:
    out.append(arr(name, ctx))
out.append('export const CHECKER_KEYWORDS_BY_KIND: Record<CheckerKind, readonly string[]> = {\n')
for c in checkers:
    out.append(f"  {c}: [{', '.join(repr(w) for w in known.get(c, []))}],\n")
out.append('};\n')
sys.stdout.write(''.join(out))

/**
 * The top-level `SSL { password ca certificate key }` block (keepalived check_parser.c): the
 * client context every SSL_GET checker uses. A second block replaces the first, a repeated
 * keyword replaces its value, as in keepalived (both reported).
 */
import type { SslConfig } from '../model.js';
import type { Stmt } from '../tree.js';
import { posOf, strArg } from '../values.js';
import { table, walk, type Cx, type Table } from './engine.js';

type SslFile = 'password' | 'ca' | 'certificate' | 'key';

function sslValue(key: SslFile): (s: SslConfig, st: Stmt, cx: Cx) => void {
  return (s, st, cx) => {
    const v = strArg(st, 1, cx.d, key === 'password' ? 'password' : 'file');
    if (v === undefined) return;
    if (s[key] !== undefined) cx.d.error(posOf(st), `SSL ${key} already specified - replacing`, `keep one ${key} line`);
    s[key] = v;
  };
}

export const sslTable: Table<SslConfig> = table<SslConfig>({
  password: sslValue('password'),
  ca: sslValue('ca'),
  certificate: sslValue('certificate'),
  key: sslValue('key'),
});

/** Parses one `SSL { }` block; `previous` is the block already read, if any. */
export function parseSsl(st: Stmt, cx: Cx, previous: SslConfig | undefined): SslConfig {
  if (previous) cx.d.error(posOf(st), 'SSL context already specified - replacing', 'keep one SSL block');
  const s: SslConfig = { source: { file: st.file, line: st.line } };
  walk(s, st.block, sslTable, cx, 'SSL');
  return s;
}

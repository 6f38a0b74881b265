/**
 * SVG timeline: one panel per virtual router (segment + VRID), one row per host, a coloured bar
 * for each VRRP state over time, a thin line under it while the host holds the router's VIPs,
 * hatching while the daemon is down, an orange band while the host is paused, dashed lines for
 * faults and red markers for invariant violations (on an observer's row for L12: where its
 * traffic for a VIP would go).
 */
import type { SimEvent } from '../events.js';
import { faultHosts } from '../faults.js';

export interface SvgRow {
  host: string;
  instance: string;
  vips: string[];
}

/** "Where would this observer send traffic for this VIP": its neighbour-cache entry over time. */
export interface SvgArpRow {
  observer: string;
  vip: string;
}

export interface SvgPanel {
  title: string;
  rows: SvgRow[];
  arpRows?: SvgArpRow[];
}

const OWNER_COLOURS = ['#6a1b9a', '#00838f', '#ef6c00', '#5d4037', '#283593', '#ad1457', '#558b2f'];

const FILL: Record<string, string> = {
  MASTER: '#2e7d32',
  BACKUP: '#1e88e5',
  FAULT: '#c62828',
  INIT: '#bdbdbd',
  STOP: '#757575',
  DELETED: '#424242',
};

const LABEL_W = 170;
const PLOT_W = 900;
const ROW_H = 24;
const BAR_H = 14;
const HEADER_H = 22;
const FAULT_LANE_H = 54;

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function niceStepUs(spanUs: number): number {
  const raw = spanUs / 10;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

function fmtTick(us: number): string {
  const s = us / 1e6;
  return s >= 3600 ? `${+(s / 3600).toFixed(2)}h` : s >= 120 ? `${+(s / 60).toFixed(2)}m` : `${+s.toFixed(3)}s`;
}

type Span = { from: number; to: number; value: string };

/** Intervals of a value that changes at event times; `initial` until the first change. */
function spans(changes: Array<[number, string]>, endUs: number, initial: string): Span[] {
  const out: Span[] = [];
  let cur = initial;
  let since = 0;
  for (const [t, v] of changes) {
    if (v === cur) continue;
    if (t > since) out.push({ from: since, to: t, value: cur });
    cur = v;
    since = t;
  }
  if (endUs > since) out.push({ from: since, to: endUs, value: cur });
  return out;
}

/** The red triangle over a row at a violation's instant, with the violation as its tooltip. */
function marker(vx: number, top: number, v: Extract<SimEvent, { type: 'violation' }>): string {
  return `<path d="M${vx.toFixed(2)},${top - 1} l-5,-7 h10 z" fill="#d50000"><title>${esc(`${v.id}: ${v.message}`)}</title></path>`;
}

/** True when `text` names `address` as a whole word (198.51.100.1 is not in 198.51.100.10). */
function mentions(text: string, address: string): boolean {
  for (let i = text.indexOf(address); i >= 0; i = text.indexOf(address, i + 1)) {
    const before = text[i - 1];
    const after = text[i + address.length];
    if ((before === undefined || !/[\w.:]/.test(before)) && (after === undefined || !/[\w:]/.test(after) || (after === '.' && !/\d/.test(text[i + address.length + 1] ?? '')))) return true;
  }
  return false;
}

export function renderSvg(opts: { title: string; endUs: number; panels: SvgPanel[]; history: readonly SimEvent[] }): string {
  const endUs = Math.max(1, opts.endUs);
  const x = (t: number) => LABEL_W + (Math.min(t, endUs) / endUs) * PLOT_W;
  const parts: string[] = [];
  let y = 30 + FAULT_LANE_H;
  const faults = opts.history.filter((e): e is Extract<SimEvent, { type: 'fault' }> => e.type === 'fault');
  const violations = opts.history.filter((e): e is Extract<SimEvent, { type: 'violation' }> => e.type === 'violation');
  const daemon = (host: string) => opts.history.filter((e): e is Extract<SimEvent, { type: 'daemon' }> => e.type === 'daemon' && e.host === host);

  for (const panel of opts.panels) {
    parts.push(`<text x="8" y="${y + 15}" class="panel">${esc(panel.title)}</text>`);
    y += HEADER_H;
    for (const row of panel.rows) {
      const top = y + (ROW_H - BAR_H) / 2;
      parts.push(`<text x="12" y="${top + BAR_H - 3}" class="row">${esc(`${row.host} · ${row.instance}`)}</text>`);
      parts.push(`<rect x="${LABEL_W}" y="${top}" width="${PLOT_W}" height="${BAR_H}" fill="#fafafa" stroke="#e0e0e0"/>`);
      const states = opts.history.filter((e): e is Extract<SimEvent, { type: 'state' }> => e.type === 'state' && e.host === row.host && e.instance === row.instance);
      for (const s of spans(states.map((e) => [e.t, e.to]), endUs, '')) {
        if (!s.value) continue;
        parts.push(`<rect x="${x(s.from).toFixed(2)}" y="${top}" width="${Math.max(0.5, x(s.to) - x(s.from)).toFixed(2)}" height="${BAR_H}" fill="${FILL[s.value] ?? '#999'}"><title>${esc(`${row.host}/${row.instance} ${s.value} ${fmtTick(s.from)}–${fmtTick(s.to)}`)}</title></rect>`);
      }
      const downChanges = daemon(row.host).map((e): [number, string] => [e.t, e.what === 'start' || e.what === 'power-on' || e.what === 'stopping' ? 'up' : 'down']);
      for (const s of spans(downChanges, endUs, 'up')) if (s.value === 'down') parts.push(`<rect x="${x(s.from).toFixed(2)}" y="${top}" width="${(x(s.to) - x(s.from)).toFixed(2)}" height="${BAR_H}" fill="url(#down)"><title>daemon down</title></rect>`);
      const pauses = faults.filter((f) => (f.fault.kind === 'pause' || f.fault.kind === 'resume') && 'host' in f.fault && f.fault.host === row.host);
      for (const s of spans(pauses.map((f): [number, string] => [f.t, f.fault.kind]), endUs, 'resume'))
        if (s.value === 'pause') parts.push(`<rect x="${x(s.from).toFixed(2)}" y="${top - 3}" width="${(x(s.to) - x(s.from)).toFixed(2)}" height="${BAR_H + 6}" fill="none" stroke="#ef6c00" stroke-width="2" stroke-dasharray="4 2"><title>paused</title></rect>`);
      const vipEvents = opts.history.filter((e): e is Extract<SimEvent, { type: 'vip' }> => e.type === 'vip' && e.host === row.host && row.vips.includes(e.address));
      const held = new Set<string>();
      const vipChanges: Array<[number, string]> = vipEvents.map((e) => {
        if (e.op === 'add') held.add(e.address);
        else held.delete(e.address);
        return [e.t, held.size > 0 ? 'vip' : ''];
      });
      for (const s of spans(vipChanges, endUs, '')) if (s.value) parts.push(`<rect x="${x(s.from).toFixed(2)}" y="${top + BAR_H + 1}" width="${Math.max(0.5, x(s.to) - x(s.from)).toFixed(2)}" height="3" fill="#212121"><title>holds VIP</title></rect>`);
      for (const v of violations.filter((v) => v.host?.split(',').includes(row.host) && (!v.instance || v.instance === row.instance))) parts.push(marker(x(v.t), top, v));
      y += ROW_H;
    }
    const hosts = panel.rows.map((r) => r.host);
    const panelVips = new Set((panel.arpRows ?? []).map((a) => a.vip));
    for (const a of panel.arpRows ?? []) {
      const top = y + (ROW_H - BAR_H) / 2;
      parts.push(`<text x="12" y="${top + BAR_H - 3}" class="row">${esc(`${a.observer} → ${a.vip}`)}</text>`);
      const seen = opts.history.filter((e): e is Extract<SimEvent, { type: 'neighbour' }> => e.type === 'neighbour' && e.host === a.observer && e.address === a.vip);
      for (const s of spans(seen.map((e) => [e.t, e.owner.split('/')[0] ?? e.owner]), endUs, '')) {
        if (!s.value) continue;
        const i = hosts.indexOf(s.value);
        const fill = OWNER_COLOURS[(i < 0 ? hosts.length : i) % OWNER_COLOURS.length];
        const w = x(s.to) - x(s.from);
        parts.push(`<rect x="${x(s.from).toFixed(2)}" y="${top + 3}" width="${Math.max(0.5, w).toFixed(2)}" height="${BAR_H - 6}" fill="${fill}" opacity="0.75"><title>${esc(`${a.observer} sends ${a.vip} to ${s.value}`)}</title></rect>`);
        if (w > 40) parts.push(`<text x="${(x(s.from) + 4).toFixed(2)}" y="${top + BAR_H - 4}" class="arp">${esc(s.value)}</text>`);
      }
      // Observer violations (L12: traffic for the VIP would go to the wrong box) mark the row of the
      // VIP they name, or every row of the observer when they name none of this panel's VIPs.
      for (const v of violations) {
        if (!v.host?.split(',').includes(a.observer)) continue;
        const named = [...panelVips].filter((vip) => mentions(v.message, vip));
        if (named.length > 0 && !named.includes(a.vip)) continue;
        parts.push(marker(x(v.t), top, v));
      }
      y += ROW_H;
    }
    y += 10;
  }
  const plotBottom = y;

  // Fault lines and labels (labels staggered over three lines of the top lane).
  faults.forEach((f, i) => {
    const fx = x(f.t).toFixed(2);
    const ly = 30 + 14 + (i % 3) * 14;
    parts.push(`<line x1="${fx}" y1="${ly + 3}" x2="${fx}" y2="${plotBottom}" stroke="#ef6c00" stroke-dasharray="3 3"/>`);
    const label = f.text.length > 34 ? `${f.text.slice(0, 33)}…` : f.text;
    parts.push(`<text x="${fx}" y="${ly}" class="fault"><title>${esc(`${fmtTick(f.t)} ${f.text} (${faultHosts(f.fault).join(', ')})`)}</title>${esc(label)}</text>`);
  });

  // Time axis.
  const step = niceStepUs(endUs);
  for (let t = 0; t <= endUs + 1; t += step) {
    const tx = x(t).toFixed(2);
    parts.push(`<line x1="${tx}" y1="${plotBottom}" x2="${tx}" y2="${plotBottom + 5}" stroke="#616161"/><text x="${tx}" y="${plotBottom + 17}" class="tick">${fmtTick(t)}</text>`);
  }
  const legendY = plotBottom + 36;
  const swatch = (fill: string) => (lx: number) => `<rect x="${lx}" y="${legendY - 10}" width="14" height="12" fill="${fill}" stroke="#9e9e9e"/>`;
  const legend: Array<[string, (lx: number) => string]> = [
    ...Object.entries(FILL)
      .slice(0, 4)
      .map(([name, fill]): [string, (lx: number) => string] => [name, swatch(fill)]),
    ['daemon down', swatch('url(#down)')],
    ['holds VIP', (lx) => `<rect x="${lx}" y="${legendY - 3}" width="14" height="3" fill="#212121"/>`],
    ['paused', (lx) => `<rect x="${lx}" y="${legendY - 11}" width="14" height="14" fill="none" stroke="#ef6c00" stroke-width="2" stroke-dasharray="4 2"/>`],
    ['violation', (lx) => `<path d="M${lx + 7},${legendY + 1} l-6,-9 h12 z" fill="#d50000"/>`],
  ];
  legend.forEach(([name, draw], i) => {
    const lx = LABEL_W + i * 110;
    parts.push(`${draw(lx)}<text x="${lx + 19}" y="${legendY}" class="row">${esc(name)}</text>`);
  });
  const height = legendY + 16;
  const width = LABEL_W + PLOT_W + 30;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Helvetica, Arial, sans-serif">`,
    `<defs><pattern id="down" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#eeeeee"/><line x1="0" y1="0" x2="0" y2="6" stroke="#9e9e9e" stroke-width="2"/></pattern>`,
    `<style>.title{font-size:15px;font-weight:bold}.panel{font-size:13px;font-weight:bold;fill:#212121}.row{font-size:12px;fill:#424242}.tick{font-size:11px;fill:#616161;text-anchor:middle}.fault{font-size:10px;fill:#e65100}.arp{font-size:9px;fill:white;font-weight:bold}</style></defs>`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="8" y="20" class="title">${esc(opts.title)}</text>`,
    ...parts,
    `</svg>`,
  ].join('\n');
}

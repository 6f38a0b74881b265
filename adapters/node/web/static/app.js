// keepalived-ts web view: draws each machine once with mermaid (ELK layout), gives every actor a
// copy, and lights up the actor's active states. The server computes the view at a time t
// (/api/view, /api/stream); this page only draws it.
import mermaid from '/vendor/mermaid/mermaid.esm.min.mjs';
import elkLayouts from '/vendor/layout-elk/mermaid-layout-elk.esm.min.mjs';

mermaid.registerLayoutLoaders(elkLayouts);
// ELK lays statecharts out well (composite states stay boxes); merged edges and network-simplex
// placement keep the instance chart compact.
mermaid.initialize({
  startOnLoad: false,
  securityLevel: 'strict',
  layout: 'elk',
  elk: { mergeEdges: true, nodePlacementStrategy: 'NETWORK_SIMPLEX' },
  theme: 'default',
  maxTextSize: 500000,
});

const $ = (sel) => document.querySelector(sel);
const params = new URLSearchParams(location.search);
const state = {
  meta: { mode: 'sim', title: '', first: 0, end: 0 },
  diagrams: new Map(), // machine id → { diagram, index, svg: string | undefined, pending: Promise }
  cards: new Map(), // `${host}|${actor}` → { el, machine, svgId, nodes: Map<mermaidId, Element[]> }
  view: undefined,
  t: 0,
  last: 0,
  following: false,
  playing: false,
  all: params.get('all') === '1',
  cardSeq: 0,
  inflight: false,
  queued: undefined,
};

const el = (tag, props = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c);
  return e;
};

/** Simulated seconds as "12.345 s"; a daemon's wall-clock seconds as local time. */
function formatTime(t) {
  if (state.meta.mode === 'daemon') return wallTime(t);
  // A replayed journal: seconds since its first record, and the wall-clock time.
  if (state.meta.wall) return `+${(t - (state.meta.first ?? 0)).toFixed(3)} s · ${wallTime(t)}`;
  return `${t.toFixed(3)} s`;
}

function wallTime(t) {
  const d = new Date(t * 1000);
  return `${d.toLocaleTimeString([], { hour12: false })}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

async function getJson(path) {
  const res = await fetch(path, { cache: 'no-store' });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

// ---- diagrams -------------------------------------------------------------------------------

let renderChain = Promise.resolve();

/** Render each machine once (one at a time: mermaid keeps global state while it draws). */
function loadDiagrams(list) {
  for (const d of list) {
    if (state.diagrams.has(d.id)) continue;
    const entry = { diagram: d, index: state.diagrams.size, svg: undefined };
    state.diagrams.set(d.id, entry);
    entry.pending = renderChain = renderChain.then(async () => {
      const id = `kts-d${entry.index}-x`;
      try {
        const { svg } = await mermaid.render(id, d.mermaid);
        entry.svg = svg;
      } catch (e) {
        entry.error = String(e && e.message ? e.message : e);
      }
      for (const card of state.cards.values()) if (card.machine === d.id && !card.drawn) drawCard(card);
      if (state.view) applyView(state.view);
    });
  }
}

/** Copy the machine's SVG into the card with ids of its own, and index its state boxes. */
function drawCard(card) {
  const entry = state.diagrams.get(card.machine);
  const box = card.el.querySelector('.diagram');
  if (!entry || (!entry.svg && !entry.error)) {
    box.replaceChildren(el('span', { class: 'pending', text: entry ? 'drawing…' : `no diagram for ${card.machine}` }));
    return;
  }
  if (entry.error) {
    box.replaceChildren(el('span', { class: 'pending', text: `cannot draw ${card.machine}: ${entry.error}` }));
    card.drawn = true;
    return;
  }
  const from = `kts-d${entry.index}-x`;
  const to = `kts-d${entry.index}-c${card.seq}`;
  box.innerHTML = entry.svg.split(from).join(to);
  card.nodes = new Map();
  const re = new RegExp(`^${to}-state-(.+)-(\\d+)$`);
  for (const g of box.querySelectorAll('g[id]')) {
    const m = re.exec(g.id);
    if (!m || m[1].includes('----')) continue;
    const list = card.nodes.get(m[1]) ?? [];
    list.push(g);
    card.nodes.set(m[1], list);
    const path = Object.keys(entry.diagram.states).find((p) => entry.diagram.states[p] === m[1]);
    const desc = path && entry.diagram.descriptions[path];
    if (desc) g.append(Object.assign(document.createElementNS('http://www.w3.org/2000/svg', 'title'), { textContent: `${path}: ${desc}` }));
  }
  if (entry.diagram.everywhere.length > 0) card.el.querySelector('.everywhere').textContent = `in every state: ${entry.diagram.everywhere.join(' · ')}`;
  card.drawn = true;
  card.lit = undefined;
}

// ---- the view -------------------------------------------------------------------------------

function cardFor(a) {
  const key = `${a.host}|${a.actor}`;
  let card = state.cards.get(key);
  if (card) return card;
  const row = rowFor(a.actor, a.machine);
  const e = el(
    'article',
    { class: 'card', dataset: { host: a.host, actor: a.actor, machine: a.machine } },
    el('h4', {}, el('span', { class: 'who', text: `${a.host}` }), el('span', { class: 'machine', text: a.machine }), el('span', { class: 'state' }), el('span', { class: 'since' })),
    el('div', { class: 'diagram' }),
    el('p', { class: 'everywhere' }),
  );
  // Keep hosts in the order the view lists them.
  row.querySelector('.cards').append(e);
  e.querySelector('.diagram').addEventListener('click', (ev) => ev.currentTarget.classList.toggle('zoom'));
  card = { el: e, machine: a.machine, seq: state.cardSeq++, drawn: false, nodes: new Map() };
  state.cards.set(key, card);
  drawCard(card);
  return card;
}

function rowFor(actor, machine) {
  const id = `row-${actor}`;
  let row = document.getElementById(id);
  if (!row) {
    row = el('section', { class: 'row', id }, el('h3', { text: `${actor} — ${machine}` }), el('div', { class: 'cards' }));
    $('#actors').append(row);
  }
  return row;
}

function highlight(card, a) {
  const entry = state.diagrams.get(a.machine);
  if (!card.drawn || !entry || !entry.svg) return;
  const key = a.active.join(' ');
  if (card.lit === key) return;
  card.lit = key;
  for (const g of card.el.querySelectorAll('.kts-active')) g.classList.remove('kts-active');
  for (const path of a.active) {
    const mid = entry.diagram.states[path];
    for (const g of (mid && card.nodes.get(mid)) || []) g.classList.add('kts-active');
  }
}

function applyView(v) {
  state.view = v;
  state.t = v.t;
  state.last = Math.max(state.last, v.last);
  const slider = $('#time');
  const end = Math.max(state.meta.end ?? 0, state.last);
  slider.min = String(state.meta.first ?? v.first);
  slider.max = String(end);
  if (!slider.matches(':active')) slider.value = String(v.t);
  $('#clock').textContent = formatTime(v.t);
  document.body.dataset.t = String(v.t);

  $('#hosts').replaceChildren(
    ...v.hosts.map((h) => el('span', { class: 'host', dataset: { host: h.host, daemon: h.daemon }, text: `${h.host}: daemon ${h.daemon}${h.daemon === 'unknown' ? '' : ` since ${formatTime(h.since)}`}${h.detail ? ` (${h.detail})` : ''}` })),
  );
  const down = new Set(v.hosts.filter((h) => h.daemon === 'down').map((h) => h.host));
  $('#instances tbody').replaceChildren(
    ...v.instances.map((i) =>
      el(
        'tr',
        { dataset: { host: i.host, instance: i.instance, state: i.state, down: String(down.has(i.host)) } },
        el('td', { text: i.host }),
        el('td', { text: i.instance }),
        el('td', {}, el('span', { class: 'vrrp', dataset: { state: i.state }, text: i.state })),
        el('td', { text: String(i.priority) }),
        el('td', { text: formatTime(i.since) }),
        el('td', { text: i.reason }),
      ),
    ),
  );

  // Every actor ever seen gets its card up front, so the page does not move under the slider.
  for (const k of v.known ?? []) cardFor(k);
  const present = new Set();
  for (const a of v.actors) {
    const key = `${a.host}|${a.actor}`;
    present.add(key);
    const card = cardFor(a);
    card.el.dataset.gone = 'false';
    card.el.dataset.state = a.state.join(' ');
    card.el.dataset.active = a.active.join(' ');
    card.el.querySelector('.state').textContent = a.state.join(', ');
    card.el.querySelector('.since').textContent = `since ${formatTime(a.since)} on ${a.event}`;
    highlight(card, a);
  }
  for (const [key, card] of state.cards) {
    if (present.has(key)) continue;
    // The actor is not there at t (not started yet, or its daemon is down): keep the card, greyed.
    card.el.dataset.gone = 'true';
    card.el.dataset.state = '';
    card.el.dataset.active = '';
    card.el.querySelector('.state').textContent = 'not running';
    card.el.querySelector('.since').textContent = '';
    card.lit = undefined;
    for (const g of card.el.querySelectorAll('.kts-active')) g.classList.remove('kts-active');
  }

  $('#event-list').replaceChildren(
    ...v.events
      .slice()
      .reverse()
      .map((e) => el('li', { dataset: { type: e.type } }, el('span', { class: 't', text: formatTime(e.t) }), el('span', { class: 'h', text: e.host }), el('span', { text: e.count > 1 ? `${e.text} ×${e.count}` : e.text }))),
  );
  const drawing = [...state.diagrams.values()].some((d) => !d.svg && !d.error);
  document.body.dataset.ready = drawing ? '0' : '1';
}

/** Ask for the view at t (undefined: the latest); a newer request replaces one still waiting. */
async function showAt(t) {
  state.queued = { t };
  if (state.inflight) return;
  state.inflight = true;
  try {
    while (state.queued !== undefined) {
      const want = state.queued.t;
      state.queued = undefined;
      const q = [want === undefined ? '' : `t=${encodeURIComponent(want)}`, state.all ? 'all=1' : ''].filter(Boolean).join('&');
      applyView(await getJson(`/api/view${q ? `?${q}` : ''}`));
    }
  } finally {
    state.inflight = false;
  }
}

// ---- controls -------------------------------------------------------------------------------

function setFollowing(on) {
  state.following = on;
  $('#live').setAttribute('aria-pressed', String(on));
  if (on) {
    stopPlaying();
    showAt(undefined);
  }
}

function stopPlaying() {
  state.playing = false;
  $('#play').textContent = '▶';
}

function play() {
  if (state.playing) return stopPlaying();
  setFollowing(false);
  const end = Number($('#time').max);
  let t = state.t >= end ? Number($('#time').min) : state.t;
  state.playing = true;
  $('#play').textContent = '⏸';
  let prev = performance.now();
  const step = (now) => {
    if (!state.playing) return;
    t += ((now - prev) / 1000) * Number($('#speed').value);
    prev = now;
    if (t >= end) {
      t = end;
      stopPlaying();
    }
    showAt(t);
    if (state.playing) requestAnimationFrame(step);
  };
  requestAnimationFrame(step);
}

$('#time').addEventListener('input', (e) => {
  stopPlaying();
  setFollowing(false);
  showAt(Number(e.target.value));
});
$('#play').addEventListener('click', play);
$('#live').addEventListener('click', () => setFollowing(!state.following));
$('#all').checked = state.all;
$('#all').addEventListener('change', (e) => {
  state.all = e.target.checked;
  showAt(state.following ? undefined : state.t);
});

// ---- start ----------------------------------------------------------------------------------

function connect() {
  const status = $('#status');
  const es = new EventSource(`/api/stream${state.all ? '?all=1' : ''}`);
  es.addEventListener('open', () => {
    status.dataset.state = 'live';
    status.textContent = state.meta.mode === 'daemon' ? 'connected' : 'loaded';
  });
  es.addEventListener('error', () => {
    status.dataset.state = 'disconnected';
    status.textContent = 'disconnected';
  });
  es.addEventListener('diagrams', async () => loadDiagrams(await getJson('/api/diagrams')));
  es.addEventListener('view', (e) => {
    const v = JSON.parse(e.data);
    state.last = Math.max(state.last, v.last);
    if (state.following) applyView(v);
    else $('#time').max = String(Math.max(state.meta.end ?? 0, state.last));
  });
}

async function start() {
  state.meta = await getJson('/api/meta');
  document.title = state.meta.title;
  $('#title').textContent = state.meta.title;
  $('#live').hidden = state.meta.mode !== 'daemon';
  loadDiagrams(await getJson('/api/diagrams'));
  const t = params.get('t');
  // A replayed journal's ?t= may also be seconds from its first record (?t=12.5).
  const at = t !== null && state.meta.wall && Number(t) < (state.meta.first ?? 0) ? Number(t) + state.meta.first : Number(t);
  if (t !== null) await showAt(at);
  else if (state.meta.mode === 'daemon') setFollowing(true);
  else await showAt(state.meta.end ?? 0);
  connect();
  await renderChain;
  if (state.view) applyView(state.view);
}

start().catch((e) => {
  $('#status').dataset.state = 'disconnected';
  $('#status').textContent = `error: ${e.message}`;
});

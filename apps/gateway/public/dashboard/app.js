// The dashboard: reads /dashboard/config, gets a token, opens a transport (transports.js) and subscribes to
// the configured channels at once; the model counts, the view draws.
import { DashboardModel } from './dashboard-model.js';
import { DEFAULT_TRANSPORT, TRANSPORTS } from './transports.js';
import { addEventRow, addNotice, renderChannels, renderChoices, renderSummary, setStatus, showError } from './view.js';

const $ = (id) => document.getElementById(id);
const model = new DashboardModel();
/** Subscriptions the user wants (kept across a new connection made with another token). */
const wanted = new Set();
let configured = [];
let transport;
let dirty = true;

const mode = new URLSearchParams(location.search).get('transport') ?? DEFAULT_TRANSPORT;

function onTransportEvent(e) {
  const shown = model.apply(e);
  if (e.kind === 'status') setStatus(model.status);
  // A connection that is live again makes an earlier connection error stale.
  if (e.kind === 'status' && e.status === 'live') showError('connError', '');
  if (e.kind === 'error') showError(e.target ? 'subError' : 'connError', e.message);
  if (e.kind === 'unsubscribed') wanted.delete(e.target);
  if (shown?.row) addEventRow(shown.row);
  if (shown?.notice) addNotice(shown.notice);
  dirty = true;
}

/** `order:o-1` -> `events:order:o-1`; anything with `*` is a pattern (live only). */
function toTarget(text) {
  const trimmed = text.trim();
  return trimmed.startsWith('events:') ? trimmed : `events:${trimmed}`;
}

function subscribe(target) {
  if (!transport) open();
  wanted.add(target);
  showError('subError', '');
  transport?.subscribe(target);
  dirty = true;
}

function unsubscribe(target) {
  wanted.delete(target);
  transport?.unsubscribe(target);
  dirty = true;
}

/** The token source: the typed one, or a fresh dev token from the gateway before every connection attempt. */
function tokenSource() {
  const typed = $('token').value.trim();
  if (typed && typed !== devToken.last) return { token: typed };
  return { getToken: devToken.fetch };
}

const devToken = {
  last: undefined,
  async fetch() {
    const res = await fetch('/dev/token', { cache: 'no-store' });
    if (!res.ok) throw new Error(`GET /dev/token answered ${res.status}: paste a token (GATEWAY_DEV_TOKENS is off)`);
    const { token } = await res.json();
    devToken.last = token;
    $('token').value = token;
    return token;
  },
};

function open() {
  transport?.close();
  showError('connError', '');
  const create = TRANSPORTS[mode];
  if (!create) {
    showError('connError', `unknown transport "${mode}" (known: ${Object.keys(TRANSPORTS).join(', ')})`);
    return;
  }
  transport = create({ url: location.origin, ...tokenSource(), emit: onTransportEvent });
  for (const target of wanted) transport.subscribe(target);
}

function render() {
  model.prune();
  renderSummary(model);
  if (!dirty) return;
  dirty = false;
  renderChannels(model, unsubscribe);
  renderChoices(
    configured,
    (channel) => model.channels.has(channel),
    (channel) => (model.channels.has(channel) ? unsubscribe(channel) : subscribe(channel)),
  );
}

async function start() {
  setStatus('offline');
  try {
    const res = await fetch('/dashboard/config', { cache: 'no-store' });
    if (res.ok) configured = (await res.json()).channels ?? [];
  } catch {
    // no configured channels: the page still works with typed ones
  }
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) $('token').value = fromHash;
  else {
    try {
      await devToken.fetch();
    } catch (err) {
      showError('connError', err.message);
      dirty = true;
      return;
    }
  }
  for (const channel of configured) wanted.add(channel);
  open();
}

// The switch reloads the page with ?transport=, so the URL says which transport is shown (and can be shared).
$('transport').value = mode;
$('transport').addEventListener('change', () => {
  const query = new URLSearchParams(location.search);
  query.set('transport', $('transport').value);
  location.search = query.toString();
});
$('connect').addEventListener('click', () => open());
$('reconnect').addEventListener('click', () => transport?.reconnect());
$('subForm').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const text = $('target').value;
  if (!text.trim()) return;
  subscribe(toTarget(text));
  $('target').value = '';
});
setInterval(render, 500);
void start();

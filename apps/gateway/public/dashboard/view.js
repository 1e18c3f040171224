// Writes the model to the page. Text goes in with textContent only: event fields come from the network.
import { drawLatencyChart, drawRateChart } from './charts.js';
import { short } from './dashboard-model.js';

const MAX_ROWS = 200;
const MAX_NOTICES = 100;
const $ = (id) => document.getElementById(id);

function el(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

const ms = (value) => (value === undefined ? '–' : value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${value} ms`);
const position = (p) => (p ? `${p.partition}:${p.offset}` : '–');
const clock = (date) => date.toLocaleTimeString([], { hour12: false });

export function setStatus(status) {
  const badge = $('state');
  badge.className = `badge ${status}`;
  badge.lastElementChild.textContent = status;
  document.body.dataset.state = status;
  const notes = {
    live: 'every subscription is up to date',
    recovering: 'catching up from Kafka: events are held until the stream is complete',
    degraded: "the gateway's Redis is down: no live events, Kafka still has them",
    offline: 'not connected: reconnecting with backoff, nothing is lost meanwhile',
  };
  $('stateNote').textContent = notes[status] ?? '';
}

export function showError(where, message) {
  $(where).textContent = message ?? '';
}

/** One table row per event, newest first (the table keeps the last MAX_ROWS). */
export function addEventRow({ event, channel, latency, colour }) {
  const tbody = $('events');
  if (tbody.querySelector('.empty')) tbody.textContent = '';
  const tr = el('tr', undefined, 'fresh');
  tr.dataset.id = event.id;
  tr.dataset.channel = channel;
  const name = el('td');
  name.append(el('span', undefined, `swatch c${colour}`), short(channel));
  tr.append(
    el('td', clock(new Date()), 'muted'),
    name,
    el('td', event.type, 'type'),
    el('td', event.id),
    el('td', position(event), 'muted'),
    el('td', ms(latency), 'num'),
  );
  tbody.insertBefore(tr, tbody.firstChild);
  while (tbody.children.length > MAX_ROWS) tbody.removeChild(tbody.lastChild);
}

export function addNotice({ kind, text }) {
  const list = $('notices');
  if (list.querySelector('.muted:not(time)')) list.textContent = '';
  const li = el('li', undefined, kind);
  li.dataset.kind = kind;
  li.append(el('time', clock(new Date())), text);
  list.insertBefore(li, list.firstChild);
  while (list.children.length > MAX_NOTICES) list.removeChild(list.lastChild);
}

/** The one-click choices: the gateway's configured channels, highlighted while subscribed. */
export function renderChoices(channels, isSubscribed, toggle) {
  const box = $('choices');
  box.textContent = '';
  for (const channel of channels) {
    const button = el('button', short(channel), isSubscribed(channel) ? 'on' : '');
    button.type = 'button';
    button.dataset.channel = channel;
    button.title = isSubscribed(channel) ? 'Unsubscribe' : 'Subscribe';
    button.addEventListener('click', () => toggle(channel));
    box.append(button);
  }
}

/** The subscription list (aside) and the channel table, from the model. */
export function renderChannels(model, unsubscribe) {
  const nowMs = model.now();
  const subs = $('subs');
  subs.textContent = '';
  const table = $('channels');
  table.textContent = '';
  for (const stats of model.channels.values()) {
    const li = el('li');
    li.dataset.target = stats.target;
    const remove = el('button', '×', 'ghost');
    remove.type = 'button';
    remove.title = 'Unsubscribe';
    remove.addEventListener('click', () => unsubscribe(stats.target));
    const name = el('code');
    name.append(el('span', undefined, `swatch c${stats.colour}`), stats.target);
    li.append(name, el('small', `${stats.count}${stats.last ? ` · @${position(stats.last)}` : ''}`), remove);
    subs.append(li);

    const tr = el('tr');
    tr.dataset.target = stats.target;
    tr.dataset.count = String(stats.count);
    tr.dataset.duplicates = String(stats.duplicates);
    const channel = el('td');
    channel.append(el('span', undefined, `swatch c${stats.colour}`), short(stats.target));
    tr.append(
      channel,
      el('td', String(stats.count), 'num'),
      el('td', stats.recentRate(nowMs).toFixed(1), 'num'),
      el('td', ms(stats.p(50)), 'num'),
      el('td', ms(stats.p(95)), 'num'),
      el('td', String(stats.gaps), stats.gaps ? 'num bad' : 'num'),
      el('td', String(stats.resets), stats.resets ? 'num bad' : 'num'),
      el('td', stats.target.includes('*') ? 'live only' : position(stats.last), 'muted'),
    );
    table.append(tr);
  }
  if (model.channels.size === 0) {
    const td = el('td', 'No subscription yet.', 'empty');
    td.colSpan = 8;
    const tr = el('tr');
    tr.append(td); // append() answers undefined: no chaining
    table.append(tr);
  }
}

/** Header numbers and both charts. */
export function renderSummary(model) {
  const nowMs = model.now();
  $('rate').textContent = model.rate().toFixed(1);
  $('total').textContent = String(model.total);
  $('p50').textContent = ms(model.medianLatency());
  $('duplicates').textContent = String(model.duplicates);
  $('duplicates').parentElement.classList.toggle('bad', model.duplicates > 0);
  $('holes').textContent = String(model.holes);
  $('holes').parentElement.classList.toggle('bad', model.holes > 0);
  const stats = [...model.channels.values()];
  drawRateChart(
    $('rateChart'),
    stats.map((s) => ({ colour: s.colour, values: s.rates(nowMs) })),
  );
  drawLatencyChart(
    $('latencyChart'),
    stats.map((s) => ({ colour: s.colour, points: s.points })),
    nowMs,
  );
}

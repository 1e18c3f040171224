// What the dashboard knows, built from transport events only (no DOM): per subscription its counts, events
// per second over the last minute, publish → screen latencies, gaps, resets and last position.

/** Seconds the charts cover. */
export const WINDOW_SECONDS = 60;
/** Latencies kept per channel for its percentiles. */
const LATENCY_SAMPLES = 500;
/** Event ids remembered per channel to count duplicates (a correct stream has none). */
const REMEMBERED_IDS = 20000;
/** Colours (charts.js PALETTE and the .c0…c7 classes) are handed out in this many steps. */
export const COLOURS = 8;

const percentile = (values, p) => {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

class ChannelStats {
  constructor(target, colour) {
    this.target = target;
    this.colour = colour;
    this.subscribed = true;
    this.count = 0;
    this.duplicates = 0;
    this.gaps = 0;
    this.resets = 0;
    /** @type {{ topic: string, partition: number, offset: string } | undefined} */
    this.last = undefined;
    /** second (epoch) -> events received in it */
    this.perSecond = new Map();
    /** { t: received at (ms), ms: latency } of the last WINDOW_SECONDS */
    this.points = [];
    this.latencies = [];
    this.ids = new Set();
    this.idOrder = [];
  }

  /** False when this event id was already shown for this channel. */
  remember(id) {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    this.idOrder.push(id);
    if (this.idOrder.length > REMEMBERED_IDS) this.ids.delete(this.idOrder.shift());
    return true;
  }

  /** Events per second for each of the last WINDOW_SECONDS whole seconds, oldest first. */
  rates(nowMs) {
    const current = Math.floor(nowMs / 1000);
    const out = [];
    for (let s = current - WINDOW_SECONDS; s < current; s++) out.push(this.perSecond.get(s) ?? 0);
    return out;
  }

  /** Mean events per second over the last 10 whole seconds. */
  recentRate(nowMs) {
    return (
      this.rates(nowMs)
        .slice(-10)
        .reduce((a, b) => a + b, 0) / 10
    );
  }

  p(percent) {
    return percentile(this.latencies, percent);
  }

  prune(nowMs) {
    const oldestSecond = Math.floor(nowMs / 1000) - WINDOW_SECONDS - 1;
    for (const s of this.perSecond.keys()) if (s < oldestSecond) this.perSecond.delete(s);
    const oldest = nowMs - WINDOW_SECONDS * 1000;
    while (this.points.length && this.points[0].t < oldest) this.points.shift();
  }
}

export class DashboardModel {
  constructor(now = () => Date.now()) {
    this.now = now;
    /** @type {Map<string, ChannelStats>} by subscription target */
    this.channels = new Map();
    this.status = 'offline';
    this.total = 0;
    this.duplicates = 0;
    this.holes = 0;
    this.nextColour = 0;
  }

  /**
   * Applies one transport event; returns what the view shows for it: `{ row }` for an event (with its
   * latency and colour), `{ notice }` for something worth a line in "Stream notices", or nothing.
   * @param {{ kind: string, [field: string]: any }} e a transport event (transports.js)
   * @returns {{ row?: any, notice?: { kind: string, text: string } } | undefined}
   */
  apply(e) {
    switch (e.kind) {
      case 'status':
        if (e.status === this.status) return undefined;
        this.status = e.status;
        return { notice: { kind: `status-${e.status}`, text: `connection ${e.status}` } };
      case 'subscribed':
        this.channel(e.target).subscribed = true;
        return undefined;
      case 'unsubscribed': {
        const stats = this.channels.get(e.target);
        if (stats) stats.subscribed = false;
        this.channels.delete(e.target);
        return undefined;
      }
      case 'event':
        return this.event(e);
      case 'gap':
        this.channel(e.target).gaps++;
        return this.hole('gap', `gap on ${short(e.channel)}`, e.reason, e.cause);
      case 'reset':
        this.channel(e.target).resets++;
        return this.hole('reset', `reset of ${short(e.channel)}`, e.reason, e.gatewayReason);
      case 'disconnect':
        return { notice: { kind: 'disconnect', text: `disconnected (${e.reason})` } };
      case 'error':
        return { notice: { kind: 'error', text: e.target ? `${short(e.target)}: ${e.message}` : e.message } };
      default:
        return undefined;
    }
  }

  /** A hole in a channel's stream (gap or reset): counted, and a notice saying why. */
  hole(kind, what, reason, detail) {
    this.holes++;
    return { notice: { kind, text: `${what}: ${reason}${detail ? ` (${detail})` : ''}` } };
  }

  /** Events per second over the last 5 s, all channels. */
  rate() {
    const nowMs = this.now();
    let sum = 0;
    for (const stats of this.channels.values()) {
      sum += stats
        .rates(nowMs + 1000)
        .slice(-5)
        .reduce((a, b) => a + b, 0);
    }
    return sum / 5;
  }

  /** Median latency of the events of the last minute, all channels. */
  medianLatency() {
    const all = [];
    for (const stats of this.channels.values()) for (const point of stats.points) all.push(point.ms);
    return percentile(all, 50);
  }

  /** Drops what is older than the charts' window. */
  prune() {
    const nowMs = this.now();
    for (const stats of this.channels.values()) stats.prune(nowMs);
  }

  channel(target) {
    let stats = this.channels.get(target);
    if (!stats) {
      stats = new ChannelStats(target, this.nextColour++ % COLOURS);
      this.channels.set(target, stats);
    }
    return stats;
  }

  event(e) {
    const stats = this.channel(e.target);
    const nowMs = this.now();
    // Publish → screen: the publisher stamps `time` when it publishes; the page shows the event now.
    const published = Date.parse(e.event.time);
    const latency = Number.isFinite(published) ? Math.max(0, nowMs - published) : undefined;
    if (!stats.remember(e.event.id)) {
      stats.duplicates++;
      this.duplicates++;
    }
    stats.count++;
    this.total++;
    if (!e.target.includes('*')) {
      stats.last = { topic: e.event.topic, partition: e.event.partition, offset: e.event.offset };
    }
    const second = Math.floor(nowMs / 1000);
    stats.perSecond.set(second, (stats.perSecond.get(second) ?? 0) + 1);
    if (latency !== undefined) {
      stats.points.push({ t: nowMs, ms: latency });
      stats.latencies.push(latency);
      if (stats.latencies.length > LATENCY_SAMPLES) stats.latencies.shift();
    }
    return { row: { ...e, latency, colour: stats.colour } };
  }
}

/** `events:order:o-1` -> `order:o-1` (every channel starts with `events:`). */
export function short(channel) {
  return channel.startsWith('events:') ? channel.slice('events:'.length) : channel;
}

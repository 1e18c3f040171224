import type { Cluster } from 'ioredis';
import type { ResolvedDualStreamOptions } from '../dual-stream-options.resolver.js';
import type { NotificationShards } from '../publisher/notification-shards.js';
import { OrderedSender } from './ordered-sender.js';
import { SLOT_COUNT, keySlot } from './key-slot.js';
import { createRedisCluster } from './redis-cluster.factory.js';

/** The shard of slots no master owns right now (mid-failover, or the slot map is not read yet). */
export const UNOWNED_SHARD = 'unowned';

/**
 * The masters of a Redis Cluster as notification shards (sharded Pub/Sub): each batch is grouped by the master
 * owning each channel's slot and sent as one pipeline of `SPUBLISH` per master (never a cross-slot script).
 * ioredis follows `MOVED`/`ASK` and refreshes the slot map; a failed pipeline also refreshes it at once so the
 * next batch goes to the promoted replica.
 *
 * A master's pipelines go out one after another (`OrderedSender`): the next is written only once the previous one
 * answered, with whatever arrived meanwhile.
 * Subscribers drop a notification at or before the last offset they delivered (docs/protocol.md "Positions and
 * cursors"), so a channel's notifications must arrive in offset order; ioredis does not keep two pipelines in
 * order when it holds one back (a node connection still connecting, a `MOVED` retry), and a later batch's
 * notification would overtake an earlier one, which every subscriber then drops as a duplicate.
 */
export class ClusterShards implements NotificationShards {
  readonly only = UNOWNED_SHARD;
  private readonly cluster: Cluster;
  private readonly senders = new Map<string, OrderedSender>();
  private readyWait?: Promise<void>;

  constructor(options: ResolvedDualStreamOptions) {
    this.cluster = createRedisCluster(options, 'dual-stream-publisher', { lazyConnect: true });
  }

  get status(): string {
    return this.cluster.status;
  }

  route(count: number, channelAt: (index: number) => string): Map<string, number[]> {
    const slots = this.cluster.slots;
    const groups = new Map<string, number[]>();
    for (let i = 0; i < count; i++) {
      const owner = slots[keySlot(channelAt(i))]?.[0] ?? UNOWNED_SHARD;
      const group = groups.get(owner);
      if (group) group.push(i);
      else groups.set(owner, [i]);
    }
    return groups;
  }

  async publish(shard: string, messages: string[]): Promise<void> {
    // Before the first slot map (startup) nothing is routable yet: wait for it rather than fail the first batches.
    if (this.cluster.status !== 'ready') await this.ready();
    if (shard !== UNOWNED_SHARD) return this.sender(shard).send(messages);
    // Routed while no master owned them: route again with the slot map as it is now.
    const groups = this.route(messages.length / 2, (i) => messages[2 * i]);
    if (groups.has(UNOWNED_SHARD)) {
      this.refresh();
      throw new Error('no Redis Cluster master owns these channels right now (failover under way?)');
    }
    await Promise.all(
      [...groups].map(([key, idx]) =>
        this.sender(key).send(idx.flatMap((i) => [messages[2 * i], messages[2 * i + 1]])),
      ),
    );
  }

  /** The master's sender; idle ones of masters gone (failover) are dropped as others are made. */
  private sender(key: string): OrderedSender {
    let sender = this.senders.get(key);
    if (!sender) {
      for (const [k, s] of this.senders) if (s.idle) this.senders.delete(k);
      sender = new OrderedSender((messages) => this.pipeline(messages));
      this.senders.set(key, sender);
    }
    return sender;
  }

  /** One pipeline of SPUBLISH; every channel must belong to one master (the cluster pipeline's rule). */
  private async pipeline(messages: string[]): Promise<void> {
    const pipeline = this.cluster.pipeline();
    for (let i = 0; i < messages.length; i += 2) pipeline.spublish(messages[i], messages[i + 1]);
    try {
      const results = await pipeline.exec();
      if (!results) throw new Error('Redis pipeline was aborted');
      const failed = results.find(([err]) => err);
      if (failed) throw failed[0];
    } catch (err) {
      this.refresh();
      throw err;
    }
  }

  async probe(shard: string): Promise<void> {
    await new Promise<void>((resolve) => this.cluster.refreshSlotsCache(() => resolve()));
    const slots = this.cluster.slots;
    if (shard === UNOWNED_SHARD) {
      for (let slot = 0; slot < SLOT_COUNT; slot++) {
        if (!slots[slot]?.[0]) throw new Error(`slot ${slot} has no master yet`);
      }
      return;
    }
    if (!slots.some((owners) => owners?.[0] === shard)) return;
    const node = this.cluster.nodes('master').find((n) => `${n.options.host}:${n.options.port}` === shard);
    if (!node) return;
    await node.ping();
  }

  connect(): void {
    this.cluster.connect().catch(() => undefined);
  }

  async quit(): Promise<void> {
    await this.cluster.quit();
  }

  disconnect(): void {
    this.cluster.disconnect();
  }

  /** One shared wait for 'ready'; the caller's timeout (realtime.timeoutMs) bounds how long it waits. */
  private ready(): Promise<void> {
    this.readyWait ??= new Promise<void>((resolve) => this.cluster.once('ready', resolve)).finally(() => {
      this.readyWait = undefined;
    });
    return this.readyWait;
  }

  private refresh(): void {
    this.cluster.refreshSlotsCache(() => undefined);
  }
}

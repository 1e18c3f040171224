import { Partitioners, type PartitionMetadata } from 'kafkajs';
import {
  KafkaReplayService,
  sourceKey,
  type EventSource,
  type KafkaPosition,
  type SubscribeAck,
} from '@dual-stream/nestjs';
import { eventually } from '../support/infra.js';
import { channelOf, freshSourceType, positionOf, publishOne } from '../support/realtime-publishing.js';
import { realtimeStack, startGateway, token, type GatewayInstance } from '../support/realtime-stack.js';
import { collect, stopReading, type ClientSocket } from '../support/socket-client.js';

/**
 * Replays must not be starved by a client that stops reading (docs/protocol.md "Positions and cursors"):
 * one socket that never reads, replaying thousands of events, must not hold up replays of the same partition,
 * of other partitions, or the process's replay slots, and a replay ends as soon as its subscription does.
 */

const PARTITIONS = 3;
const BIG_EVENTS = 8000;
/** ~16 MB of replay for the stuck client: far more than loopback TCP buffers hold, so backpressure is real. */
const PAYLOAD = 'x'.repeat(2000);
const MAX_QUEUED_BYTES = 1024 * 1024;
/** Generous bound on a prompt ack: far above what a replay of a few events takes, far below `CLIENT_WAIT_MS`. */
const ACK_WAIT_MS = 15_000;
/**
 * How long the gateway of the first test waits for the stuck client: above `ACK_WAIT_MS` (so an ack that waited
 * for the stuck client fails the test) and below socket.io's ping timeout (25 s + 20 s), which would
 * otherwise disconnect the client first.
 */
const CLIENT_WAIT_MS = 30_000;

const metadata: PartitionMetadata[] = Array.from({ length: PARTITIONS }, (_, partitionId) => ({
  partitionId,
  leader: 0,
  replicas: [0],
  isr: [0],
  offlineReplicas: [],
  partitionErrorCode: 0,
}));

/** The partition the publisher's default partitioner picks for a source (murmur2 of its key). */
function partitionOf(topic: string, source: EventSource): number {
  return Partitioners.DefaultPartitioner()({
    topic,
    partitionMetadata: metadata,
    message: { key: sourceKey(source), value: null },
  });
}

/** A source of `type` whose events land on `partition` (or, with `not`, on any other partition). */
function sourceOn(type: string, partition: number, idPrefix: string, not = false): EventSource {
  for (let i = 0; ; i++) {
    const source = { type, id: `${idPrefix}-${i}` };
    if ((partitionOf(`events.${type}`, source) === partition) !== not) return source;
  }
}

function ackOf(socket: ClientSocket, request: object): Promise<SubscribeAck> {
  return socket.timeout(ACK_WAIT_MS).emitWithAck('subscribe', request) as Promise<SubscribeAck>;
}

describe('replay isolation from clients that stop reading', () => {
  // Gateways are started per test, each with its own replay settings.
  const stack = realtimeStack('rt-iso', { gateways: [], publisher: true });
  let type: string;
  let big: EventSource;
  let near: EventSource;
  let far: EventSource;
  /** Position just before the 8,000 events of `big`, and near the end of `near` / `far`. */
  let bigFrom: KafkaPosition;
  let nearFrom: KafkaPosition;
  let farFrom: KafkaPosition;
  let auth: string;

  beforeAll(async () => {
    type = await freshSourceType();
    big = { type, id: 'big' };
    const partition = partitionOf(`events.${type}`, big);
    near = sourceOn(type, partition, 'near');
    far = sourceOn(type, partition, 'far', true);
    auth = await token([`events:${type}:*`]);

    bigFrom = positionOf(await publishOne(stack.publisher, big, -1));
    // 200 at a time: a full 1 MiB publisher batch of these records exceeds the broker's default record-batch limit.
    for (let i = 0; i < BIG_EVENTS; i += 200) {
      await Promise.all(
        Array.from({ length: 200 }, (_, j) =>
          stack.publisher.publish({ type: 'test.big', source: big, data: { n: i + j, pad: PAYLOAD } }),
        ),
      );
    }
    // The two recent sources: each client resumes two events before the end.
    const nearSent = [];
    const farSent = [];
    for (let i = 0; i < 3; i++) {
      nearSent.push(await publishOne(stack.publisher, near, i));
      farSent.push(await publishOne(stack.publisher, far, i));
    }
    nearFrom = positionOf(nearSent[0]);
    farFrom = positionOf(farSent[0]);
  }, 120_000);

  async function gatewayWith(replay: object): Promise<GatewayInstance> {
    return startGateway({
      prefix: stack.prefix,
      replay,
      hub: { maxQueuedBytes: MAX_QUEUED_BYTES },
      realtime: { inlineData: true, maxInlineBytes: 4096 },
    });
  }

  async function client(gateway: GatewayInstance): Promise<ClientSocket> {
    return stack.connect(auth, gateway);
  }

  /** A client that asks for the 8,000-event replay and then stops reading; its ack is kept, not awaited. */
  async function stuckClient(gateway: GatewayInstance) {
    const socket = await client(gateway);
    const acks: SubscribeAck[] = [];
    socket.emit('subscribe', { channel: channelOf(big), from: bigFrom }, (ack: SubscribeAck) => acks.push(ack));
    const resume = stopReading(socket);
    const tcp = (socket.io.engine.transport as unknown as { ws: { _socket: { destroy(): void } } }).ws._socket;
    return { socket, acks, resume, destroy: () => tcp.destroy() };
  }

  /** The replay into a stuck client is under way and waiting for it (its queue is at least half full). */
  async function waitUntilBlocked(gateway: GatewayInstance, clientsBlocked = 1): Promise<void> {
    await eventually(() => gateway.hub.metrics().queuedBytes * 2 >= MAX_QUEUED_BYTES * clientsBlocked, 60_000);
  }

  const replays = (gateway: GatewayInstance) => gateway.app.get(KafkaReplayService);

  it('a stuck client holds up no other replay, on its partition or another, and is cut slow', async () => {
    const gateway = await gatewayWith({ clientWaitMs: CLIENT_WAIT_MS, timeoutMs: 120_000 });
    try {
      let maxQueuedBytes = 0;
      let maxHeap = 0;
      const heapBefore = process.memoryUsage().heapUsed;
      const sampler = setInterval(() => {
        maxQueuedBytes = Math.max(maxQueuedBytes, gateway.hub.metrics().queuedBytes);
        maxHeap = Math.max(maxHeap, process.memoryUsage().heapUsed);
      }, 10);

      const stuck = await stuckClient(gateway);
      let stuckDisconnected = false;
      stuck.socket.on('disconnect', () => (stuckDisconnected = true));
      await waitUntilBlocked(gateway);

      const second = await client(gateway);
      const third = await client(gateway);
      const got2 = collect(second);
      const got3 = collect(third);
      const [ack2, ack3] = await Promise.all([
        ackOf(second, { channel: channelOf(near), from: nearFrom }),
        ackOf(third, { channel: channelOf(far), from: farFrom }),
      ]);
      expect(ack2).toEqual({ ok: true, channel: channelOf(near), recovered: true, replayed: 2 });
      expect(ack3).toEqual({ ok: true, channel: channelOf(far), recovered: true, replayed: 2 });
      // Nobody waited for the stuck client: it is still connected, its replay still in progress.
      expect(gateway.hub.metrics().slowDisconnects).toBe(0);
      expect(replays(gateway).activeReplays).toBe(1);

      const liveNear = await publishOne(stack.publisher, near, 100);
      const liveFar = await publishOne(stack.publisher, far, 100);
      await eventually(() => got2.get(channelOf(near))?.some((e) => e.id === liveNear.id), 20_000);
      await eventually(() => got3.get(channelOf(far))?.some((e) => e.id === liveFar.id), 20_000);
      expect(got2.get(channelOf(near))!.map((e) => e.offset)).toHaveLength(3);
      expect(got3.get(channelOf(far))!.map((e) => e.offset)).toHaveLength(3);

      // The replay gives up on the stuck socket after `replay.clientWaitMs` and cuts it `slow`.
      await eventually(() => gateway.hub.metrics().slowDisconnects === 1, CLIENT_WAIT_MS + 30_000);
      await eventually(() => replays(gateway).activeReplays === 0, 30_000);
      clearInterval(sampler);
      expect(gateway.hub.metrics().connections).toBe(2);
      // Bounded: the hub never queued more than its byte limit (plus the packet that crossed it).
      expect(maxQueuedBytes).toBeLessThanOrEqual(MAX_QUEUED_BYTES + PAYLOAD.length + 1024);
      // Bounded: no copy of the 16 MB replay piled up anywhere in the process (a generous ceiling).
      expect(maxHeap - heapBefore).toBeLessThan(200 * 1024 * 1024);

      stuck.resume();
      await eventually(() => stuckDisconnected, 30_000);
    } finally {
      await gateway.app.close();
    }
  });

  it('unsubscribing or disconnecting during a long replay cancels it', async () => {
    const gateway = await gatewayWith({ clientWaitMs: 120_000, timeoutMs: 120_000 });
    try {
      const byUnsubscribe = await stuckClient(gateway);
      await waitUntilBlocked(gateway);
      byUnsubscribe.socket.emit('unsubscribe', { channel: channelOf(big) });
      await eventually(() => replays(gateway).activeReplays === 0, 30_000);
      let metrics = gateway.hub.metrics();
      expect(metrics.replaysNotRecovered).toBe(1);
      expect(metrics.replayedEvents).toBeLessThan(BIG_EVENTS);
      expect(metrics.slowDisconnects).toBe(0);
      expect(metrics.subscriptions).toBe(0);
      // The unsubscribe's ack and the events queued before it arrive once the client reads again.
      byUnsubscribe.resume();
      byUnsubscribe.socket.close();

      const byDisconnect = await stuckClient(gateway);
      await eventually(() => gateway.hub.metrics().replays === 2 && replays(gateway).activeReplays === 1, 30_000);
      await waitUntilBlocked(gateway);
      const replayedBefore = gateway.hub.metrics().replayedEvents;
      byDisconnect.destroy();
      await eventually(() => replays(gateway).activeReplays === 0, 30_000);
      metrics = gateway.hub.metrics();
      expect(metrics.replaysNotRecovered).toBe(2);
      expect(metrics.replayedEvents - replayedBefore).toBeLessThan(BIG_EVENTS);
      expect(metrics.connections).toBe(0);
    } finally {
      await gateway.app.close();
    }
  });

  it('answers recovered: false at once beyond replay.maxConcurrent; the replays admitted complete', async () => {
    const gateway = await gatewayWith({ maxConcurrent: 2, clientWaitMs: 120_000, timeoutMs: 120_000 });
    try {
      const holders = [await stuckClient(gateway), await stuckClient(gateway)];
      const received = holders.map((h) => collect(h.socket));
      await eventually(() => replays(gateway).activeReplays === 2, 30_000);
      await waitUntilBlocked(gateway, 2);

      const excess = await client(gateway);
      const gotExcess = collect(excess);
      const ack = await ackOf(excess, { channel: channelOf(near), from: nearFrom });
      expect(ack).toEqual({ ok: true, channel: channelOf(near), recovered: false, replayed: 0, reason: 'busy' });
      // Refused replay, live subscription all the same.
      const live = await publishOne(stack.publisher, near, 200);
      await eventually(() => gotExcess.get(channelOf(near))?.some((e) => e.id === live.id), 20_000);

      for (const h of holders) h.resume();
      await eventually(() => holders.every((h) => h.acks.length === 1), 120_000);
      for (const h of holders) {
        expect(h.acks[0]).toEqual({ ok: true, channel: channelOf(big), recovered: true, replayed: BIG_EVENTS });
      }
      for (const got of received) {
        await eventually(() => got.get(channelOf(big))?.length === BIG_EVENTS, 60_000);
        const ns = got.get(channelOf(big))!.map((e) => (e.data as { n: number }).n);
        expect(ns).toEqual(Array.from({ length: BIG_EVENTS }, (_, i) => i));
      }
      expect(gateway.hub.metrics().slowDisconnects).toBe(0);
      expect(replays(gateway).activeReplays).toBe(0);
    } finally {
      await gateway.app.close();
    }
  });
});

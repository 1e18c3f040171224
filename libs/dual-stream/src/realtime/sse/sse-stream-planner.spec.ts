import { fakeReplayService, hubTestOptions } from '../../../../../test/support/fake-realtime.js';
import type { SseRefusalKind } from '../../errors/sse-stream-refused.error.js';
import { sourceKey } from '../../events/event-naming.js';
import type { DualStreamHubOptions } from '../../interfaces/dual-stream-options.interface.js';
import { keyPartition } from '../../kafka/key-partition.js';
import { HubCounters } from '../hub-counters.js';
import { PartitionLookups } from '../partition-lookups.js';
import { encodeSseCursor } from './sse-cursor.js';
import { SseStreamPlanner } from './sse-stream-planner.js';

const CHANNEL = 'events:order:o-1';
const SOURCE = { type: 'order', id: 'o-1' };
/** The partition the publisher writes `SOURCE` to (three partitions in the fake). */
const PARTITION = keyPartition(sourceKey(SOURCE), 3);

function setup(hub: DualStreamHubOptions = {}, replay = fakeReplayService(100n)) {
  const counters = new HubCounters();
  const options = hubTestOptions(hub);
  const planner = new SseStreamPlanner(options, counters, new PartitionLookups(replay.asService()), (source) =>
    replay.topicOf(source),
  );
  const plan = (channels: unknown[], cursor?: string) => planner.plan({}, { channels, cursor, maxChannels: 4 });
  return { counters, options, replay, planner, plan };
}

const refusal = (kind: SseRefusalKind, message: RegExp, channel?: string) =>
  expect.objectContaining({ name: 'SseStreamRefusedError', kind, message: expect.stringMatching(message), channel });
const cursorAt = (partition: number, offset: string) => encodeSseCursor([{ channel: CHANNEL, partition, offset }]);

describe('SseStreamPlanner (Kafka faked at the replay service)', () => {
  it('refuses every stream when realtime is disabled', async () => {
    const { options, counters, replay } = setup();
    const planner = new SseStreamPlanner(
      { ...options, redis: false },
      counters,
      new PartitionLookups(replay.asService()),
      () => '',
    );
    await expect(planner.plan({}, { channels: [CHANNEL], maxChannels: 4 })).rejects.toEqual(
      refusal('disabled', /redis: false/),
    );
  });

  it('refuses and counts a stream naming a channel the principal may not read (or whose check throws)', async () => {
    const { plan, counters } = setup({
      canSubscribe: (_principal, channel) => {
        if (channel.endsWith('o-3')) throw new Error('auth service down');
        return !channel.endsWith('o-2');
      },
    });
    await expect(plan([CHANNEL, 'events:order:o-2'])).rejects.toEqual(
      refusal('forbidden', /may not read events:order:o-2/, 'events:order:o-2'),
    );
    await expect(plan(['events:order:o-3'])).rejects.toEqual(refusal('forbidden', /o-3/, 'events:order:o-3'));
    expect(counters.subscribeRefused).toBe(2);
  });

  it('plans live channels, and resumes those the cursor names at positions Kafka has reached', async () => {
    const { plan } = setup();
    const live = await plan([CHANNEL]);
    expect(live.channels).toEqual([expect.objectContaining({ channel: CHANNEL, source: SOURCE, resume: false })]);
    const resumed = await plan([CHANNEL], cursorAt(PARTITION, '99'));
    expect(resumed.channels[0]).toMatchObject({ resume: true, at: { partition: PARTITION, offset: '99' } });
  });

  it("refuses a cursor position on a partition the channel's events never go to, or past its end", async () => {
    const { plan } = setup();
    await expect(plan([CHANNEL], cursorAt((PARTITION + 1) % 3, '1'))).rejects.toEqual(
      refusal('invalid-cursor', /never go/, CHANNEL),
    );
    await expect(plan([CHANNEL], cursorAt(PARTITION, '100'))).rejects.toEqual(
      refusal('invalid-cursor', /past the end/, CHANNEL),
    );
  });

  it('accepts a cursor position when Kafka cannot be asked (the replay reports what it finds)', async () => {
    const { plan, replay } = setup();
    replay.highWatermarks.mockRejectedValue(new Error('broker down'));
    await expect(plan([CHANNEL], cursorAt((PARTITION + 1) % 3, '1000'))).resolves.toMatchObject({
      channels: [{ channel: CHANNEL, resume: true }],
    });
  });
});

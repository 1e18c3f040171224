import { OrderedSender } from './ordered-sender.js';

/** A send whose round trips stay open until the test answers them. */
function controlledSend() {
  const trips: { messages: string[]; answer: (err?: Error) => void }[] = [];
  const send = (messages: string[]) =>
    new Promise<void>((resolve, reject) => trips.push({ messages, answer: (err) => (err ? reject(err) : resolve()) }));
  return { trips, send };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('OrderedSender', () => {
  it('keeps one round trip in flight and sends what arrived meanwhile together, in order', async () => {
    const { trips, send } = controlledSend();
    const sender = new OrderedSender(send);
    const first = sender.send(['a', '1']);
    const second = sender.send(['b', '2']);
    const third = sender.send(['a', '3']);
    await tick();
    expect(trips.map((t) => t.messages)).toEqual([['a', '1']]);
    trips[0].answer();
    await first;
    await tick();
    expect(trips.map((t) => t.messages)).toEqual([
      ['a', '1'],
      ['b', '2', 'a', '3'],
    ]);
    trips[1].answer();
    await Promise.all([second, third]);
    expect(sender.idle).toBe(true);
  });

  it('fails every caller of a failed round trip, and goes on with the next', async () => {
    const { trips, send } = controlledSend();
    const sender = new OrderedSender(send);
    const first = sender.send(['a', '1']);
    const second = sender.send(['a', '2']);
    const third = sender.send(['a', '3']);
    await tick();
    trips[0].answer();
    await first;
    await tick();
    trips[1].answer(new Error('MOVED'));
    await expect(second).rejects.toThrow('MOVED');
    await expect(third).rejects.toThrow('MOVED');
    const fourth = sender.send(['a', '4']);
    await tick();
    expect(trips[2].messages).toEqual(['a', '4']);
    trips[2].answer();
    await expect(fourth).resolves.toBeUndefined();
  });
});

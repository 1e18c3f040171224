import { ReplaySlots } from './replay-slots.js';

describe('ReplaySlots', () => {
  it('refuses at once beyond the cap and frees a slot on release', () => {
    const slots = new ReplaySlots(2);
    expect([slots.tryAcquire(), slots.tryAcquire(), slots.tryAcquire()]).toEqual([true, true, false]);
    expect(slots.active).toBe(2);
    slots.release();
    expect(slots.active).toBe(1);
    expect(slots.tryAcquire()).toBe(true);
  });

  it('hands released slots to waiters in arrival order', async () => {
    const slots = new ReplaySlots(1);
    expect(slots.tryAcquire()).toBe(true);
    const order: string[] = [];
    const first = slots.acquire(Date.now() + 60_000).then((ok) => order.push(`first:${ok}`));
    const second = slots.acquire(Date.now() + 60_000).then((ok) => order.push(`second:${ok}`));
    slots.release();
    await first;
    expect(order).toEqual(['first:true']);
    expect(slots.active).toBe(1);
    slots.release();
    await second;
    expect(order).toEqual(['first:true', 'second:true']);
    slots.release();
    expect(slots.active).toBe(0);
  });

  it('gives up at the deadline or on abort, and a later release is not handed to the quitter', async () => {
    const slots = new ReplaySlots(1);
    slots.tryAcquire();
    expect(await slots.acquire(Date.now() + 20)).toBe(false);
    const controller = new AbortController();
    const aborted = slots.acquire(Date.now() + 60_000, controller.signal);
    controller.abort();
    expect(await aborted).toBe(false);
    slots.release();
    expect(slots.active).toBe(0);
    expect(await slots.acquire(Date.now(), AbortSignal.abort())).toBe(true);
  });

  it('waits without a deadline (Infinity) until a release, however long that takes', async () => {
    const slots = new ReplaySlots(1);
    slots.tryAcquire();
    let answer: boolean | undefined;
    const waiting = slots.acquire(Infinity).then((ok) => (answer = ok));
    await new Promise((r) => setTimeout(r, 50));
    expect(answer).toBeUndefined();
    slots.release();
    await waiting;
    expect(answer).toBe(true);
  });
});

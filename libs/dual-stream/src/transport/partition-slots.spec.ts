import { PartitionSlots } from './partition-slots.js';

describe('PartitionSlots', () => {
  it('grants up to the limit, queues the rest FIFO and hands slots on release', () => {
    const slots = new PartitionSlots<string>(2);
    const granted: string[] = [];
    expect(slots.acquire('p0', () => granted.push('p0'))).toBe(true);
    expect(slots.acquire('p1', () => granted.push('p1'))).toBe(true);
    expect(slots.acquire('p0', () => granted.push('p0'))).toBe(true);
    expect(slots.acquire('p2', () => granted.push('p2'))).toBe(false);
    expect(slots.acquire('p3', () => granted.push('p3'))).toBe(false);
    expect(slots.contended).toBe(true);
    slots.release('p0');
    expect(granted).toEqual(['p2']);
    expect(slots.acquire('p0', () => granted.push('p0'))).toBe(false);
    slots.release('p1');
    slots.release('p2');
    expect(granted).toEqual(['p2', 'p3', 'p0']);
    expect(slots.contended).toBe(false);
  });

  it('forgets a waiter that releases before being granted', () => {
    const slots = new PartitionSlots<string>(1);
    const granted: string[] = [];
    slots.acquire('a', () => granted.push('a'));
    slots.acquire('b', () => granted.push('b'));
    slots.release('b');
    slots.release('a');
    expect(granted).toEqual([]);
    expect(slots.contended).toBe(false);
  });
});

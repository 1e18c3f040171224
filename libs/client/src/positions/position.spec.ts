import { comparePositions, isAtOrBefore, isOffset, isPosition, offsetBefore } from './position.js';

const p = (offset: string, partition = 0, topic = 'events.order') => ({ topic, partition, offset });

describe('positions', () => {
  it('accepts canonical int64 offsets only', () => {
    expect(['0', '7', '9223372036854775807'].every(isOffset)).toBe(true);
    expect(['', '-1', '01', '1.5', '9223372036854775808', 7].some(isOffset)).toBe(false);
    expect(isPosition(p('3'))).toBe(true);
    expect(isPosition({ ...p('3'), partition: 1.5 })).toBe(false);
  });

  it('compares offsets past 2^53 exactly and only within one topic and partition', () => {
    expect(isAtOrBefore(p('9007199254740993'), p('9007199254740992'))).toBe(false);
    expect(isAtOrBefore(p('9007199254740992'), p('9007199254740993'))).toBe(true);
    expect(isAtOrBefore(p('1', 1), p('5', 0))).toBe(false);
    expect(isAtOrBefore(p('1'), undefined)).toBe(false);
    const sorted = [p('10'), p('9'), p('2', 1), p('9007199254740993'), p('9007199254740992')].sort(comparePositions);
    expect(sorted.map((x) => `${x.partition}/${x.offset}`)).toEqual([
      '0/9',
      '0/10',
      '0/9007199254740992',
      '0/9007199254740993',
      '1/2',
    ]);
    expect(offsetBefore(p('9007199254740993'))).toBe('9007199254740992');
    expect(offsetBefore(p('0'))).toBeUndefined();
  });
});

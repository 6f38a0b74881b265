/**
 * The second sending thread is optional (adapters/linux/advert-backstop.ts startRepeating): it is
 * asked for once, with the first repetition, and an addon that cannot start it (it throws) or
 * will not run it (false) leaves the first thread repeating, the backstop available. A fake addon,
 * in a process of its own (vitest runs each file in one), so the module's once-per-process state
 * starts fresh.
 */
import { describe, expect, it } from 'vitest';
import { BackstopSlots } from '../../adapters/linux/advert-backstop.js';
import type { NetIo } from '../../adapters/linux/native.js';

function fakeIo(cover: () => boolean): { io: NetIo; calls: string[] } {
  const calls: string[] = [];
  let slots = 0;
  const io = {
    backstopSlot: () => slots++,
    backstopRepeat: () => void calls.push('repeat'),
    backstopRepeatRead: () => [0, 0, 0, 0],
    backstopLease: () => void calls.push('lease'),
    backstopCover: () => {
      calls.push('cover');
      return cover();
    },
    backstopFailFd: () => 99,
    backstopFailed: () => [],
    watch: () => ({}),
    unref: () => undefined,
  } as unknown as NetIo;
  return { io, calls };
}

describe('the covering thread, asked for with the first repetition', () => {
  it('a failure to start it leaves the repetition and the backstop working, and it is asked for once', () => {
    const { io, calls } = fakeIo(() => {
      throw new Error('backstopCover: Resource temporarily unavailable (EAGAIN)');
    });
    const errors: string[] = [];
    const slots = new BackstopSlots(io, (m) => errors.push(m));
    const repeat = (key: string): boolean => slots.repeat(key, 3, Buffer.from('advert'), null, null, 0, 1000, undefined, () => undefined);
    expect(repeat('VI_1')).toBe(true);
    expect(repeat('VI_2')).toBe(true);
    expect(errors).toEqual([]);
    expect(calls.filter((c) => c === 'cover')).toHaveLength(1);
    expect(calls.filter((c) => c === 'repeat')).toHaveLength(2);
  });
});

import { expect } from 'chai';
import { exactTime, relativeTime } from '../../server/presenters/time';

describe('relative times in lists', () => {
  const now = new Date('2026-12-03T10:30:00Z');
  const before = (ms: number) => new Date(now.getTime() - ms);

  it('says how long ago, in the largest whole unit, up to a day', () => {
    expect(relativeTime(before(0), now)).to.equal('just now');
    expect(relativeTime(before(59_000), now)).to.equal('just now');
    expect(relativeTime(before(60_000), now)).to.equal('1 min ago');
    expect(relativeTime(before(59 * 60_000), now)).to.equal('59 min ago');
    expect(relativeTime(before(3_600_000), now)).to.equal('1 h ago');
    expect(relativeTime(before(10 * 3_600_000 + 29 * 60_000), now)).to.equal('10 h ago');
  });

  it('then "yesterday" for the day before, then the date; a time ahead of the clock is "just now"', () => {
    expect(relativeTime(new Date('2026-12-02T08:00:00Z'), now)).to.equal('yesterday');
    expect(relativeTime(new Date('2026-12-01T23:59:00Z'), now)).to.equal('2026-12-01');
    expect(relativeTime(new Date('2026-12-03T10:31:00Z'), now)).to.equal('just now');
    expect(exactTime(new Date('2026-12-01T23:59:10Z'))).to.equal('2026-12-01 23:59 UTC');
  });
});

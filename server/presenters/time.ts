/** Times as people scan them in a list: "just now", "5 min ago", "3 h ago", "yesterday", then the date. */
export function relativeTime(at: Date, now: Date): string {
  const seconds = Math.round((now.getTime() - at.getTime()) / 1000);
  // A clock a little ahead (another instance, a rounding) reads as now, never as "in 3 s".
  if (seconds < 60) return 'just now';
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const day = (d: Date) => Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if ((day(now) - day(at)) / 86_400_000 === 1) return 'yesterday';
  return at.toISOString().slice(0, 10);
}

/** The full time, for a title attribute beside a relative one. */
export function exactTime(at: Date): string {
  return `${at.toISOString().replace('T', ' ').slice(0, 16)} UTC`;
}

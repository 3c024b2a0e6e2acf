import { z } from 'zod';

/** How long a new share link works: until revoked (''), or a number of days. */
export const SHARE_LINK_DAYS = ['', '1', '7', '30', '90', '365'] as const;

/** A public link's name and how long it works, on both sharing pages; the request-list form adds its filter. */
export const shareLinkForm = z.object({
  label: z
    .string()
    .trim()
    .max(200, 'A link name is at most 200 characters.')
    .default('')
    .transform((v) => v || 'Public link'),
  expires_days: z.enum(SHARE_LINK_DAYS, { message: 'Choose how long the link works from the list.' }).default(''),
});

/** When a link made now with this choice expires; null for one that works until revoked. */
export function expiresAtOf(days: (typeof SHARE_LINK_DAYS)[number], now = Date.now()): Date | null {
  return days === '' ? null : new Date(now + Number(days) * 86_400_000);
}

export const LINK_REVOKED_NOTICE = 'Link revoked: it no longer works.';
export const LINK_ALREADY_NOTICE = 'No link was made: that form had been sent already (a reload), or the page was out of date.';

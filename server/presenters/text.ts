import { LinkifyIt } from 'linkify-it';

/** A stretch of typed text: plain, or a web address to show as a link. */
export interface TextPart {
  text: string;
  href?: string;
}

// Only whole http(s) addresses: no bare domains or emails guessed from words, no ftp:, mailto:
// or protocol-relative links, no user:password@ in them.
const linkify = new LinkifyIt({ fuzzyLink: false, fuzzyEmail: false, fuzzyIP: false, urlAuth: false, maxLength: 2000 }).add('ftp:', null).add('mailto:', null).add('//', null);

/**
 * Text as parts, with the web addresses in it (linkify-it) as links where `accept` says so.
 * The template escapes every part; only an http(s) address can become an href.
 */
export function linkedText(text: string, accept: (url: string) => boolean = () => true): TextPart[] {
  const parts: TextPart[] = [];
  let at = 0;
  for (const m of linkify.match(text) ?? []) {
    if (!/^https?:\/\//i.test(m.url) || !accept(m.url)) continue;
    // https://user:password@host: linkify-it stops before the password; such an address is no link at all.
    if (/^:[^\s/]*@/.test(text.slice(m.lastIndex))) continue;
    if (m.index > at) parts.push({ text: text.slice(at, m.index) });
    parts.push({ text: m.raw, href: m.url });
    at = m.lastIndex;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return parts;
}

/** Addresses into Portico itself (`baseUrl`, what mail links are made from): the outbox links only these. */
export const withinPortico = (baseUrl: string) => (url: string) => url === baseUrl || url.startsWith(`${baseUrl}/`) || url.startsWith(`${baseUrl}?`);

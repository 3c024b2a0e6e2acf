/** A stretch of a mail's text: plain, or an address of Portico itself to show as a link. */
export type TextPart = { text: string; href?: string };

const URL_IN_TEXT = /https?:\/\/[^\s<>"']+/g;

/**
 * A mail's text as parts for the outbox page, with the links that point into Portico
 * (`baseUrl`, the address mail links are made from) clickable: a sign-up or reset link can
 * be followed from a development outbox. Any other address stays text, so a message that
 * quotes a customer's link never turns it into one on an administrator's page.
 */
export function linkedText(text: string, baseUrl: string): TextPart[] {
  const parts: TextPart[] = [];
  let at = 0;
  for (const match of text.matchAll(URL_IN_TEXT)) {
    const url = match[0].replace(/[.,;:!?)]+$/, '');
    const start = match.index;
    if (url !== baseUrl && !url.startsWith(`${baseUrl}/`) && !url.startsWith(`${baseUrl}?`)) continue;
    if (start > at) parts.push({ text: text.slice(at, start) });
    parts.push({ text: url, href: url });
    at = start + url.length;
  }
  if (at < text.length) parts.push({ text: text.slice(at) });
  return parts;
}

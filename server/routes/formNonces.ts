import crypto from 'node:crypto';
import type { Request } from 'express';

/** How many unsent share-link forms a session keeps valid at once (tabs, pages). */
const KEPT = 20;

/**
 * A one-time mark for a share-link form (the dashboard sharing page and the request-list page):
 * each page shown adds one, so forms open in several tabs all work, and sending one uses it up,
 * so a reload of the answer that showed a new link makes no second link.
 */
export function issueShareFormNonce(req: Request): string {
  const nonce = crypto.randomBytes(16).toString('base64url');
  req.session.shareLinkFormNonces = [...(req.session.shareLinkFormNonces ?? []), nonce].slice(-KEPT);
  return nonce;
}

/** Uses up a mark: true when it was issued and not yet used, false for a form sent already (or too old). */
export function spendShareFormNonce(req: Request, nonce: string): boolean {
  const kept = req.session.shareLinkFormNonces ?? [];
  if (!kept.includes(nonce)) return false;
  req.session.shareLinkFormNonces = kept.filter((n) => n !== nonce);
  return true;
}

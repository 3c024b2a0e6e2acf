import type { Db } from '../db';
import { can, type Actor, type RequestTarget, type WorkTarget } from '../permissions';
import type { EntityTypeInfo } from '../permissions/entityTypes';
import { grantsOnEntity } from '../repositories/entityPermissions';
import { manageableDescendants, type NestedCopy } from '../commands/entityPermissions';
import { grantNamedIn } from './changeNotices';

export const MODE_TEXT = { view: 'Can view', comment: 'Can comment', edit: 'Can edit', grant: 'Can grant access' } as const;

/**
 * The "people with direct access" panel. Only people who may manage access get the list
 * (nobody else learns who has access); with the feature off the panel is absent.
 */
export async function directAccessPanel(db: Db, actor: Actor, type: EntityTypeInfo, target: RequestTarget | WorkTarget) {
  if (!target.direct.enabled || !can(actor, 'manage_access', target)) return null;
  const grants = await grantsOnEntity(db, type.stored, target.id);
  const nested = type.kind === 'work_item' ? (await manageableDescendants(db, actor, target.id)).length : 0;
  return {
    typeId: type.id,
    entityId: target.id,
    nested,
    modes: MODE_TEXT,
    // One's own grant is shown, not offered for change: nobody changes their own (grantProblem).
    grants: grants.map((g) => ({ id: g.id, name: g.principalName, mode: g.mode, own: g.principalId === actor.id })),
  };
}

const COPY_KEYS = ['copied', 'existing', 'skipped'] as const;

/** The query string that carries a nested copy's result back to the entity's page. */
export function nestedCopyQuery(result: NestedCopy): string {
  return '?' + COPY_KEYS.map((k) => `${k}=${result[k]}`).join('&');
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

export const REMOVED_QUERY = '?access_removed=1';

type Panel = Awaited<ReturnType<typeof directAccessPanel>>;

/**
 * What the last change in the direct-access panel did, for those who see the panel: a nested
 * copy's counts, "<name> now has: Can edit." for `?granted=<grant id>` (named from the panel's own
 * grants, so a link cannot make the page claim a grant that is not there), or a removal.
 */
export function directAccessNotice(query: Record<string, unknown>, panel: Panel): string | null {
  if (!panel) return null;
  const grant = grantNamedIn(query, panel.grants);
  if (grant) return `${grant.name} now has direct access: ${MODE_TEXT[grant.mode as keyof typeof MODE_TEXT] ?? grant.mode}.`;
  if (query.access_removed === '1') return 'Direct access removed.';
  return nestedCopyNotice(query);
}

/** The sentence shown after "Also grant on the N nested items", read back from the query; null when there is none. */
export function nestedCopyNotice(query: Record<string, unknown>): string | null {
  const [copied, existing, skipped] = COPY_KEYS.map((k) => {
    const v = query[k];
    return typeof v === 'string' && /^\d{1,7}$/.test(v) ? Number(v) : null;
  });
  if (copied == null || existing == null || skipped == null) return null;
  let text = `${plural(copied, 'grant', 'grants')} copied to nested items.`;
  if (existing > 0) text += ` ${plural(existing, 'was', 'were')} already there.`;
  if (skipped > 0) text += ` Skipped ${plural(skipped, 'person', 'people')} you cannot give access to (yourself, or a disabled account).`;
  return text;
}

/** Audit events as an administrator reads them: who and what by name, changes as "key: value". */
import type { AuditListItem } from '../repositories/auditLog';

export interface AuditNames {
  principal: Map<number, string>;
  project: Map<number, string>;
  role: Map<number, string>;
  company: Map<number, string>;
}

const NAMED = { principalId: 'principal', projectId: 'project', roleId: 'role', companyId: 'company' } as const;

/** What each recorded action means, in words (the stored keys stay the filter's values). */
export const ACTION_TEXT: Record<string, string> = {
  'company.created': 'Company created',
  'company.renamed': 'Company renamed',
  'dashboard.created': 'Dashboard created',
  'dashboard.deleted': 'Dashboard deleted',
  'dashboard.grant_added': 'Dashboard access given',
  'dashboard.grant_changed': 'Dashboard access changed',
  'dashboard.grant_removed': 'Dashboard access removed',
  'dashboard.restriction_changed': 'Dashboard access level changed',
  'dashboard.share_link_created': 'Public dashboard link made',
  'dashboard.share_link_revoked': 'Public dashboard link revoked',
  'entity_permission.changed': 'Direct access changed',
  'entity_permission.granted': 'Direct access given',
  'entity_permission.revoked': 'Direct access removed',
  'membership.added': 'Added to a project',
  'membership.changed': 'Project role changed',
  'membership.removed': 'Removed from a project',
  'principal.company_changed': "Customer's company changed",
  'principal.created': 'Person added',
  'principal.default_role_changed': 'Default role changed',
  'principal.disabled': 'Account disabled',
  'principal.enabled': 'Account enabled',
  'principal.password_link_sent': 'Link to set a password sent',
  'principal.type_changed': 'User type changed',
  'project.created': 'Project created',
  'project.portal_changed': 'Project opened or closed to the portal',
  'project.privacy_changed': 'Project made private or public',
  'project.renamed': 'Project renamed',
  'setting.changed': 'Setting changed',
  'share_link.requests_created': 'Public request-list link made',
  'share_link.requests_revoked': 'Public request-list link revoked',
  'token.created': 'API token created',
  'token.revoked': 'API token revoked',
};

export const actionText = (action: string): string => ACTION_TEXT[action] ?? action;

/** The admin page of an audit event's target, when it has one. */
const TARGET_PAGES = new Map([
  ['principal', '/admin/users/'],
  ['company', '/admin/companies/'],
  ['project', '/admin/projects/'],
]);

function valueText(key: string, v: unknown, names: AuditNames): string {
  // A customer moved out of every company: "company: none", not "company: null".
  if (key === 'companyId' && v === null) return 'none';
  if (key in NAMED && typeof v === 'number') {
    const name = names[NAMED[key as keyof typeof NAMED]].get(v);
    return name ? `${name} (#${v})` : `#${v}`;
  }
  if (Array.isArray(v)) return v.length === 0 ? 'none' : v.map((x) => valueText(key, x, names)).join(', ');
  if (v && typeof v === 'object') return `(${objectText(v as Record<string, unknown>, names)})`;
  return String(v);
}

function objectText(o: Record<string, unknown>, names: AuditNames): string {
  return Object.entries(o)
    .map(([k, v]) => `${k.replace(/Id$/, '')}: ${valueText(k, v, names)}`)
    .join('; ');
}

/** A stored before/after (JSON) as text, ids named: `principal: Alice Acme (#5); level: view`. */
export function changeText(stored: string | null, names: AuditNames): string {
  if (stored === null) return '—';
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    return stored;
  }
  if (value === null) return '—';
  return value && typeof value === 'object' && !Array.isArray(value) ? objectText(value as Record<string, unknown>, names) : valueText('', value, names);
}

export interface AuditRow extends AuditListItem {
  actionText: string;
  beforeText: string;
  afterText: string;
  /** The target's admin or desk page, when it has one. */
  targetHref: string | null;
}

export function presentAudit(items: AuditListItem[], names: AuditNames): AuditRow[] {
  return items.map((e) => ({
    ...e,
    actionText: actionText(e.action),
    beforeText: changeText(e.before, names),
    afterText: changeText(e.after, names),
    targetHref:
      e.targetId === null
        ? null
        : TARGET_PAGES.has(e.targetType)
          ? `${TARGET_PAGES.get(e.targetType)}${e.targetId}`
          : e.targetType === 'dashboard' && e.targetName
            ? `/desk/dashboards/${e.targetId}`
            : null,
  }));
}

/** Audit events as an administrator reads them: who and what by name, changes as "key: value". */
import type { AuditListItem } from '../repositories/auditLog';

export interface AuditNames {
  principal: Map<number, string>;
  project: Map<number, string>;
  role: Map<number, string>;
  company: Map<number, string>;
}

const NAMED = { principalId: 'principal', projectId: 'project', roleId: 'role', companyId: 'company' } as const;

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
  return value && typeof value === 'object' && !Array.isArray(value) ? objectText(value as Record<string, unknown>, names) : valueText('', value, names);
}

export interface AuditRow extends AuditListItem {
  beforeText: string;
  afterText: string;
  /** The target's admin or desk page, when it has one. */
  targetHref: string | null;
}

export function presentAudit(items: AuditListItem[], names: AuditNames): AuditRow[] {
  return items.map((e) => ({
    ...e,
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

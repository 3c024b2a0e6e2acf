/**
 * The organisation of the large seed: roles, companies, projects, staff and requesters,
 * memberships, releases and iterations, and the work items of every project.
 */
import { DAY, FIRST, LAST, PROJECT, SUBJECT, type SeedContext } from './context';
import { nameKey } from '../../repositories/names';

const COMPANY = ['Northwind', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Tyrell', 'Soylent', 'Cyberdyne', 'Gringotts', 'Monarch'];
const WORK_TYPES: [string, number][] = [['epic', 0.05], ['feature', 0.2], ['user_story', 0.6], ['task', 0.8], ['bug', 0.95], ['impediment', 1]];

export interface Organisation {
  roleIds: { agent: number; contributor: number; reporter: number };
  /** Indexes (0-based) of the projects that take customer requests, and of the others. */
  portal: number[];
  other: number[];
  projectId(p: number): number;
  staffId(i: number): number;
  requesterId(i: number): number;
  staffEmail(i: number): string;
  requesterEmail(i: number): string;
  /** A requester's company index, or -1 for none. */
  companyOf(i: number): number;
  /** The work item ids of each project. */
  itemsOf: number[][];
  /** Each work item's type, by id - base.work_items - 1. */
  itemTypes: string[];
  workTotal: number;
}

export async function seedOrganisation(ctx: SeedContext): Promise<Organisation> {
  const { s, base, tag, label, hash, rand, int, pick, now, nowIso, iso, writer, finish } = ctx;
  // Roles, companies, projects.
  const roleIds = { agent: base.roles + 1, contributor: base.roles + 2, reporter: base.roles + 3 };
  const roles = writer('roles', ['id', 'name', 'created_at']);
  const rolePerms = writer('role_permissions', ['id', 'role_id', 'entity_kind', 'can_add', 'can_edit', 'can_delete', 'can_comment'], 'roles');
  let rp = base.role_permissions;
  for (const [id, name, flags] of [
    [roleIds.agent, 'Agent', [true, true, true, true]],
    [roleIds.contributor, 'Contributor', [true, true, false, true]],
    [roleIds.reporter, 'Reporter', [false, false, false, true]],
  ] as const) {
    await roles.push([id, `Large ${name}${label}`, nowIso]);
    for (const kind of ['request', 'work_item', 'release', 'team_iteration']) await rolePerms.push([++rp, id, kind, ...flags]);
  }
  await finish(roles, 'roles');
  await finish(rolePerms, 'role_permissions');

  const companies = writer('companies', ['id', 'name', 'name_key', 'created_at']);
  for (let c = 0; c < s.companies; c += 1) {
    const name = `${COMPANY[c % COMPANY.length]} ${c + 1}${label}`;
    await companies.push([base.companies + c + 1, name, nameKey(name), nowIso]);
  }
  await finish(companies, 'companies');

  const projects = writer('projects', ['id', 'name', 'name_key', 'is_private', 'portal_enabled', 'created_at']);
  const portal: number[] = [];
  const other: number[] = [];
  for (let p = 0; p < s.projects; p += 1) {
    // Two thirds of the projects take customer requests; the last two are private.
    const isPrivate = p >= s.projects - 2 && p >= 2;
    const portalEnabled = !isPrivate && (p < Math.ceil((s.projects * 2) / 3) || p === 0);
    (portalEnabled ? portal : other).push(p);
    const name = `${PROJECT[p] ?? `Project ${p + 1}`}${label}`;
    await projects.push([base.projects + p + 1, name, nameKey(name), isPrivate, portalEnabled, nowIso]);
  }
  await finish(projects, 'projects');
  const projectId = (p: number) => base.projects + p + 1;

  // People: staff first (0 admin, 1 agent, 2 observer, 3 contributor, then agents), then requesters.
  const people = writer('principals', ['id', 'type', 'name', 'email', 'email_normalized', 'password_hash', 'company_id', 'default_role_id', 'disabled', 'created_at', 'updated_at', 'sessions_valid_after'], 'people');
  const staffId = (i: number) => base.principals + i + 1;
  const requesterId = (i: number) => base.principals + s.staff + i + 1;
  const staffEmail = (i: number) => `${['admin', 'agent', 'observer', 'contributor'][i] ?? `staff${i}`}${tag}@large.test`;
  const requesterEmail = (i: number) => `requester${i + 1}${tag}@large.test`;
  const staffTypes = ['administrator', 'user', 'observer', 'contributor'];
  for (let i = 0; i < s.staff; i += 1) {
    const type = staffTypes[i] ?? 'user';
    const role = type === 'observer' ? roleIds.reporter : type === 'contributor' ? roleIds.contributor : roleIds.agent;
    const email = staffEmail(i);
    await people.push([staffId(i), type, `${pick(FIRST)} ${pick(LAST)}`, email, email, hash, null, role, false, nowIso, nowIso, 0]);
  }
  // Every 50th requester has no company; the others are spread evenly.
  const companyOf = (i: number) => (i % 50 === 49 ? -1 : i % s.companies);
  for (let i = 0; i < s.requesters; i += 1) {
    const c = companyOf(i);
    const email = requesterEmail(i);
    await people.push([requesterId(i), 'requester', `${pick(FIRST)} ${pick(LAST)}`, email, email, hash, c < 0 ? null : base.companies + c + 1, null, false, nowIso, nowIso, 0]);
  }
  await finish(people, 'principals');

  const members = writer('project_members', ['id', 'project_id', 'principal_id', 'role_id'], 'people');
  let memberId = base.project_members;
  for (const p of [0, 1]) await members.push([++memberId, projectId(p), staffId(1), roleIds.agent]);
  for (let i = 4; i < s.staff; i += 1) {
    const first = int(s.projects);
    for (let k = 0; k < 1 + int(3) && k < s.projects; k += 1) await members.push([++memberId, projectId((first + k) % s.projects), staffId(i), roleIds.agent]);
  }
  await finish(members, 'project_members');

  // Planning periods: three releases and six iterations per project.
  const releases = writer('releases', ['id', 'project_id', 'name', 'starts_on', 'ends_on', 'creator_id', 'created_at'], 'work items');
  const iterations = writer('team_iterations', ['id', 'project_id', 'name', 'starts_on', 'ends_on', 'creator_id', 'created_at'], 'work items');
  const day = (ms: number) => iso(ms).slice(0, 10);
  for (let p = 0; p < s.projects; p += 1) {
    for (let r = 0; r < 3; r += 1) await releases.push([base.releases + p * 3 + r + 1, projectId(p), `Release ${r + 1}`, day(now + (r - 1) * 90 * DAY), day(now + r * 90 * DAY), staffId(0), nowIso]);
    for (let t = 0; t < 6; t += 1) await iterations.push([base.team_iterations + p * 6 + t + 1, projectId(p), `Sprint ${t + 1}`, day(now + (t - 2) * 14 * DAY), day(now + (t - 1) * 14 * DAY), staffId(0), nowIso]);
  }
  await finish(releases, 'releases');
  await finish(iterations, 'team_iterations');

  // Work items: per project, epics first so features, stories and tasks find a parent.
  const items = writer('work_items', ['id', 'project_id', 'type', 'name', 'description', 'status', 'parent_id', 'owner_id', 'creator_id', 'release_id', 'team_iteration_id', 'created_at', 'updated_at'], 'work items');
  const itemsOf: number[][] = Array.from({ length: s.projects }, () => []);
  const itemTypes: string[] = []; // by id - base.work_items - 1
  const perProject = Math.ceil(s.workItems / s.projects);
  let itemId = base.work_items;
  for (let p = 0; p < s.projects && itemId - base.work_items < s.workItems; p += 1) {
    const byType = new Map<string, number[]>();
    for (let j = 0; j < perProject && itemId - base.work_items < s.workItems; j += 1) {
      const type = WORK_TYPES.find(([, upTo]) => j / perProject < upTo)?.[0] ?? 'task';
      const parentType = { feature: 'epic', user_story: 'feature', task: 'user_story' }[type];
      const parents = parentType ? byType.get(parentType) : undefined;
      const parent = parents?.length ? parents[int(parents.length)]! : null;
      itemId += 1;
      if (!byType.has(type)) byType.set(type, []);
      byType.get(type)!.push(itemId);
      itemsOf[p]!.push(itemId);
      itemTypes.push(type);
      const created = now - int(365) * DAY;
      await items.push([
        itemId, projectId(p), type, `${pick(SUBJECT)} ${type.replace('_', ' ')} ${j + 1}`, '', pick(['open', 'in_progress', 'done']), parent,
        staffId(int(s.staff)), staffId(int(s.staff)), rand() < 0.5 ? base.releases + p * 3 + int(3) + 1 : null,
        rand() < 0.5 ? base.team_iterations + p * 6 + int(6) + 1 : null, iso(created), iso(created + int(30) * DAY),
      ]);
    }
  }
  await finish(items, 'work_items');

  return { roleIds, portal, other, projectId, staffId, requesterId, staffEmail, requesterEmail, companyOf, itemsOf, itemTypes, workTotal: itemId - base.work_items };
}

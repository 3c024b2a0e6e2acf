/**
 * Benchmark-sized data (`npm run seed:large`): a customer base of tens of thousands of
 * requesters and hundreds of thousands of rows, shaped like a real portal (most votes on a
 * few popular public ideas, company-shared requests, dashboards granted one person at a time).
 *
 * Speed comes from three things: ids are assigned here rather than read back, so every
 * table is written with multi-row INSERTs of ~32,000 bound values; everything runs in one
 * transaction (all or nothing); and rows are generated in index order (votes by request,
 * grants by dashboard) so the B-trees grow at their right edge.
 */
import crypto from 'node:crypto';
import type { Db } from '../db';
import { isSqlite } from '../db';
import { hashPassword } from '../auth/passwords';
import { WIDGET_KINDS, type WidgetKind } from '../repositories/widgets';
import { rebuildRequestTallies } from '../repositories/requestTallies';
import { BatchWriter, prng, type Row, type SeedProgress } from './batch';

export { progressBar, type SeedProgress } from './batch';

export const LARGE_PASSWORD = 'large-password';

export interface LargeSizes {
  requests: number;
  requesters: number;
  companies: number;
  dashboards: number;
  grants: number;
  votes: number;
  comments: number;
  workItems: number;
  staff: number;
  projects: number;
  /** Direct Access grants (entity_permissions) of staff on requests and work items. */
  entityGrants: number;
}

/** Issue 7's sizes. */
export const LARGE_DEFAULTS: Readonly<LargeSizes> = Object.freeze({
  requests: 100_000,
  requesters: 10_000,
  companies: 500,
  dashboards: 2_000,
  grants: 50_000,
  votes: 300_000,
  comments: 200_000,
  workItems: 20_000,
  staff: 40,
  projects: 8,
  entityGrants: 20_000,
});

const MINIMUM: Partial<LargeSizes> = { requesters: 1, companies: 1, staff: 4, projects: 2 };


export interface LargeOptions {
  sizes: LargeSizes;
  /** scrypt N of the one password hash every seeded person shares. */
  scryptCost: number;
  /** Append to a database that already has requests. */
  force?: boolean;
  /** PRNG seed: the same seed on an empty database gives the same rows. */
  seed?: number;
  onProgress?: (p: SeedProgress) => void;
}

export interface LargeSummary {
  rows: Record<string, number>;
  password: string;
  logins: { administrator: string; user: string; observer: string; contributor: string; requester: string };
  /** A `restricted` dashboard with five widgets, granted to `logins.requester`, visible to `logins.user`. */
  sampleDashboardId: number;
  /** A request created by `logins.requester`. */
  sampleRequestId: number;
}

/** Refusal to write into a database that already has requests (without --force). */
export class SeedRefused extends Error {}

const FIRST = ['Alex', 'Sam', 'Maria', 'Jon', 'Priya', 'Chen', 'Fatima', 'Lukas', 'Aiko', 'Omar', 'Elena', 'Noah', 'Zara', 'Ivan', 'Lea', 'Tom'];
const LAST = ['Smith', 'Garcia', 'Müller', 'Tanaka', 'Okafor', 'Rossi', 'Novak', 'Silva', 'Kim', 'Larsen', 'Dubois', 'Haddad', 'Costa', 'Berg'];
const COMPANY = ['Northwind', 'Initech', 'Umbrella', 'Hooli', 'Vandelay', 'Stark', 'Wayne', 'Tyrell', 'Soylent', 'Cyberdyne', 'Gringotts', 'Monarch'];
const PROJECT = ['Support', 'Billing', 'Onboarding', 'Mobile app', 'Integrations', 'Infrastructure', 'Internal IT', 'Security'];
const SUBJECT = ['Invoice export', 'Password reset', 'Dashboard', 'Mobile login', 'Report builder', 'Email digest', 'API token', 'Search', 'File upload', 'Calendar sync', 'Dark mode', 'Audit log'];
const PROBLEM = ['fails with an error', 'is very slow', 'shows wrong totals', 'should support CSV', 'times out at night', 'needs a filter', 'does not load on Safari', 'would save us hours'];
const SENTENCE = [
  'Happens every morning since the last update.',
  'We checked with two browsers and it is the same.',
  'Thanks for looking into this so quickly.',
  'Any news on this one?',
  'INTERNAL: customer is on the enterprise plan.',
  'Reproduced on staging; a fix is planned for the next release.',
  'Could you share a screenshot of the settings page?',
  'This would help our whole team.',
];

const DAY = 86_400_000;
const TYPE_NAMES = ['issue', 'question', 'idea'];
const VISIBILITY_NAMES = ['private', 'company', 'public'];
const STATUSES = ['new', 'open', 'in_progress', 'resolved', 'closed'] as const;
const STATUS_WEIGHTS = [0.15, 0.4, 0.6, 0.85, 1];
const WORK_TYPES: [string, number][] = [['epic', 0.05], ['feature', 0.2], ['user_story', 0.6], ['task', 0.8], ['bug', 0.95], ['impediment', 1]];
const KINDS = Object.keys(WIDGET_KINDS) as WidgetKind[];
const ID_TABLES = ['companies', 'roles', 'role_permissions', 'principals', 'projects', 'project_members', 'releases', 'team_iterations', 'work_items', 'requests', 'votes', 'comments', 'dashboards', 'dashboard_widgets', 'dashboard_grants', 'entity_permissions'] as const;

function checkSizes(s: LargeSizes): void {
  for (const [key, value] of Object.entries(s) as [keyof LargeSizes, number][]) {
    const min = MINIMUM[key] ?? 0;
    if (!Number.isSafeInteger(value) || value < min) throw new Error(`--${key} must be a whole number of at least ${min}`);
  }
}

export async function seedLarge(db: Db, opts: LargeOptions): Promise<LargeSummary> {
  const s = opts.sizes;
  checkSizes(s);
  const sqlite = isSqlite(db);
  const hash = await hashPassword(LARGE_PASSWORD, opts.scryptCost);
  const rand = prng(opts.seed ?? 7);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T>(list: readonly T[]): T => list[int(list.length)]!;
  const now = Date.now();
  const iso = (ms: number) => new Date(ms).toISOString();
  const nowIso = iso(now);

  const planned = s.companies + s.staff + s.requesters + s.projects * 11 + s.workItems + s.requests * 2.15 + s.votes + s.comments + s.dashboards * 6 + s.grants + s.entityGrants;
  let done = 0;
  const report = (phase: string) => (n: number) => {
    done += n;
    opts.onProgress?.({ phase, done, total: Math.round(planned) });
  };

  if (sqlite) {
    // Room for the indexes being built, so pages are not spilled and re-read mid-transaction.
    await db.raw('PRAGMA cache_size = -262144');
  }
  try {
    const summary = await db.transaction(async (trx) => {
      const existing = await trx('requests').first('id');
      if (existing && !opts.force) throw new SeedRefused('This database already has requests; run with --force to append to it.');
      // A second run gets its own suffix so emails and names stay unique.
      const taken = await trx('principals').where({ email_normalized: 'admin@large.test' }).first('id');
      const tag = taken ? `.${crypto.randomBytes(3).toString('hex')}` : '';
      const label = tag ? ` (${tag.slice(1)})` : '';
      const base: Record<string, number> = {};
      for (const t of ID_TABLES) base[t] = Number((await trx(t).max({ m: 'id' }).first())?.m ?? 0);
      const maxBindings = sqlite ? 32_000 : 30_000;
      const writer = (table: string, columns: string[], phase = table) => new BatchWriter(trx, table, columns, maxBindings, report(phase));
      const rows: Record<string, number> = {};
      const finish = async (w: BatchWriter, name: string) => {
        await w.flush();
        rows[name] = w.written;
      };

      // Roles, companies, projects.
      const roleIds = { agent: base.roles! + 1, contributor: base.roles! + 2, reporter: base.roles! + 3 };
      const roles = writer('roles', ['id', 'name', 'created_at']);
      const rolePerms = writer('role_permissions', ['id', 'role_id', 'entity_kind', 'can_add', 'can_edit', 'can_delete', 'can_comment'], 'roles');
      let rp = base.role_permissions!;
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

      const companies = writer('companies', ['id', 'name', 'created_at']);
      for (let c = 0; c < s.companies; c += 1) await companies.push([base.companies! + c + 1, `${COMPANY[c % COMPANY.length]} ${c + 1}${label}`, nowIso]);
      await finish(companies, 'companies');

      const projects = writer('projects', ['id', 'name', 'is_private', 'portal_enabled', 'created_at']);
      const portal: number[] = [];
      const other: number[] = [];
      for (let p = 0; p < s.projects; p += 1) {
        // Two thirds of the projects take customer requests; the last two are private.
        const isPrivate = p >= s.projects - 2 && p >= 2;
        const portalEnabled = !isPrivate && (p < Math.ceil((s.projects * 2) / 3) || p === 0);
        (portalEnabled ? portal : other).push(p);
        await projects.push([base.projects! + p + 1, `${PROJECT[p] ?? `Project ${p + 1}`}${label}`, isPrivate, portalEnabled, nowIso]);
      }
      await finish(projects, 'projects');
      const projectId = (p: number) => base.projects! + p + 1;

      // People: staff first (0 admin, 1 agent, 2 observer, 3 contributor, then agents), then requesters.
      const people = writer('principals', ['id', 'type', 'name', 'email', 'email_normalized', 'password_hash', 'company_id', 'default_role_id', 'disabled', 'created_at', 'updated_at', 'sessions_valid_after'], 'people');
      const staffId = (i: number) => base.principals! + i + 1;
      const requesterId = (i: number) => base.principals! + s.staff + i + 1;
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
        await people.push([requesterId(i), 'requester', `${pick(FIRST)} ${pick(LAST)}`, email, email, hash, c < 0 ? null : base.companies! + c + 1, null, false, nowIso, nowIso, 0]);
      }
      await finish(people, 'principals');

      const members = writer('project_members', ['id', 'project_id', 'principal_id', 'role_id'], 'people');
      let memberId = base.project_members!;
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
        for (let r = 0; r < 3; r += 1) await releases.push([base.releases! + p * 3 + r + 1, projectId(p), `Release ${r + 1}`, day(now + (r - 1) * 90 * DAY), day(now + r * 90 * DAY), staffId(0), nowIso]);
        for (let t = 0; t < 6; t += 1) await iterations.push([base.team_iterations! + p * 6 + t + 1, projectId(p), `Sprint ${t + 1}`, day(now + (t - 2) * 14 * DAY), day(now + (t - 1) * 14 * DAY), staffId(0), nowIso]);
      }
      await finish(releases, 'releases');
      await finish(iterations, 'team_iterations');

      // Work items: per project, epics first so features, stories and tasks find a parent.
      const items = writer('work_items', ['id', 'project_id', 'type', 'name', 'description', 'status', 'parent_id', 'owner_id', 'creator_id', 'release_id', 'team_iteration_id', 'created_at', 'updated_at'], 'work items');
      const itemsOf: number[][] = Array.from({ length: s.projects }, () => []);
      const itemTypes: string[] = []; // by id - base.work_items - 1
      const perProject = Math.ceil(s.workItems / s.projects);
      let itemId = base.work_items!;
      for (let p = 0; p < s.projects && itemId - base.work_items! < s.workItems; p += 1) {
        const byType = new Map<string, number[]>();
        for (let j = 0; j < perProject && itemId - base.work_items! < s.workItems; j += 1) {
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
            staffId(int(s.staff)), staffId(int(s.staff)), rand() < 0.5 ? base.releases! + p * 3 + int(3) + 1 : null,
            rand() < 0.5 ? base.team_iterations! + p * 6 + int(6) + 1 : null, iso(created), iso(created + int(30) * DAY),
          ]);
        }
      }
      await finish(items, 'work_items');

      // Requests, decided in memory first: votes must be known before vote_count is written.
      const n = s.requests;
      const reqRequester = new Int32Array(n);
      const reqProject = new Int32Array(n);
      const reqVisibility = new Uint8Array(n); // 0 private, 1 company, 2 public
      const reqType = new Uint8Array(n); // 0 issue, 1 question, 2 idea
      const reqCreated = new Float64Array(n);
      const reqLast = new Float64Array(n);
      const publicPortal: number[] = [];
      const companyShared: number[][] = Array.from({ length: s.companies }, () => []);
      for (let r = 0; r < n; r += 1) {
        // The first requester always has a few requests of their own (the benchmark signs in as them).
        const who = r % 2000 === 0 ? 0 : int(s.requesters);
        const project = rand() < 0.9 || other.length === 0 ? portal[int(portal.length)]! : other[int(other.length)]!;
        const roll = rand();
        const type = roll < 0.5 ? 0 : roll < 0.75 ? 1 : 2;
        let visibility = type === 2 ? (rand() < 0.9 ? 2 : 1) : rand() < 0.7 ? 0 : rand() < 0.75 ? 1 : 2;
        if (visibility === 1 && companyOf(who) < 0) visibility = 0;
        const created = now - Math.pow(rand(), 1.5) * 730 * DAY;
        reqRequester[r] = who;
        reqProject[r] = project;
        reqVisibility[r] = visibility;
        reqCreated[r] = created;
        reqLast[r] = created + rand() * 0.5 * (now - created);
        if (visibility === 2 && portal.includes(project)) publicPortal.push(r);
        if (visibility === 1) companyShared[companyOf(who)]!.push(r);
        reqType[r] = type;
      }

      // Votes only where the voter may see the request: popular public ideas, or their company's.
      const voteKeys = new Set<number>();
      const voteCount = new Int32Array(n);
      for (let attempts = 0; voteKeys.size < s.votes && attempts < s.votes * 4; attempts += 1) {
        const voter = int(s.requesters);
        const shared = companyOf(voter) < 0 ? undefined : companyShared[companyOf(voter)];
        let r: number | undefined;
        if (rand() < 0.85 || !shared?.length) r = publicPortal.length ? publicPortal[Math.floor(publicPortal.length * Math.pow(rand(), 3))] : undefined;
        else r = shared[int(shared.length)];
        if (r === undefined) break;
        const key = r * s.requesters + voter;
        if (voteKeys.has(key)) continue;
        voteKeys.add(key);
        voteCount[r]! += 1;
      }

      const requests = writer('requests', ['id', 'project_id', 'requester_id', 'company_id', 'assignee_id', 'type', 'title', 'description', 'status', 'visibility', 'vote_count', 'created_at', 'updated_at', 'last_activity_at']);
      const linked: [number, number, string][] = [];
      const requestId = (r: number) => base.requests! + r + 1;
      for (let r = 0; r < n; r += 1) {
        const roll = rand();
        const status = STATUSES[STATUS_WEIGHTS.findIndex((w) => roll < w)] ?? 'open';
        const c = companyOf(reqRequester[r]!);
        const last = iso(reqLast[r]!);
        await requests.push([
          requestId(r), projectId(reqProject[r]!), requesterId(reqRequester[r]!), c < 0 ? null : base.companies! + c + 1,
          status === 'new' ? null : staffId(1 + int(s.staff - 1)), TYPE_NAMES[reqType[r]!]!, `${pick(SUBJECT)} ${pick(PROBLEM)}`,
          pick(SENTENCE), status, VISIBILITY_NAMES[reqVisibility[r]!]!, voteCount[r]!, iso(reqCreated[r]!), last, last,
        ]);
        const linkable = itemsOf[reqProject[r]!]!;
        if (linkable.length && rand() < 0.15) linked.push([requestId(r), linkable[int(linkable.length)]!, last]);
      }
      await finish(requests, 'requests');
      // Written as rows, so counted for the dashboards' tallies in one pass afterwards.
      let tallied = 0;
      await rebuildRequestTallies(trx, (counted) => {
        report('tallies')(counted - tallied);
        tallied = counted;
      });
      const links = writer('request_work_items', ['request_id', 'work_item_id', 'created_at'], 'requests');
      for (const link of linked) await links.push(link);
      await finish(links, 'request_work_items');

      const votes = writer('votes', ['id', 'request_id', 'requester_id', 'created_at']);
      const sortedVotes = Float64Array.from(voteKeys).sort();
      voteKeys.clear();
      let voteId = base.votes!;
      for (const key of sortedVotes) {
        const r = Math.floor(key / s.requesters);
        const created = reqCreated[r]!;
        await votes.push([++voteId, requestId(r), requesterId(key % s.requesters), iso(created + rand() * (now - created))]);
      }
      await finish(votes, 'votes');

      // Comments: half from the customer, half from staff (four in ten of those internal).
      const comments = writer('comments', ['id', 'request_id', 'work_item_id', 'author_id', 'body', 'internal', 'created_at']);
      const commented = n ? Int32Array.from({ length: s.comments }, () => int(n)).sort() : new Int32Array(0);
      let commentId = base.comments!;
      for (const r of commented) {
        const staffAuthor = rand() < 0.5;
        const internal = staffAuthor && rand() < 0.4;
        const at = reqCreated[r]! + rand() * (reqLast[r]! - reqCreated[r]!);
        await comments.push([++commentId, requestId(r), null, staffAuthor ? staffId(1 + int(s.staff - 1)) : requesterId(reqRequester[r]!), internal ? `INTERNAL: ${pick(SENTENCE)}` : pick(SENTENCE), internal, iso(at)]);
      }
      await finish(comments, 'comments');

      // Dashboards: 2 in 10 open, 3 view_open, 5 restricted; the first is the benchmark's sample.
      const dashboards = writer('dashboards', ['id', 'name', 'owner_id', 'restriction', 'created_at', 'updated_at']);
      const widgetRows: Row[] = [];
      const dashboardId = (d: number) => base.dashboards! + d + 1;
      const shareable: number[] = [];
      const ownerOf = new Int32Array(s.dashboards);
      let widgetId = base.dashboard_widgets!;
      for (let d = 0; d < s.dashboards; d += 1) {
        const restriction = d === 0 ? 'restricted' : ['open', 'open', 'view_open', 'view_open', 'view_open'][d % 10] ?? 'restricted';
        if (restriction !== 'open') shareable.push(d);
        ownerOf[d] = d === 0 ? 1 : int(s.staff);
        await dashboards.push([dashboardId(d), `${pick(PROJECT)} ${pick(['health', 'overview', 'backlog', 'SLA', 'ideas'])} ${d + 1}`, staffId(ownerOf[d]!), restriction, nowIso, nowIso]);
        for (const [position, kind] of KINDS.entries()) {
          const project = d === 0 ? 0 : rand() < 0.8 ? portal[int(portal.length)]! : null;
          widgetRows.push([++widgetId, dashboardId(d), kind, WIDGET_KINDS[kind].label, position, project === null ? null : projectId(project), d === 0 || rand() < 0.9 ? 'viewer_company' : 'all', '{}']);
        }
      }
      await finish(dashboards, 'dashboards');
      const widgets = writer('dashboard_widgets', ['id', 'dashboard_id', 'kind', 'title', 'position', 'project_id', 'data_scope', 'options'], 'dashboards');
      for (const row of widgetRows) await widgets.push(row);
      await finish(widgets, 'dashboard_widgets');

      // Grants, one person at a time: nine in ten to customers (view only), the rest to staff.
      const principalsTotal = s.staff + s.requesters;
      const grantKeys = new Set<number>();
      for (const d of shareable.slice(0, 5)) grantKeys.add(d * principalsTotal + s.staff);
      for (let attempts = 0; shareable.length && grantKeys.size < s.grants && attempts < s.grants * 4; attempts += 1) {
        const d = shareable[int(shareable.length)]!;
        const who = rand() < 0.9 ? s.staff + int(s.requesters) : int(s.staff);
        grantKeys.add(d * principalsTotal + who);
      }
      const grants = writer('dashboard_grants', ['id', 'dashboard_id', 'principal_id', 'level', 'created_by', 'created_at']);
      let grantId = base.dashboard_grants!;
      for (const key of Float64Array.from(grantKeys).sort()) {
        const d = Math.floor(key / principalsTotal);
        const who = key % principalsTotal;
        await grants.push([++grantId, dashboardId(d), base.principals! + who + 1, who >= s.staff || rand() < 0.5 ? 'view' : 'edit', staffId(ownerOf[d]!), nowIso]);
      }
      await finish(grants, 'dashboard_grants');

      // Direct Access grants of staff (not the administrator, who needs none) on single
      // requests (seven in ten) and work items, each mode equally often.
      const entityKeys = new Set<string>();
      const workTotal = itemId - base.work_items!;
      for (let attempts = 0; s.staff > 1 && entityKeys.size < s.entityGrants && attempts < s.entityGrants * 4; attempts += 1) {
        // A grant names the entity's own type: 'request', or the work item's type (epic, bug, ...).
        const onRequest = rand() < 0.7 || workTotal === 0;
        const item = int(workTotal);
        const entity = onRequest ? requestId(int(n)) : base.work_items! + item + 1;
        entityKeys.add(`${1 + int(s.staff - 1)}:${onRequest ? 'request' : itemTypes[item]}:${entity}`);
      }
      const entityGrants = writer('entity_permissions', ['id', 'entity_type', 'entity_id', 'principal_id', 'can_view', 'can_comment', 'can_edit', 'can_grant', 'created_by', 'created_at'], 'direct access');
      let entityGrantId = base.entity_permissions!;
      for (const key of entityKeys) {
        const [who, type, entity] = key.split(':') as [string, string, string];
        const mode = int(4);
        await entityGrants.push([++entityGrantId, type, Number(entity), staffId(Number(who)), true, mode >= 1, mode >= 2, mode >= 3, staffId(0), nowIso]);
      }
      await finish(entityGrants, 'entity_permissions');

      if (!sqlite) {
        // Ids were given explicitly: move each sequence past them.
        for (const t of ID_TABLES) await trx.raw(`SELECT setval(pg_get_serial_sequence('${t}', 'id'), GREATEST((SELECT MAX(id) FROM "${t}"), 1))`);
      }
      const firstOwn = reqRequester.findIndex((w) => w === 0);
      return {
        rows,
        password: LARGE_PASSWORD,
        logins: { administrator: staffEmail(0), user: staffEmail(1), observer: staffEmail(2), contributor: staffEmail(3), requester: requesterEmail(0) },
        sampleDashboardId: dashboardId(0),
        sampleRequestId: firstOwn >= 0 ? requestId(firstOwn) : 0,
      };
    });
    opts.onProgress?.({ phase: 'statistics', done, total: done });
    // Fresh statistics and visibility maps, as a settled production database has them
    // (PostgreSQL's autovacuum does the same in time; SQLite has no such daemon).
    await db.raw(sqlite ? 'ANALYZE' : 'VACUUM ANALYZE');
    return summary;
  } finally {
    if (sqlite) await db.raw('PRAGMA cache_size = -2000');
  }
}

/**
 * The customers' activity of the large seed: requests (and their tallies and linked work
 * items), votes and comments. Requests are decided in memory first so that each
 * vote_count equals its vote rows, and votes and comments are written in index order.
 */
import { rebuildRequestTallies } from '../../repositories/requestTallies';
import { DAY, SUBJECT, type SeedContext } from './context';
import type { Organisation } from './organisation';

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
const TYPE_NAMES = ['issue', 'question', 'idea'];
const VISIBILITY_NAMES = ['private', 'company', 'public'];
const STATUSES = ['new', 'open', 'in_progress', 'resolved', 'closed'] as const;
const STATUS_WEIGHTS = [0.15, 0.4, 0.6, 0.85, 1];

export interface Activity {
  requestId(r: number): number;
  /** The requester index of each request. */
  reqRequester: Int32Array;
}

export async function seedActivity(ctx: SeedContext, org: Organisation): Promise<Activity> {
  const { trx, s, base, rand, int, pick, now, iso, writer, finish, report } = ctx;
  const { portal, other, projectId, staffId, requesterId, companyOf, itemsOf } = org;
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

  const requests = writer('requests', ['id', 'project_id', 'requester_id', 'company_id', 'assignee_id', 'type', 'title', 'description', 'status', 'visibility', 'vote_count', 'created_at', 'updated_at', 'last_activity_at', 'customer_activity_at']);
  const linked: [number, number, string][] = [];
  const requestId = (r: number) => base.requests + r + 1;
  for (let r = 0; r < n; r += 1) {
    const roll = rand();
    const status = STATUSES[STATUS_WEIGHTS.findIndex((w) => roll < w)] ?? 'open';
    const c = companyOf(reqRequester[r]!);
    const last = iso(reqLast[r]!);
    await requests.push([
      requestId(r), projectId(reqProject[r]!), requesterId(reqRequester[r]!), c < 0 ? null : base.companies + c + 1,
      status === 'new' ? null : staffId(1 + int(s.staff - 1)), TYPE_NAMES[reqType[r]!]!, `${pick(SUBJECT)} ${pick(PROBLEM)}`,
      pick(SENTENCE), status, VISIBILITY_NAMES[reqVisibility[r]!]!, voteCount[r]!, iso(reqCreated[r]!), last, last, last,
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
  let voteId = base.votes;
  for (const key of sortedVotes) {
    const r = Math.floor(key / s.requesters);
    const created = reqCreated[r]!;
    await votes.push([++voteId, requestId(r), requesterId(key % s.requesters), iso(created + rand() * (now - created))]);
  }
  await finish(votes, 'votes');

  // Comments: half from the customer, half from staff (four in ten of those internal).
  const comments = writer('comments', ['id', 'request_id', 'work_item_id', 'author_id', 'body', 'internal', 'created_at']);
  const commented = n ? Int32Array.from({ length: s.comments }, () => int(n)).sort() : new Int32Array(0);
  let commentId = base.comments;
  for (const r of commented) {
    const staffAuthor = rand() < 0.5;
    const internal = staffAuthor && rand() < 0.4;
    const at = reqCreated[r]! + rand() * (reqLast[r]! - reqCreated[r]!);
    await comments.push([++commentId, requestId(r), null, staffAuthor ? staffId(1 + int(s.staff - 1)) : requesterId(reqRequester[r]!), internal ? `INTERNAL: ${pick(SENTENCE)}` : pick(SENTENCE), internal, iso(at)]);
  }
  await finish(comments, 'comments');

  return { requestId, reqRequester };
}

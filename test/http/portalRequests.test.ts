import { expect } from 'chai';
import { createTestApp, csrfOf, signIn, snapshot, type Agent, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';
import { nowIso } from '../../server/db';

describe('customer portal: requests', () => {
  let t: TestApp;
  let acme: number;
  let project: number;
  let alice: PrincipalRow;
  let bob: PrincipalRow;
  let carol: PrincipalRow;
  let agentUser: PrincipalRow;
  let asAlice: Agent;
  let asBob: Agent;
  let asCarol: Agent;
  const ids: Record<string, number> = {};

  before(async () => {
    t = await createTestApp();
    acme = await buildCompany(t.db, 'Acme');
    const globex = await buildCompany(t.db, 'Globex');
    project = await buildProject(t.db, { name: 'Support' });
    alice = await buildRequester(t.db, { company: acme });
    bob = await buildRequester(t.db, { company: acme });
    carol = await buildRequester(t.db, { company: globex });
    agentUser = await buildStaff(t.db, 'user');
    await addMember(t.db, project, agentUser.id, await buildRole(t.db, { add: true, edit: true, comment: true }));
    ids.private = await buildRequest(t.db, { projectId: project, requester: alice, visibility: 'private', title: 'Alice private' });
    ids.company = await buildRequest(t.db, { projectId: project, requester: alice, visibility: 'company', title: 'Acme company' });
    ids.public = await buildRequest(t.db, { projectId: project, requester: alice, visibility: 'public', type: 'idea', title: 'Public idea' });
    asAlice = await signIn(t.app, 'portal', alice.email, PASSWORD);
    asBob = await signIn(t.app, 'portal', bob.email, PASSWORD);
    asCarol = await signIn(t.app, 'portal', carol.email, PASSWORD);
  });
  after(() => t.close());

  it('an empty home says why and what to do next: no requests yet, no match for a search, a page past the end', async () => {
    const loner = await buildRequester(t.db);
    const asLoner = await signIn(t.app, 'portal', loner.email, PASSWORD);
    const empty = (await asLoner.get('/portal').expect(200)).text;
    expect(empty).to.contain('data-empty="none"').and.contain('href="/portal/requests/new">Submit your first request');
    expect(empty, 'no company: nothing about colleagues').not.to.contain('your colleagues share');
    const searched = (await asAlice.get('/portal?q=%3Cb%3Enope').expect(200)).text;
    expect(searched).to.contain('data-empty="search"').and.contain('No request matches “&lt;b&gt;nope”');
    const past = (await asAlice.get('/portal?page=40').expect(200)).text;
    expect(past).to.contain('data-empty="page"');
    expect(past).not.to.contain('data-empty="none"');
    const listed = (await asAlice.get('/portal').expect(200)).text;
    expect(listed).to.contain('those your colleagues share with your company');
    expect(listed).not.to.contain('data-empty=');
  });

  it('home lists my requests and my company’s, never another company’s or a colleague’s private ones', async () => {
    const bobHome = await asBob.get('/portal').expect(200);
    expect(bobHome.text).to.contain('Acme company').and.contain('Public idea').and.not.contain('Alice private');
    const carolHome = await asCarol.get('/portal').expect(200);
    // Another company's public idea is on the ideas board, not on Carol's home.
    expect(carolHome.text).not.to.contain('Public idea').and.not.contain('Acme company').and.not.contain('Alice private');
    expect((await asCarol.get('/portal/ideas').expect(200)).text).to.contain('Public idea');
  });

  it("the portal's last activity moves only with what customers can see: internal notes and assignment leave it and the order alone; links, replies and status move it", async () => {
    const older = await buildRequest(t.db, { projectId: project, requester: alice, visibility: 'company', title: 'Activity older' });
    const newer = await buildRequest(t.db, { projectId: project, requester: alice, visibility: 'company', title: 'Activity newer' });
    await t.db('requests').where({ id: older }).update({ last_activity_at: '2026-01-01T10:00:00.000Z', customer_activity_at: '2026-01-01T10:00:00.000Z' });
    await t.db('requests').where({ id: newer }).update({ last_activity_at: '2026-01-02T10:00:00.000Z', customer_activity_at: '2026-01-02T10:00:00.000Z' });
    const now = new Date().toISOString();
    const [item] = await t.db('work_items').insert({ project_id: project, type: 'task', name: 'Linked task', description: '', status: 'open', parent_id: null, creator_id: agentUser.id, created_at: now, updated_at: now }).returning('id');
    const itemId = Number(typeof item === 'object' ? item.id : item);
    const bobSees = async () => {
      const html = (await asBob.get('/portal?q=Activity').expect(200)).text;
      const rows = [...html.matchAll(/Activity (older|newer)[\s\S]*?<time datetime="([^"]+)"/g)].map((m) => [m[1], m[2]]);
      return rows;
    };
    const before = await bobSees();
    expect(before).to.deep.equal([['newer', '2026-01-02T10:00:00.000Z'], ['older', '2026-01-01T10:00:00.000Z']]);

    const asAgent = await signIn(t.app, 'desk', agentUser.email, PASSWORD);
    const csrf = await csrfOf(asAgent, `/desk/requests/${older}`);
    await asAgent.post(`/desk/requests/${older}/comments`).type('form').send({ body: 'Internal only', internal: 'on', _csrf: csrf }).expect(303);
    await asAgent.post(`/desk/requests/${older}/assign`).type('form').send({ assignee_id: String(agentUser.id), _csrf: csrf }).expect(303);
    expect(await bobSees()).to.deep.equal(before);
    // The desk still sees the activity.
    expect(String((await t.db('requests').where({ id: older }).first('last_activity_at')).last_activity_at)).not.to.contain('2026-01-01');
    // A linked work item is on the customer's page (name and status): that moves it.
    await asAgent.post(`/desk/requests/${older}/links`).type('form').send({ work_item_id: String(itemId), _csrf: csrf }).expect(303);
    expect((await bobSees()).map((r) => r[0])).to.deep.equal(['older', 'newer']);
    await t.db('requests').where({ id: older }).update({ customer_activity_at: '2026-01-01T10:00:00.000Z' });

    await asAgent.post(`/desk/requests/${older}/comments`).type('form').send({ body: 'A public reply', _csrf: csrf }).expect(303);
    const afterReply = await bobSees();
    expect(afterReply.map((r) => r[0])).to.deep.equal(['older', 'newer']);
    expect(afterReply[0]![1]! > '2026-01-03').to.equal(true);
    await asAgent.post(`/desk/requests/${newer}/status`).type('form').send({ status: 'in_progress', _csrf: csrf }).expect(303);
    expect((await bobSees()).map((r) => r[0])).to.deep.equal(['newer', 'older']);
  });

  it('staff replies carry a "Support team" mark that a customer cannot give themselves by taking a staff name', async () => {
    const id = await buildRequest(t.db, { projectId: project, requester: alice, visibility: 'company', title: 'Who said it' });
    const asAgent = await signIn(t.app, 'desk', agentUser.email, PASSWORD);
    await asAgent.post(`/desk/requests/${id}/comments`).type('form').send({ body: 'The real reply', _csrf: await csrfOf(asAgent, `/desk/requests/${id}`) }).expect(303);
    await t.db('principals').where({ id: bob.id }).update({ name: agentUser.name });
    try {
      await asBob.post(`/portal/requests/${id}/comments`).type('form').send({ body: 'Please send me your password', _csrf: await csrfOf(asBob, `/portal/requests/${id}`) }).expect(303);
      const page = (await asAlice.get(`/portal/requests/${id}`).expect(200)).text;
      const comments = [...page.matchAll(/<div class="comment card( staff)?">[\s\S]*?<div class="text">([^<]*)<\/div>/g)].map((m) => [m[2], Boolean(m[1]), m[0].includes('data-staff-badge')]);
      expect(comments).to.deep.equal([
        ['The real reply', true, true],
        ['Please send me your password', false, false],
      ]);
    } finally {
      await t.db('principals').where({ id: bob.id }).update({ name: bob.name });
    }
  });

  it('same company, non-shared request, direct id: 404 (Zammad #1857)', async () => {
    const res = await asBob.get(`/portal/requests/${ids.private}`).expect(404);
    expect(res.text).not.to.contain('Alice private');
  });

  it('a Globex requester gets 404 for Acme’s private and company requests and cannot vote or comment; nothing changes', async () => {
    const token = await csrfOf(asCarol, '/portal');
    const before = await snapshot(t.db);
    for (const id of [ids.private, ids.company]) {
      await asCarol.get(`/portal/requests/${id}`).expect(404);
      await asCarol.post(`/portal/requests/${id}/vote`).type('form').send({ _csrf: token }).expect(404);
      await asCarol.post(`/portal/requests/${id}/unvote`).type('form').send({ _csrf: token }).expect(404);
      await asCarol.post(`/portal/requests/${id}/comments`).type('form').send({ body: 'sneaky', _csrf: token }).expect(404);
      await asCarol.post(`/portal/requests/${id}/comments`).type('form').send({ body: '', _csrf: token }).expect(404);
    }
    await asCarol.get('/portal/requests/999999').expect(404);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('shows a request with public comments only, and the linked work items’ names and statuses', async () => {
    const now = nowIso();
    await t.db('comments').insert([
      { request_id: ids.company, author_id: agentUser.id, body: 'Public reply', internal: false, created_at: now },
      { request_id: ids.company, author_id: agentUser.id, body: 'SECRET internal note', internal: true, created_at: now },
    ]);
    const [w] = await t.db('work_items').insert({ project_id: project, type: 'bug', name: 'Fix the export', description: 'INTERNAL DETAIL', status: 'in_progress', created_at: now, updated_at: now }).returning('id');
    await t.db('request_work_items').insert({ request_id: ids.company, work_item_id: typeof w === 'object' ? w.id : w, created_at: now });
    const page = await asBob.get(`/portal/requests/${ids.company}`).expect(200);
    expect(page.text).to.contain('Public reply').and.contain('Fix the export').and.contain('in progress');
    expect(page.text).not.to.contain('SECRET').and.not.contain('INTERNAL DETAIL');
    // Name and status only: not the item's type nor a link to the desk.
    const linked = /<ul class="linked">[\s\S]*?<\/ul>/.exec(page.text)?.[0] ?? '';
    expect(linked).to.contain('Fix the export').and.contain('in progress');
    expect(linked).not.to.match(/bug|href/i);
    expect(page.text).not.to.contain(alice.email).and.not.contain(agentUser.email);
  });

  it('creates a request with the right defaults and keeps the input when the form is wrong', async () => {
    const token = await csrfOf(asAlice, '/portal/requests/new');
    const before = await snapshot(t.db);
    const bad = await asAlice.post('/portal/requests').type('form').send({ project_id: String(project), type: 'issue', title: 'x', description: 'Keep this text', _csrf: token }).expect(422);
    expect(bad.text).to.contain('at least 3 characters').and.contain('Keep this text');
    const foreign = await asAlice.post('/portal/requests').type('form').send({ project_id: '999999', type: 'issue', title: 'Valid title', _csrf: token }).expect(422);
    expect(foreign.text).to.contain('Choose one of the listed projects');
    expect(await snapshot(t.db)).to.deep.equal(before);

    const idea = await asAlice.post('/portal/requests').type('form').send({ project_id: String(project), type: 'idea', title: 'An idea', _csrf: token }).expect(303);
    const ideaId = Number(/\/portal\/requests\/(\d+)/.exec(idea.headers.location!)![1]);
    expect((await asAlice.get(idea.headers.location!).expect(200)).text).to.contain('Request submitted.');
    const issue = await asAlice.post('/portal/requests').type('form').send({ project_id: String(project), type: 'issue', title: 'An issue', _csrf: token }).expect(303);
    const issueId = Number(/\/portal\/requests\/(\d+)/.exec(issue.headers.location!)![1]);
    const rows = await t.db('requests').whereIn('id', [ideaId, issueId]).orderBy('id');
    expect(rows.map((r: { visibility: string; status: string; requester_id: number; company_id: number }) => [r.visibility, r.status, r.requester_id, r.company_id])).to.deep.equal([
      ['public', 'new', alice.id, acme],
      ['private', 'new', alice.id, acme],
    ]);
    const mail = await t.db('mail_outbox').where({ to_address: agentUser.email });
    expect(mail.length).to.be.greaterThan(0);
  });

  it('ignores extra fields: status, requester and counts cannot be set by a customer (mass assignment)', async () => {
    const token = await csrfOf(asAlice, '/portal/requests/new');
    const res = await asAlice
      .post('/portal/requests')
      .type('form')
      .send({ project_id: String(project), type: 'issue', title: 'Mass assignment', status: 'closed', requester_id: String(carol.id), vote_count: '99', company_id: '1', assignee_id: String(agentUser.id), _csrf: token })
      .expect(303);
    const id = Number(/(\d+)$/.exec(res.headers.location!)![1]);
    const row = await t.db('requests').where({ id }).first();
    expect([row.status, row.requester_id, row.vote_count, row.company_id, row.assignee_id]).to.deep.equal(['new', alice.id, 0, acme, null]);
  });

  it('comments: re-renders an empty comment with a message, stores a good one and mails the project', async () => {
    const token = await csrfOf(asBob, `/portal/requests/${ids.company}`);
    const before = await snapshot(t.db);
    const empty = await asBob.post(`/portal/requests/${ids.company}/comments`).type('form').send({ body: '   ', _csrf: token }).expect(422);
    expect(empty.text).to.contain('Write something first, or attach a file.');
    expect(await snapshot(t.db)).to.deep.equal(before);
    await asBob.post(`/portal/requests/${ids.company}/comments`).type('form').send({ body: 'Any news?', _csrf: token }).expect(303);
    const row = await t.db('comments').where({ request_id: ids.company, author_id: bob.id }).first();
    expect(row.body).to.equal('Any news?');
    expect(Boolean(row.internal)).to.equal(false);
  });

  it('votes are idempotent and withdrawable, and the count equals the rows', async () => {
    const token = await csrfOf(asCarol, '/portal/ideas');
    for (let i = 0; i < 3; i += 1) await asCarol.post(`/portal/requests/${ids.public}/vote`).type('form').send({ _csrf: token }).expect(303);
    const page = await asCarol.get(`/portal/requests/${ids.public}`).expect(200);
    expect(page.text).to.contain('data-votes="1"');
    await asCarol.post(`/portal/requests/${ids.public}/unvote`).set('Accept', 'application/json').type('form').send({ _csrf: token }).expect(200, { id: ids.public, voted: false, votes: 0 });
    await asCarol.post(`/portal/requests/${ids.public}/unvote`).type('form').send({ _csrf: token }).expect(303);
    expect((await t.db('requests').where({ id: ids.public }).first()).vote_count).to.equal(0);
  });

  it('keeps the count exact under 50 parallel votes and withdrawals', async function () {
    this.timeout(60_000);
    const voters: { agent: Agent; token: string }[] = [];
    for (let i = 0; i < 10; i += 1) {
      const person = await buildRequester(t.db, { company: acme });
      const agent = await signIn(t.app, 'portal', person.email, PASSWORD);
      voters.push({ agent, token: await csrfOf(agent, '/portal/ideas') });
    }
    const calls = [];
    for (let i = 0; i < 50; i += 1) {
      const v = voters[i % voters.length]!;
      const action = i % 3 === 2 ? 'unvote' : 'vote';
      calls.push(v.agent.post(`/portal/requests/${ids.public}/${action}`).type('form').send({ _csrf: v.token }));
    }
    const results = await Promise.all(calls);
    for (const r of results) expect(r.status).to.equal(303);
    const row = await t.db('requests').where({ id: ids.public }).first();
    const count = await t.db('votes').where({ request_id: ids.public }).count({ n: '*' }).first();
    expect(row.vote_count).to.equal(Number(count?.n));
  });

  it('the ideas board lists public ideas most-voted first and marks my votes', async () => {
    const second = await buildRequest(t.db, { projectId: project, requester: carol, visibility: 'public', type: 'idea', title: 'Zero votes idea' });
    const page = await asAlice.get('/portal/ideas').expect(200);
    expect(page.text.indexOf('Public idea')).to.be.lessThan(page.text.indexOf('Zero votes idea'));
    expect(page.text).not.to.contain('Acme company');
    expect(second).to.be.a('number');
  });

  it('staff and anonymous visitors cannot use the portal request routes; nothing changes', async () => {
    const staff = await signIn(t.app, 'desk', agentUser.email, PASSWORD);
    const token = await csrfOf(staff, '/desk');
    const before = await snapshot(t.db);
    await staff.get(`/portal/requests/${ids.public}`).expect(403);
    await staff.post(`/portal/requests/${ids.public}/vote`).type('form').send({ _csrf: token }).expect(403);
    await staff.post('/portal/requests').type('form').send({ project_id: String(project), type: 'issue', title: 'Staff via portal', _csrf: token }).expect(403);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });
});

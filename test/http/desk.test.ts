import { expect } from 'chai';
import { createTestApp, csrfOf, signIn, snapshot, type Agent, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';
import { COMPANY_CHOICES_MAX } from '../../server/repositories/queue';
import { rebuildRequestTallies } from '../../server/repositories/requestTallies';

describe('staff desk', () => {
  let t: TestApp;
  let support: number;
  let secret: number;
  let acme: number;
  let alice: PrincipalRow;
  let member: PrincipalRow;
  let outsider: PrincipalRow;
  let asMember: Agent;
  let asObserver: Agent;
  let asOutsider: Agent;
  let token: string;
  const ids: Record<string, number> = {};

  before(async () => {
    t = await createTestApp();
    acme = await buildCompany(t.db, 'Acme');
    const globex = await buildCompany(t.db, 'Globex');
    support = await buildProject(t.db, { name: 'Support' });
    secret = await buildProject(t.db, { name: 'Secret', isPrivate: true, portalEnabled: false });
    alice = await buildRequester(t.db, { company: acme });
    const carol = await buildRequester(t.db, { company: globex });
    member = await buildStaff(t.db, 'user');
    outsider = await buildStaff(t.db, 'user');
    const observer = await buildStaff(t.db, 'observer');
    const full = await buildRole(t.db, { add: true, edit: true, delete: true, comment: true });
    await addMember(t.db, support, member.id, full);
    await addMember(t.db, secret, member.id, full);
    ids.a = await buildRequest(t.db, { projectId: support, requester: alice, title: 'Printer jam', status: 'new' });
    ids.b = await buildRequest(t.db, { projectId: support, requester: carol, title: 'Login broken', status: 'open', type: 'question' });
    ids.c = await buildRequest(t.db, { projectId: secret, requester: alice, title: 'Secret matter', status: 'open' });
    asMember = await signIn(t.app, 'desk', member.email, PASSWORD);
    asObserver = await signIn(t.app, 'desk', observer.email, PASSWORD);
    asOutsider = await signIn(t.app, 'desk', outsider.email, PASSWORD);
    token = await csrfOf(asMember, '/desk');
  });
  after(() => t.close());

  it('the queue filters, searches and counts per status within what the viewer may see', async () => {
    const all = await asMember.get('/desk').expect(200);
    expect(all.text).to.contain('Printer jam').and.contain('Login broken').and.contain('Secret matter');
    expect(all.text).to.contain('data-count="open">2<').and.contain('data-count="new">1<');
    const open = await asMember.get('/desk?status=open').expect(200);
    expect(open.text).to.contain('Login broken').and.not.contain('Printer jam');
    const byCompany = await asMember.get(`/desk?company=${acme}`).expect(200);
    expect(byCompany.text).to.contain('Printer jam').and.not.contain('Login broken');
    const byType = await asMember.get('/desk?type=question').expect(200);
    expect(byType.text).to.contain('Login broken').and.not.contain('Printer jam');
    const search = await asMember.get('/desk?q=PRINTER').expect(200);
    expect(search.text).to.contain('Printer jam').and.not.contain('Login broken');
    const byId = await asMember.get(`/desk?q=%23${ids.b}`).expect(200);
    expect(byId.text).to.contain('Login broken').and.not.contain('Printer jam');
    const observer = await asObserver.get('/desk').expect(200);
    expect(observer.text).to.contain('Printer jam').and.not.contain('Secret matter');
    expect(observer.text).to.contain('data-count="open">1<');
    const outsiderQueue = await asOutsider.get('/desk').expect(200);
    expect(outsiderQueue.text).not.to.contain('Printer jam').and.not.contain('Secret matter');
  });

  it('the filter form\'s empty fields leave the address: it names only what was chosen', async () => {
    const res = await asMember.get('/desk?q=&type=&project=&company=&assignee=&sort=activity&status=open').expect(302);
    expect(res.headers.location).to.equal('/desk?status=open');
    expect((await asMember.get('/desk?q=&sort=activity').expect(302)).headers.location).to.equal('/desk');
    expect((await asMember.get('/desk?sort=votes&q=').expect(302)).headers.location).to.equal('/desk?sort=votes');
    await asMember.get('/desk?status=open&sort=votes').expect(200);
  });

  it(`past ${COMPANY_CHOICES_MAX} companies the company filter is a name search, within what the viewer may see`, async () => {
    const companies = await t.db('companies').count({ n: '*' }).first();
    const missing = COMPANY_CHOICES_MAX + 1 - Number(companies?.n ?? 0);
    const now = new Date().toISOString();
    await t.db('companies').insert(Array.from({ length: missing }, (_, i) => ({ name: `Filler ${i}`, created_at: now })));
    const page = await asMember.get('/desk').expect(200);
    expect(page.text).to.contain('name="company_name"').and.not.contain('<select id="company"');
    const byName = await asMember.get('/desk?company_name=ACM').expect(200);
    expect(byName.text).to.contain('Printer jam').and.not.contain('Login broken');
    expect(byName.text).to.contain('value="ACM"');
    const literal = await asMember.get('/desk?company_name=%25').expect(200);
    expect(literal.text).not.to.contain('Printer jam');
    const byId = await asMember.get(`/desk?company=${acme}`).expect(200);
    expect(byId.text).to.contain('Printer jam').and.contain(`name="company" value="${acme}"`);
    expect(byId.text).not.to.contain('Login broken');
    const outsiderQueue = await asOutsider.get('/desk?company_name=acme').expect(200);
    expect(outsiderQueue.text).not.to.contain('Printer jam');
  });

  it('a reply is mailed to the requester, an internal note is not and stays off the portal', async () => {
    const replied = await asMember.post(`/desk/requests/${ids.a}/comments`).type('form').send({ body: 'We are on it', _csrf: token }).expect(303);
    const noted = await asMember.post(`/desk/requests/${ids.a}/comments`).type('form').send({ body: 'Internal: toner supplier issue', internal: 'true', _csrf: token }).expect(303);
    // Each change says it went through on the page it returns to.
    expect((await asMember.get(replied.headers.location!).expect(200)).text).to.contain('Reply sent.');
    expect((await asMember.get(noted.headers.location!).expect(200)).text).to.contain('Internal note added');
    expect((await asMember.get(`/desk/requests/${ids.a}?done=bogus`).expect(200)).text).not.to.contain('class="notice"');
    const mails = await t.db('mail_outbox').where({ to_address: alice.email });
    expect(mails.map((m: { text_body: string }) => m.text_body).join('\n')).to.contain('We are on it').and.not.contain('toner');
    const page = await asMember.get(`/desk/requests/${ids.a}`).expect(200);
    expect(page.text).to.contain('Internal: toner supplier issue').and.contain('data-internal');
    const portal = await signIn(t.app, 'portal', alice.email, PASSWORD);
    const customerView = await portal.get(`/portal/requests/${ids.a}`).expect(200);
    expect(customerView.text).to.contain('We are on it').and.not.contain('toner');
  });

  it('in the desk a customer’s comment is marked "Customer" and a staff reply is not', async () => {
    const portal = await signIn(t.app, 'portal', alice.email, PASSWORD);
    const portalCsrf = await csrfOf(portal, `/portal/requests/${ids.a}`);
    await portal.post(`/portal/requests/${ids.a}/comments`).type('form').send({ body: 'Customer says: still jammed', _csrf: portalCsrf }).expect(303);
    await asMember.post(`/desk/requests/${ids.a}/comments`).type('form').send({ body: 'Staff says: replacing the roller', _csrf: token }).expect(303);
    const html = (await asMember.get(`/desk/requests/${ids.a}`).expect(200)).text;
    const cardOf = (body: string) => [...html.matchAll(/<div class="comment card[^"]*"[\s\S]*?<\/div>\s*<div class="text">([^<]*)<\/div>/g)].find((m) => m[1] === body)?.[0] ?? '';
    expect(cardOf('Customer says: still jammed')).to.contain('data-customer-badge').and.contain('>Customer<');
    expect(cardOf('Staff says: replacing the roller')).to.have.length.above(0).and.not.contain('data-customer-badge');
  });

  it('status changes are mailed to the requester; a bad status is refused with a message', async () => {
    const changed = await asMember.post(`/desk/requests/${ids.a}/status`).type('form').send({ status: 'in_progress', _csrf: token }).expect(303);
    const after = (await asMember.get(changed.headers.location!).expect(200)).text;
    expect(after).to.contain('Status changed.');
    // The request keeps a history of it: who, from what, to what.
    expect(after).to.match(new RegExp(`data-history="status"[^]*${member.name}\\s*changed the status from \\w+ to in progress`));
    expect((await t.db('requests').where({ id: ids.a }).first()).status).to.equal('in_progress');
    const mail = await t.db('mail_outbox').where({ to_address: alice.email }).andWhere('subject', 'like', '%in progress%');
    expect(mail).to.have.length(1);
    // The same status again changes nothing and says so: no history line, no mail, no new activity.
    const unchangedBefore = await snapshot(t.db);
    const same = await asMember.post(`/desk/requests/${ids.a}/status`).type('form').send({ status: 'in_progress', _csrf: token }).expect(303);
    expect((await asMember.get(same.headers.location!).expect(200)).text).to.contain('Nothing changed: it was already so.').and.not.contain('Status changed.');
    expect(await snapshot(t.db)).to.deep.equal(unchangedBefore);
    const assigned = await asMember.post(`/desk/requests/${ids.a}/assign`).type('form').send({ assignee_id: String(member.id), _csrf: token }).expect(303);
    expect((await asMember.get(assigned.headers.location!).expect(200)).text).to.contain('Assignee changed.');
    const afterAssign = await snapshot(t.db);
    const sameAssignee = await asMember.post(`/desk/requests/${ids.a}/assign`).type('form').send({ assignee_id: String(member.id), _csrf: token }).expect(303);
    expect((await asMember.get(sameAssignee.headers.location!).expect(200)).text).to.contain('Nothing changed');
    expect(await snapshot(t.db)).to.deep.equal(afterAssign);
    const before = await snapshot(t.db);
    const bad = await asMember.post(`/desk/requests/${ids.a}/status`).type('form').send({ status: 'deleted', _csrf: token }).expect(422);
    expect(bad.text).to.contain('Choose a status from the list.');
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('assigns only to staff who work on the project (ids in the form are checked)', async () => {
    const before = await snapshot(t.db);
    await asMember.post(`/desk/requests/${ids.a}/assign`).type('form').send({ assignee_id: String(outsider.id), _csrf: token }).expect(422);
    await asMember.post(`/desk/requests/${ids.a}/assign`).type('form').send({ assignee_id: String(alice.id), _csrf: token }).expect(422);
    await asMember.post(`/desk/requests/${ids.a}/assign`).type('form').send({ assignee_id: '999999', _csrf: token }).expect(422);
    expect(await snapshot(t.db)).to.deep.equal(before);
    await asMember.post(`/desk/requests/${ids.a}/assign`).type('form').send({ assignee_id: String(member.id), _csrf: token }).expect(303);
    expect((await t.db('requests').where({ id: ids.a }).first()).assignee_id).to.equal(member.id);
    const mine = await asMember.get(`/desk?assignee=${member.id}`).expect(200);
    expect(mine.text).to.contain('Printer jam').and.not.contain('Login broken');
    // Assigned, then unassigned: both in the request's history; the same assignee again adds nothing.
    await asMember.post(`/desk/requests/${ids.a}/assign`).type('form').send({ assignee_id: String(member.id), _csrf: token }).expect(303);
    await asMember.post(`/desk/requests/${ids.a}/assign`).type('form').send({ assignee_id: '', _csrf: token }).expect(303);
    const events = await t.db('request_events').where({ request_id: ids.a, kind: 'assignee' }).orderBy('id');
    expect(events.map((e: { from_principal_id: number | null; to_principal_id: number | null }) => [e.from_principal_id, e.to_principal_id])).to.deep.equal([
      [null, member.id],
      [member.id, null],
    ]);
    const page = (await asMember.get(`/desk/requests/${ids.a}`).expect(200)).text;
    expect(page).to.contain(`assigned it to ${member.name}`).and.contain(`unassigned ${member.name}`);
  });

  it('creates work items, refuses a parent cycle, and links and unlinks them to requests', async () => {
    const created = await asMember
      .post('/desk/work-items')
      .type('form')
      .send({ project_id: String(support), type: 'epic', name: 'Printing', status: 'open', _csrf: token })
      .expect(303);
    const epic = Number(/(\d+)$/.exec(created.headers.location!)![1]);
    const child = await asMember
      .post('/desk/work-items')
      .type('form')
      .send({ project_id: String(support), type: 'bug', name: 'Jam sensor', status: 'open', parent_id: String(epic), _csrf: token })
      .expect(303);
    const bug = Number(/(\d+)$/.exec(child.headers.location!)![1]);
    const before = await snapshot(t.db);
    const cycle = await asMember.post(`/desk/work-items/${epic}`).type('form').send({ name: 'Printing', status: 'open', parent_id: String(bug), _csrf: token }).expect(422);
    expect(cycle.text).to.contain('cannot be placed under itself');
    await asMember.post('/desk/work-items').type('form').send({ project_id: String(support), type: 'nonsense', name: 'X', status: 'open', _csrf: token }).expect(422);
    expect(await snapshot(t.db)).to.deep.equal(before);
    const epicPage = await asMember.get(`/desk/work-items/${epic}`).expect(200);
    expect(epicPage.text).to.contain('Jam sensor');

    await asMember.post(`/desk/requests/${ids.a}/links`).type('form').send({ work_item_id: String(bug), _csrf: token }).expect(303);
    // The work item lists the requests it serves, linked to their pages.
    const bugPage = await asMember.get(`/desk/work-items/${bug}`).expect(200);
    expect(bugPage.text).to.contain('1 linked request').and.contain(`href="/desk/requests/${ids.a}"`).and.contain('Printer jam');
    const portal = await signIn(t.app, 'portal', alice.email, PASSWORD);
    expect((await portal.get(`/portal/requests/${ids.a}`)).text).to.contain('Jam sensor');
    await asMember.post(`/desk/requests/${ids.a}/links/${bug}/delete`).type('form').send({ _csrf: token }).expect(303);
    expect((await portal.get(`/portal/requests/${ids.a}`)).text).not.to.contain('Jam sensor');
  });

  it('two items moved under each other at the same moment: one move is made, the other refused, never a cycle', async () => {
    const make = async (name: string) => {
      const res = await asMember.post('/desk/work-items').type('form').send({ project_id: String(support), type: 'feature', name, status: 'open', _csrf: token }).expect(303);
      return Number(/(\d+)$/.exec(res.headers.location!)![1]);
    };
    for (let round = 0; round < 5; round += 1) {
      const a = await make(`Left ${round}`);
      const b = await make(`Right ${round}`);
      const move = (item: number, parent: number) =>
        asMember.post(`/desk/work-items/${item}`).type('form').send({ name: `Moved ${item}`, status: 'open', parent_id: String(parent), _csrf: token });
      const statuses = (await Promise.all([move(a, b), move(b, a)])).map((r) => r.status).sort();
      expect(statuses).to.deep.equal([303, 422]);
      const parents = await t.db('work_items').whereIn('id', [a, b]).orderBy('id').pluck('parent_id');
      expect(parents.filter((p) => p !== null)).to.have.length(1);
    }
  });

  it('an observer views but every change is 403 and writes nothing', async () => {
    const obsToken = await csrfOf(asObserver, '/desk');
    await asObserver.get(`/desk/requests/${ids.a}`).expect(200);
    const before = await snapshot(t.db);
    await asObserver.post(`/desk/requests/${ids.a}/comments`).type('form').send({ body: 'hi', _csrf: obsToken }).expect(403);
    await asObserver.post(`/desk/requests/${ids.a}/comments`).type('form').send({ body: 'hi', internal: 'true', _csrf: obsToken }).expect(403);
    await asObserver.post(`/desk/requests/${ids.a}/status`).type('form').send({ status: 'closed', _csrf: obsToken }).expect(403);
    await asObserver.post(`/desk/requests/${ids.a}/assign`).type('form').send({ assignee_id: '', _csrf: obsToken }).expect(403);
    await asObserver.post('/desk/work-items').type('form').send({ project_id: String(support), type: 'bug', name: 'Obs', status: 'open', _csrf: obsToken }).expect(403);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('a user outside the project gets 404 on its requests and every action on them; nothing changes', async () => {
    const tok = await csrfOf(asOutsider, '/desk');
    const before = await snapshot(t.db);
    for (const id of [ids.a, ids.c]) {
      await asOutsider.get(`/desk/requests/${id}`).expect(404);
      await asOutsider.post(`/desk/requests/${id}/comments`).type('form').send({ body: 'x', _csrf: tok }).expect(404);
      await asOutsider.post(`/desk/requests/${id}/status`).type('form').send({ status: 'closed', _csrf: tok }).expect(404);
      await asOutsider.post(`/desk/requests/${id}/assign`).type('form').send({ assignee_id: String(outsider.id), _csrf: tok }).expect(404);
      await asOutsider.post(`/desk/requests/${id}/links`).type('form').send({ work_item_id: '1', _csrf: tok }).expect(404);
    }
    await asObserver.get(`/desk/requests/${ids.c}`).expect(404);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('a requester gets 403 on every desk route and nothing changes', async () => {
    const portal = await signIn(t.app, 'portal', alice.email, PASSWORD);
    const tok = await csrfOf(portal, '/portal');
    const before = await snapshot(t.db);
    for (const path of ['/desk', `/desk/requests/${ids.a}`, '/desk/work-items', '/desk/work-items/new']) await portal.get(path).expect(403);
    await portal.post(`/desk/requests/${ids.a}/comments`).type('form').send({ body: 'x', internal: 'true', _csrf: tok }).expect(403);
    await portal.post(`/desk/requests/${ids.a}/status`).type('form').send({ status: 'closed', _csrf: tok }).expect(403);
    expect(await snapshot(t.db)).to.deep.equal(before);
  });

  it('past 1,000 requests the tabs are exact from the tallies, a search says "1,000+", and paging goes on (run last: it adds 1,005 requests)', async () => {
    const now = new Date().toISOString();
    const rows = Array.from({ length: 1005 }, (_, i) => ({
      project_id: support, requester_id: alice.id, company_id: acme, type: 'issue', title: `Bulk ${i}`, description: '',
      status: 'in_progress', visibility: 'private', vote_count: 0, created_at: now, updated_at: now, last_activity_at: now,
    }));
    for (let i = 0; i < rows.length; i += 200) await t.db('requests').insert(rows.slice(i, i + 200));
    // Written around Portico, as an import would be: counted again as `npm run recount-requests` does.
    // Beside the one in progress already there.
    await rebuildRequestTallies(t.db);
    const all = await asMember.get('/desk').expect(200);
    expect(all.text).to.contain('data-count="in_progress">1,006<').and.contain('data-count="all">1,008<').and.contain('data-count="open">2<');
    const tab = await asMember.get('/desk?status=in_progress').expect(200);
    expect(tab.text).to.contain('1,006 requests').and.contain('Page 1 of 21<');
    const last = await asMember.get('/desk?status=in_progress&page=21').expect(200);
    expect(last.text).to.contain('Page 21 of 21<').and.not.contain('rel="next"');
    expect(last.text.match(/<tr/g)).to.have.length(1 + 6);
    // A search is counted from the rows, up to the cap.
    const searched = await asMember.get('/desk?q=bulk').expect(200);
    expect(searched.text).to.contain('data-count="in_progress">1,000+<').and.contain('data-count="all">1,000+<').and.contain('data-count="open">0<');
    const searchedTab = await asMember.get('/desk?status=in_progress&q=bulk').expect(200);
    expect(searchedTab.text).to.contain('More than 1,000 requests').and.contain('Page 1 of 20+');
    const later = await asMember.get('/desk?status=in_progress&q=bulk&page=21').expect(200);
    expect(later.text).to.contain('Bulk');
    const outsiderQueue = await asOutsider.get('/desk').expect(200);
    expect(outsiderQueue.text).to.contain('data-count="in_progress">0<');
  });
});

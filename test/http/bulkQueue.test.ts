/**
 * The queue's bulk change: tick requests, set a status, an assignee or both for all of them.
 * All or nothing; every change is the one its own page makes (history, mail after commit);
 * a refusal names the request, keeps the ticks and the queue's filters, and changes nothing.
 */
import { expect } from 'chai';
import { changedTables, createTestApp, csrfOf, fullState, signIn, type Agent, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildPrincipal, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import { writeSetting } from '../../server/repositories/settings';
import { insertEntityPermission } from '../../server/repositories/entityPermissions';
import type { PrincipalRow } from '../../server/repositories/principals';
import { requestNumbers } from '../../server/commands/bulkRequests';

describe('desk queue: bulk status and assignment', function () {
  this.timeout(60_000);
  let t: TestApp;
  let support: number;
  let billing: number;
  let customer: PrincipalRow;
  let agent: PrincipalRow;
  let colleague: PrincipalRow;
  let billingOnly: PrincipalRow;
  let asAgent: Agent;
  let asObserver: Agent;
  let asReader: Agent;
  let reader: PrincipalRow;

  before(async () => {
    t = await createTestApp();
    support = await buildProject(t.db, { name: 'Support' });
    billing = await buildProject(t.db, { name: 'Billing' });
    customer = await buildRequester(t.db, { company: await buildCompany(t.db) });
    const editor = await buildRole(t.db, { edit: true, comment: true });
    agent = await buildStaff(t.db, 'user');
    colleague = await buildStaff(t.db, 'user');
    billingOnly = await buildStaff(t.db, 'user');
    for (const p of [agent, colleague]) {
      await addMember(t.db, support, p.id, editor);
      await addMember(t.db, billing, p.id, editor);
    }
    await addMember(t.db, billing, billingOnly.id, editor);
    reader = await buildStaff(t.db, 'user');
    await addMember(t.db, support, reader.id, await buildRole(t.db, { comment: true }));
    asAgent = await signIn(t.app, 'desk', agent.email, PASSWORD);
    asObserver = await signIn(t.app, 'desk', (await buildStaff(t.db, 'observer')).email, PASSWORD);
    asReader = await signIn(t.app, 'desk', reader.email, PASSWORD);
  });
  after(() => t.close());

  const made = (title: string, projectId = support, status = 'new') => buildRequest(t.db, { projectId, requester: customer, title, status });
  const statusOf = async (id: number) => ((await t.db('requests').where({ id }).first('status')) as { status: string }).status;
  const assigneeOf = async (id: number) => {
    const row = (await t.db('requests').where({ id }).first('assignee_id')) as { assignee_id: unknown };
    return row.assignee_id == null ? null : Number(row.assignee_id);
  };
  const subjectsTo = async (email: string) => {
    await t.deps.mailer.drain();
    return (await t.db('mail_outbox').where({ to_address: email }).orderBy('id').select('subject')).map((m: { subject: string }) => m.subject);
  };

  /** Posts the bulk form as the queue page sends it: one `ids` field per tick. */
  async function bulk(as: Agent, ids: (number | string)[], fields: Record<string, string>, back = '') {
    const csrf = await csrfOf(as, '/desk');
    const body = new URLSearchParams({ _csrf: csrf, back, ...fields });
    for (const id of ids) body.append('ids', String(id));
    return as.post('/desk/requests/bulk').type('form').send(body.toString());
  }

  it('sets one status on every ticked request, each with its history and its customer mail, and says how many changed', async () => {
    const [a, b, c] = [await made('Bulk toner A'), await made('Bulk toner B', billing), await made('Bulk toner C', support, 'resolved')];
    const res = await bulk(asAgent, [a, b, c], { status: 'resolved' }, 'q=Bulk+toner&sort=oldest');
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal(`/desk?q=Bulk+toner&sort=oldest&done=bulk&changed=${a}%2C${b}&unchanged=1`);
    expect([await statusOf(a), await statusOf(b), await statusOf(c)]).to.deep.equal(['resolved', 'resolved', 'resolved']);
    const events = await t.db('request_events').whereIn('request_id', [a, b, c]).where({ kind: 'status' }).select('request_id');
    expect(events.map((e: { request_id: unknown }) => Number(e.request_id)).sort()).to.deep.equal([a, b].sort());
    const subjects = await subjectsTo(customer.email);
    expect(subjects).to.include(`Request #${a} is now resolved`).and.include(`Request #${b} is now resolved`);
    expect(subjects).not.to.include(`Request #${c} is now resolved`);
    const page = await asAgent.get(res.headers.location!).expect(200);
    expect(page.text).to.contain(`2 requests changed: #${a} and #${b}. 1 request was already so.`);
  });

  it('with "Email customers" unticked the status changes and no customer is mailed', async () => {
    const [a, b] = [await made('Quiet close A'), await made('Quiet close B')];
    const mailed = (await subjectsTo(customer.email)).length;
    const res = await bulk(asAgent, [a, b], { status: 'closed', email_customers: 'false' });
    expect(res.headers.location).to.equal(`/desk?done=bulk&changed=${a}%2C${b}&unchanged=0`);
    expect([await statusOf(a), await statusOf(b)]).to.deep.equal(['closed', 'closed']);
    expect((await subjectsTo(customer.email)).length).to.equal(mailed);
    // The box as the page sends it, ticked: its hidden "false" and then "true".
    const csrf = await csrfOf(asAgent, '/desk');
    await asAgent.post('/desk/requests/bulk').type('form').send(`_csrf=${encodeURIComponent(csrf)}&ids=${a}&ids=${b}&status=open&email_customers=false&email_customers=true`).expect(303);
    expect(await subjectsTo(customer.email)).to.include(`Request #${a} is now open`).and.include(`Request #${b} is now open`);
  });

  it('assigns or unassigns every ticked request; the new assignee gets one mail listing them', async () => {
    const [a, b] = [await made('Assign me A'), await made('Assign me B', billing)];
    const res = await bulk(asAgent, [a, b], { assignee_id: String(colleague.id) });
    expect(res.status).to.equal(303);
    expect(res.headers.location).to.equal(`/desk?done=bulk&changed=${a}%2C${b}&unchanged=0`);
    expect([await assigneeOf(a), await assigneeOf(b)]).to.deep.equal([colleague.id, colleague.id]);
    await t.deps.mailer.drain();
    const mails = (await t.db('mail_outbox').where({ to_address: colleague.email }).orderBy('id').select('subject', 'text_body')) as { subject: string; text_body: string }[];
    expect(mails.map((m) => m.subject)).to.deep.equal(['2 requests are assigned to you']);
    expect(mails[0]!.text_body).to.contain(`#${a} Assign me A\n`).and.contain(`/desk/requests/${a}`).and.contain(`#${b} Assign me B\n`).and.contain(`/desk/requests/${b}`);
    // One request alone: its own mail, as from its page.
    const c = await made('Assign me C');
    await bulk(asAgent, [c], { assignee_id: String(colleague.id) });
    expect((await subjectsTo(colleague.email)).at(-1)).to.equal(`Request #${c} is assigned to you`);
    const off = await bulk(asAgent, [a, b], { assignee_id: 'none' });
    expect(off.headers.location).to.equal(`/desk?done=bulk&changed=${a}%2C${b}&unchanged=0`);
    expect([await assigneeOf(a), await assigneeOf(b)]).to.deep.equal([null, null]);
    const page = await asAgent.get(`/desk?done=bulk&changed=${c}&unchanged=0`).expect(200);
    expect(page.text).to.contain(`1 request changed: #${c}.`);
    // Whatever else the address says is no request number, and not shown.
    const odd = await asAgent.get('/desk?done=bulk&changed=%3Cb%3E,7&unchanged=x').expect(200);
    expect(odd.text).to.contain('Nothing changed.');
  });

  it('an assignee who does not work on one of the requests: that request named, none of them assigned, nobody mailed', async () => {
    const [inBilling, inSupport] = [await made('Billing case', billing), await made('Support case')];
    const before = await fullState(t);
    const res = await bulk(asAgent, [inBilling, inSupport], { assignee_id: String(billingOnly.id) }, 'q=case');
    expect(res.status).to.equal(422);
    expect(res.text).to.contain(`#${inSupport}: Choose a staff member who works on this request’s project. Nothing was changed.`);
    expect(changedTables(before, await fullState(t))).to.deep.equal([]);
    // The queue it came from, with the ticks and the choice kept.
    expect(res.text).to.contain('Support case').and.contain('Billing case');
    expect(res.text).to.match(new RegExp(`name="ids" value="${inSupport}"[^>]*checked`));
    expect(res.text).to.match(new RegExp(`<option value="${billingOnly.id}" selected>`));
    expect(res.text).to.contain('name="q" type="search" value="case"');
  });

  it('a request the agent may see but not change: 403 naming it, the others unchanged too', async () => {
    const [a, b] = [await made('Reader may look A'), await made('Reader may look B')];
    const before = await fullState(t);
    const res = await bulk(asReader, [a, b], { status: 'closed' });
    expect(res.status).to.equal(403);
    expect(res.text).to.contain(`You may not change #${a} and #${b}: untick them and try again. Nothing was changed.`);
    expect(changedTables(before, await fullState(t))).to.deep.equal([]);
  });

  it('a request the agent cannot see, or none at all: the same 422, nothing changed', async () => {
    const hidden = await buildProject(t.db, { name: 'Hidden', isPrivate: true });
    const secret = await made('Not yours', hidden);
    const mine = await made('Yours');
    const before = await fullState(t);
    const unseen = await bulk(asAgent, [mine, secret], { status: 'closed' });
    const missing = await bulk(asAgent, [mine, 999_999], { status: 'closed' });
    expect([unseen.status, missing.status]).to.deep.equal([422, 422]);
    expect(unseen.text).to.contain(`#${secret} is not in your queue`);
    expect(missing.text).to.contain('#999999 is not in your queue');
    expect(unseen.text).not.to.contain('Not yours');
    expect(changedTables(before, await fullState(t))).to.deep.equal([]);
  });

  it('bad forms are refused with a message and change nothing: no ticks, too many, not ids, nothing chosen, a status not in the list', async () => {
    const a = await made('Form check');
    const before = await fullState(t);
    const none = await bulk(asAgent, [], { status: 'closed' });
    expect(none.status).to.equal(422);
    expect(none.text).to.contain('Tick the requests to change first.');
    const many = await bulk(asAgent, Array.from({ length: 51 }, (_, i) => i + 1), { status: 'closed' });
    expect(many.status).to.equal(422);
    expect(many.text).to.contain('Tick at most 50 requests at a time (you ticked 51).');
    const junk = await bulk(asAgent, [a, 'x1'], { status: 'closed' });
    expect(junk.status).to.equal(422);
    expect(junk.text).to.contain('Tick requests from the list.');
    const nothing = await bulk(asAgent, [a], { status: '', assignee_id: '' });
    expect(nothing.status).to.equal(422);
    expect(nothing.text).to.contain('Choose a status or an assignee to set.');
    // Ids are digits: "1e1" is not #10, " 5" not #5; a tick sent twice counts once.
    const exponent = await bulk(asAgent, ['1e1'], { status: 'closed' });
    expect(exponent.status).to.equal(422);
    expect(exponent.text).to.contain('Tick requests from the list.');
    const twice = await bulk(asAgent, [...Array.from({ length: 50 }, (_, i) => i + 1), 1], { status: 'closed' });
    expect(twice.text).not.to.contain('you ticked 51');
    const badStatus = await bulk(asAgent, [a], { status: 'deleted' });
    expect(badStatus.status).to.equal(422);
    expect(badStatus.text).to.contain('Choose a status from the list.');
    expect(badStatus.text).to.match(new RegExp(`name="ids" value="${a}"[^>]*checked`));
    expect(changedTables(before, await fullState(t))).to.deep.equal([]);
  });

  it('observers get no ticks, and their bulk form is a 403 before its input is read', async () => {
    const a = await made('Observer sees');
    const page = await asObserver.get('/desk').expect(200);
    expect(page.text).to.contain('Observer sees');
    expect(page.text).not.to.contain('name="ids"').and.not.to.contain('/desk/requests/bulk');
    expect((await asAgent.get('/desk').expect(200)).text).to.contain('name="ids"').and.contain('data-tick-all');
    const before = await fullState(t);
    const refused = await bulk(asObserver, [a], { status: 'closed' });
    expect(refused.status).to.equal(403);
    expect(refused.text).to.contain('Observers cannot change requests.');
    expect((await bulk(asObserver, [], {})).status).to.equal(403);
    expect(changedTables(before, await fullState(t))).to.deep.equal([]);
  });

  it('goes back to the queue it came from and nowhere else, whatever `back` says', async () => {
    const a = await made('Back check');
    for (const back of ['//evil.example/x', 'https://evil.example', 'next=//evil.example&status=open', '%0d%0aLocation:%20//evil.example']) {
      const res = await bulk(asAgent, [a], { status: 'open' }, back);
      expect(res.status).to.equal(303);
      expect(res.headers.location).to.match(/^\/desk\?(status=open&)?done=bulk&changed=\d*&unchanged=\d$/);
    }
    expect(await statusOf(a)).to.equal('open');
  });

  it('sets the status and the assignee in one pass; "leave as it is" leaves each as it was', async () => {
    const [a, b] = [await made('Both at once A'), await made('Both at once B', billing, 'open')];
    await t.db('requests').where({ id: b }).update({ assignee_id: agent.id });
    const res = await bulk(asAgent, [a, b], { status: 'in_progress', assignee_id: String(colleague.id) });
    expect(res.headers.location).to.equal(`/desk?done=bulk&changed=${a}%2C${b}&unchanged=0`);
    expect([await statusOf(a), await statusOf(b), await assigneeOf(a), await assigneeOf(b)]).to.deep.equal(['in_progress', 'in_progress', colleague.id, colleague.id]);
    const statusOnly = await bulk(asAgent, [a, b], { status: 'resolved', assignee_id: '' });
    expect(statusOnly.headers.location).to.equal(`/desk?done=bulk&changed=${a}%2C${b}&unchanged=0`);
    expect([await assigneeOf(a), await assigneeOf(b)]).to.deep.equal([colleague.id, colleague.id]);
  });

  it('ticks only the rows the viewer may change, and offers as assignees only the staff of those rows\' projects', async () => {
    // The reader sees Support's requests but may not change them; with Direct Access "Can edit"
    // on one request of a private project, that row gets a tick, and its project's staff appear.
    const vault = await buildProject(t.db, { name: 'Vault', isPrivate: true });
    const keeper = await buildPrincipal(t.db, 'user', { name: 'Vera Vaultkeeper' });
    await addMember(t.db, vault, keeper.id, await buildRole(t.db, { edit: true, comment: true }));
    const vaulted = await made('Vaulted case', vault);
    const readOnly = await made('Support read-only case');
    const page = await asReader.get('/desk?q=case').expect(200);
    expect(page.text).to.contain('Support read-only case');
    expect(page.text).not.to.contain('name="ids"').and.not.to.contain('data-bulk-form');
    const granted = await asAgent.get('/desk?q=Vaulted').expect(200);
    expect(granted.text).not.to.contain('Vaulted case');
    await writeSetting(t.db, 'direct_access.enabled', true, keeper.id);
    await insertEntityPermission(t.db, { entityType: 'request', entityId: vaulted, principalId: reader.id, mode: 'edit', createdBy: keeper.id });
    const withGrant = await asReader.get('/desk?q=case').expect(200);
    expect(withGrant.text).to.match(new RegExp(`name="ids" value="${vaulted}"`));
    expect(withGrant.text).not.to.match(new RegExp(`name="ids" value="${readOnly}"`));
    expect(withGrant.text).to.contain('Vera Vaultkeeper');
    // Only edit, not comment, earns a tick: with "Can comment" the vault's staff stay unnamed.
    await t.db('entity_permissions').where({ entity_id: vaulted, principal_id: reader.id }).update({ can_edit: false });
    const commentOnly = await asReader.get('/desk?q=case').expect(200);
    expect(commentOnly.text).to.contain('Vaulted case');
    expect(commentOnly.text).not.to.contain('Vera Vaultkeeper').and.not.to.contain('name="ids"');
  });

  it('names every refused request at once: those one may not change and those not in one\'s queue', async () => {
    const readOnly = await made('Mixed refusal');
    const before = await fullState(t);
    const res = await bulk(asReader, [readOnly, 999_998], { status: 'closed' });
    expect(res.status).to.equal(403);
    expect(res.text).to.contain(`You may not change #${readOnly}: untick it and try again. #999998 is not in your queue`);
    expect(changedTables(before, await fullState(t))).to.deep.equal([]);
  });

  it('names the requests as people read a list', () => {
    expect([requestNumbers([4]), requestNumbers([4, 9]), requestNumbers([4, 9, 12])]).to.deep.equal(['#4', '#4 and #9', '#4, #9 and #12']);
  });
});

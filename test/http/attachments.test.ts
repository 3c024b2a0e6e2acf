/**
 * Files attached to requests and comments: sent with the form, stored with it in one
 * transaction, listed where the request is shown, downloaded by whoever may see the request
 * and its comment (never an internal note's file by a customer), served so that they cannot
 * act as a Portico page; limits refused with a message, nothing stored, the text kept.
 */
import { expect } from 'chai';
import supertest from 'supertest';
import http from 'node:http';
import { changedTables, createTestApp, csrfFrom, csrfOf, fullState, signIn, type Agent, type TestApp } from '../helpers/app';
import { listen } from '../helpers/browser';
import { UPLOADS_AT_ONCE, UPLOADS_PER_PERSON } from '../../server/routes/uploads';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';
import { cleanFilename, fileSize, sniffType } from '../../server/presenters/attachments';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('rest of a picture')]);
const HTML = Buffer.from('<script>alert(document.cookie)</script>');

describe('attachments', function () {
  this.timeout(60_000);
  let t: TestApp;
  let project: number;
  let alice: PrincipalRow;
  let agent: PrincipalRow;
  let asAlice: Agent;
  let asAgent: Agent;
  let asBob: Agent;
  let asObserver: Agent;

  before(async () => {
    t = await createTestApp();
    project = await buildProject(t.db, { name: 'Support' });
    const acme = await buildCompany(t.db, 'Acme');
    alice = await buildRequester(t.db, { company: acme });
    const bob = await buildRequester(t.db, { company: await buildCompany(t.db, 'Globex') });
    agent = await buildStaff(t.db, 'user');
    await addMember(t.db, project, agent.id, await buildRole(t.db, { edit: true, comment: true }));
    asAlice = await signIn(t.app, 'portal', alice.email, PASSWORD);
    asBob = await signIn(t.app, 'portal', bob.email, PASSWORD);
    asAgent = await signIn(t.app, 'desk', agent.email, PASSWORD);
    asObserver = await signIn(t.app, 'desk', (await buildStaff(t.db, 'observer')).email, PASSWORD);
  });
  after(() => t.close());

  const filesOf = (requestId: number) => t.db('attachments').where({ request_id: requestId }).orderBy('id').select('id', 'comment_id', 'filename', 'content_type', 'size');
  const mailsTo = async (email: string) => {
    await t.deps.mailer.drain();
    return (await t.db('mail_outbox').where({ to_address: email }).orderBy('id').select('subject', 'text_body')) as { subject: string; text_body: string }[];
  };

  async function submit(as: Agent, title: string, files: [Buffer, string][], fields: Record<string, string> = {}) {
    const csrf = await csrfOf(as, '/portal/requests/new');
    let post = as.post('/portal/requests').field('_csrf', csrf).field('project_id', String(project)).field('type', 'issue').field('title', title).field('description', 'See the files');
    for (const [k, v] of Object.entries(fields)) post = post.field(k, v);
    for (const [data, name] of files) post = post.attach('files', data, name);
    return post;
  }
  const idFrom = (location: string | undefined) => Number(/\/portal\/requests\/(\d+)/.exec(location ?? '')?.[1]);

  it('a customer submits a request with files; both sides list them and download them, each served as its bytes say', async () => {
    const res = await submit(asAlice, 'Printer shows an error', [[PNG, 'error screen.png'], [HTML, 'page.html']]);
    expect(res.status).to.equal(303);
    const id = idFrom(res.headers.location);
    const rows = await filesOf(id);
    expect(rows.map((r: Record<string, unknown>) => [r.comment_id, r.filename, r.content_type, Number(r.size)])).to.deep.equal([
      [null, 'error screen.png', 'image/png', PNG.length],
      [null, 'page.html', 'application/octet-stream', HTML.length],
    ]);
    const [png, html] = rows.map((r: { id: unknown }) => Number(r.id));
    for (const [as, base] of [[asAlice, '/portal'], [asAgent, '/desk']] as const) {
      const page = await as.get(`${base}/requests/${id}`).expect(200);
      expect(page.text).to.contain(`href="${base}/attachments/${png}">error screen.png</a> <span class="muted">${fileSize(PNG.length)}</span>`);
      expect(page.text).to.contain(`href="${base}/attachments/${html}">page.html</a>`);
      const image = await as.get(`${base}/attachments/${png}`).buffer(true).expect(200);
      expect(image.headers['content-type']).to.equal('image/png');
      expect(image.headers['content-disposition']).to.equal('inline; filename="error screen.png"');
      expect(image.headers['content-security-policy']).to.equal("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox");
      expect(image.headers['x-content-type-options']).to.equal('nosniff');
      expect(Buffer.compare(image.body as Buffer, PNG)).to.equal(0);
      const script = await as.get(`${base}/attachments/${html}`).buffer(true).expect(200);
      expect(script.headers['content-type']).to.equal('application/octet-stream');
      expect(script.headers['content-disposition']).to.equal('attachment; filename=page.html');
    }
    const staffMail = (await mailsTo(agent.email)).find((m) => m.subject.startsWith(`New request #${id}`));
    expect(staffMail?.text_body).to.contain('Attached: error screen.png, page.html');
  });

  it("an internal note's file is the staff's alone; a comment's file goes with the comment", async () => {
    const id = await buildRequest(t.db, { projectId: project, requester: alice, title: 'Scanner jams' });
    const csrf = await csrfOf(asAgent, `/desk/requests/${id}`);
    await asAgent.post(`/desk/requests/${id}/comments`).field('_csrf', csrf).field('body', 'Log from the scanner').field('internal', 'true').attach('files', Buffer.from('internal log'), 'scanner.log').expect(303);
    await asAgent.post(`/desk/requests/${id}/comments`).field('_csrf', csrf).field('body', 'Try this driver').attach('files', Buffer.from('driver bytes'), 'driver.zip').expect(303);
    const customerCsrf = await csrfOf(asAlice, `/portal/requests/${id}`);
    await asAlice.post(`/portal/requests/${id}/comments`).field('_csrf', customerCsrf).field('body', 'Still jams, photo attached').attach('files', PNG, 'jam.png').expect(303);
    const [note, driver, photo] = (await filesOf(id)).map((r: { id: unknown }) => Number(r.id));
    const portal = await asAlice.get(`/portal/requests/${id}`).expect(200);
    expect(portal.text).to.contain('driver.zip').and.contain('jam.png').and.not.contain('scanner.log');
    await asAlice.get(`/portal/attachments/${note}`).expect(404);
    await asAlice.get(`/portal/attachments/${driver}`).expect(200);
    const desk = await asAgent.get(`/desk/requests/${id}`).expect(200);
    expect(desk.text).to.contain('scanner.log').and.contain('driver.zip').and.contain('jam.png');
    await asAgent.get(`/desk/attachments/${note}`).expect(200);
    await asAgent.get(`/desk/attachments/${photo}`).expect(200);
    const reply = (await mailsTo(alice.email)).find((m) => m.text_body.includes('Try this driver'));
    expect(reply?.text_body).to.contain('Attached: driver.zip');
    expect((await mailsTo(alice.email)).some((m) => m.text_body.includes('scanner.log'))).to.equal(false);
  });

  it('nobody else gets a file: another customer, a requester on the desk, nobody signed in; an unknown file is the same 404', async () => {
    const res = await submit(asAlice, 'Private invoice question', [[Buffer.from('invoice'), 'invoice.pdf']]);
    const [file] = (await filesOf(idFrom(res.headers.location))).map((r: { id: unknown }) => Number(r.id));
    const theirs = await asBob.get(`/portal/attachments/${file}`).expect(404);
    const none = await asBob.get('/portal/attachments/999999').expect(404);
    expect(theirs.text).to.equal(none.text);
    await asAlice.get(`/desk/attachments/${file}`).expect(403);
    const anonymous = await supertest(t.app).get(`/portal/attachments/${file}`).expect(302);
    expect(anonymous.headers.location).to.equal(`/portal/login?next=${encodeURIComponent(`/portal/attachments/${file}`)}`);
    await asAgent.get(`/portal/attachments/${file}`).expect(403);
  });

  it('limits are refused with a message, nothing stored, the text kept and the files asked for again', async () => {
    const before = await fullState(t);
    const many = await submit(asAlice, 'Too many files', Array.from({ length: 6 }, (_, i) => [Buffer.from(`file ${i}`), `f${i}.txt`] as [Buffer, string]));
    expect(many.status).to.equal(422);
    expect(many.text).to.contain('Attach at most 5 files at a time.').and.contain('value="Too many files"').and.contain('id="files-error"');
    const big = await submit(asAlice, 'One huge file', [[Buffer.alloc(10 * 1024 * 1024 + 1, 1), 'huge.bin']]);
    expect(big.status).to.equal(422);
    expect(big.text).to.contain('A file can be at most 10 MB: attach a smaller one.').and.contain('value="One huge file"');
    const empty = await submit(asAlice, 'An empty file', [[Buffer.alloc(0), 'empty.txt']]);
    expect(empty.status).to.equal(422);
    expect(empty.text).to.contain('“empty.txt” is empty');
    const badTitle = await submit(asAlice, 'x', [[PNG, 'shot.png']]);
    expect(badTitle.status).to.equal(422);
    expect(badTitle.text).to.contain('data-files-dropped');
    expect(changedTables(before, await fullState(t))).to.deep.equal([]);
    // Exactly at the limits: five files of 10 MB each.
    const fits = await submit(asAlice, 'Five big files', Array.from({ length: 5 }, (_, i) => [Buffer.alloc(10 * 1024 * 1024, i), `part${i}.bin`] as [Buffer, string]));
    expect(fits.status).to.equal(303);
    expect(await filesOf(idFrom(fits.headers.location))).to.have.length(5);
  });

  it('a staff reply with too many files is refused on the request page, its text and note box kept (a form cut short before the box comes back a note), nothing stored', async () => {
    const id = await buildRequest(t.db, { projectId: project, requester: alice, title: 'Desk limits' });
    const csrf = await csrfOf(asAgent, `/desk/requests/${id}`);
    const before = await fullState(t);
    // As the page sends it: the text, the note box (its hidden "false", then "true" when ticked), then the files.
    const reply = async (box: string[], before: boolean, files = Array.from({ length: 6 }, (_, i) => Buffer.from(`log ${i}`))) => {
      let post = asAgent.post(`/desk/requests/${id}/comments`).field('_csrf', csrf).field('body', 'Six logs for you');
      if (before) for (const v of box) post = post.field('internal', v);
      files.forEach((f, i) => (post = post.attach('files', f, `log${i}.txt`)));
      if (!before) for (const v of box) post = post.field('internal', v);
      return post;
    };
    const note = await reply(['false', 'true'], true);
    expect(note.status).to.equal(422);
    expect(note.text).to.contain('Attach at most 5 files at a time.').and.contain('Six logs for you').and.contain('id="files-error"');
    expect(note.text).to.match(/id="internal" name="internal" value="true" checked/);
    const publicReply = await reply(['false'], true);
    expect(publicReply.status).to.equal(422);
    expect(publicReply.text).not.to.match(/id="internal" name="internal" value="true" checked/);
    // A form cut short before its box (fields after the refused file never arrive): shown again as a note, never as a reply.
    const cutShort = await reply(['false'], false, [Buffer.alloc(11 * 1024 * 1024, 1), Buffer.alloc(300 * 1024, 2)]);
    expect(cutShort.status).to.equal(422);
    expect(cutShort.text).to.match(/id="internal" name="internal" value="true" checked/);
    expect(changedTables(before, await fullState(t))).to.deep.equal([]);
  });

  it('whoever attached a file, or staff who may change the request, removes it; its history says so; nobody else may', async () => {
    const id = await buildRequest(t.db, { projectId: project, requester: alice, title: 'Wrong file', visibility: 'company' });
    const aliceCsrf = await csrfOf(asAlice, `/portal/requests/${id}`);
    await asAlice.post(`/portal/requests/${id}/comments`).field('_csrf', aliceCsrf).field('body', 'Oops, my payslip').attach('files', Buffer.from('salary'), 'payslip.pdf').expect(303);
    await asAlice.post(`/portal/requests/${id}/comments`).field('_csrf', aliceCsrf).field('body', 'The real log').attach('files', Buffer.from('log'), 'real.log').expect(303);
    const agentCsrf = await csrfOf(asAgent, `/desk/requests/${id}`);
    await asAgent.post(`/desk/requests/${id}/comments`).field('_csrf', agentCsrf).field('body', 'A fix').attach('files', Buffer.from('fix'), 'fix.zip').expect(303);
    const [payslip, log, fix] = (await filesOf(id)).map((r: { id: unknown }) => Number(r.id));
    const page = await asAlice.get(`/portal/requests/${id}`).expect(200);
    expect(page.text).to.contain(`/portal/attachments/${payslip}/delete`).and.contain(`/portal/attachments/${log}/delete`).and.not.contain(`/portal/attachments/${fix}/delete`);
    const colleague = await signIn(t.app, 'portal', (await buildRequester(t.db, { company: alice.companyId })).email, PASSWORD);
    const colleagueCsrf = await csrfOf(colleague, '/portal');
    const bobCsrf = await csrfOf(asBob, '/portal');
    const observerCsrf = await csrfOf(asObserver, '/desk');
    const before = await fullState(t);
    expect((await colleague.post(`/portal/attachments/${payslip}/delete`).type('form').send({ _csrf: colleagueCsrf })).status).to.equal(403);
    expect((await asAlice.post(`/portal/attachments/${fix}/delete`).type('form').send({ _csrf: aliceCsrf })).status).to.equal(403);
    expect((await asBob.post(`/portal/attachments/${payslip}/delete`).type('form').send({ _csrf: bobCsrf })).status).to.equal(404);
    expect((await asObserver.post(`/desk/attachments/${payslip}/delete`).type('form').send({ _csrf: observerCsrf })).status).to.equal(403);
    expect((await asAlice.post(`/desk/attachments/${payslip}/delete`).type('form').send({ _csrf: aliceCsrf })).status).to.equal(403);
    expect(changedTables(before, await fullState(t))).to.deep.equal([]);
    const removed = await asAlice.post(`/portal/attachments/${payslip}/delete`).type('form').send({ _csrf: aliceCsrf });
    expect(removed.status).to.equal(303);
    expect(removed.headers.location).to.equal(`/portal/requests/${id}?file=file_removed#comments`);
    expect((await asAlice.get(removed.headers.location!)).text).to.contain('File removed.').and.not.contain('payslip.pdf');
    expect(await t.db('attachment_contents').where({ attachment_id: payslip })).to.deep.equal([]);
    await asAgent.get(`/desk/attachments/${payslip}`).expect(404);
    expect((await asAgent.post(`/desk/attachments/${log}/delete`).type('form').send({ _csrf: agentCsrf })).headers.location).to.equal(`/desk/requests/${id}?done=file_removed#comments`);
    const history = await asAgent.get(`/desk/requests/${id}`).expect(200);
    expect(history.text).to.contain('removed the file “payslip.pdf”').and.contain('removed the file “real.log”');
    expect((await filesOf(id)).map((r: { filename: string }) => r.filename)).to.deep.equal(['fix.zip']);
  });

  it('a request holds 100 MB of files at most: one more is refused, the comment kept, nothing stored', async () => {
    const id = await buildRequest(t.db, { projectId: project, requester: alice, title: 'Full of files' });
    await t.db('attachments').insert({ request_id: id, comment_id: null, uploader_id: alice.id, filename: 'big.bin', content_type: 'application/octet-stream', size: 100 * 1024 * 1024 - 10, sha256: 'x', created_at: new Date().toISOString() });
    const csrf = await csrfOf(asAlice, `/portal/requests/${id}`);
    const before = await fullState(t);
    const res = await asAlice.post(`/portal/requests/${id}/comments`).field('_csrf', csrf).field('body', 'One more log').attach('files', Buffer.alloc(20, 1), 'more.log');
    expect(res.status).to.equal(422);
    expect(res.text).to.contain('This request holds 100 MB of files already, and can hold 100 MB in all').and.contain('One more log').and.contain('id="files-error"');
    expect(changedTables(before, await fullState(t))).to.deep.equal([]);
    await asAlice.post(`/portal/requests/${id}/comments`).field('_csrf', csrf).field('body', 'A small one').attach('files', Buffer.alloc(10, 1), 'small.log').expect(303);
  });

  it('a comment may be files alone, on both sides; with neither text nor file it is refused', async () => {
    const id = await buildRequest(t.db, { projectId: project, requester: alice, title: 'Just a screenshot' });
    const aliceCsrf = await csrfOf(asAlice, `/portal/requests/${id}`);
    await asAlice.post(`/portal/requests/${id}/comments`).field('_csrf', aliceCsrf).field('body', '').attach('files', PNG, 'screen.png').expect(303);
    const agentCsrf = await csrfOf(asAgent, `/desk/requests/${id}`);
    await asAgent.post(`/desk/requests/${id}/comments`).field('_csrf', agentCsrf).field('body', '  ').attach('files', Buffer.from('fix'), 'fix.zip').expect(303);
    const comments = await t.db('comments').where({ request_id: id }).orderBy('id').select('body');
    expect(comments.map((c: { body: string }) => c.body)).to.deep.equal(['', '']);
    expect((await filesOf(id)).map((r: { filename: string }) => r.filename)).to.deep.equal(['screen.png', 'fix.zip']);
    const mail = (await mailsTo(alice.email)).find((m) => m.text_body.includes(`/portal/requests/${id}\n`));
    expect(mail?.text_body).to.contain('sent files.').and.contain('Attached: fix.zip');
    const before = await fullState(t);
    const portalNothing = await asAlice.post(`/portal/requests/${id}/comments`).type('form').send({ _csrf: aliceCsrf, body: ' ' });
    expect(portalNothing.status).to.equal(422);
    expect(portalNothing.text).to.contain('Write something first, or attach a file.');
    const deskNothing = await asAgent.post(`/desk/requests/${id}/comments`).type('form').send({ _csrf: agentCsrf, body: '' });
    expect(deskNothing.status).to.equal(422);
    expect(deskNothing.text).to.contain('Write something first, or attach a file.');
    expect(changedTables(before, await fullState(t))).to.deep.equal([]);
    // Its file removed, a comment that was only the file goes with it.
    const [screen] = (await filesOf(id)).map((r: { id: unknown }) => Number(r.id));
    await asAlice.post(`/portal/attachments/${screen}/delete`).type('form').send({ _csrf: aliceCsrf }).expect(303);
    expect((await t.db('comments').where({ request_id: id }).select('id')).length).to.equal(1);
  });

  it('the queue shows how many files a request holds, an internal note\'s included (the queue is the staff\'s)', async () => {
    const res = await submit(asAlice, 'Queue paperclip check', [[PNG, 'one.png'], [PNG, 'two.png']]);
    const id = idFrom(res.headers.location);
    const csrf = await csrfOf(asAgent, `/desk/requests/${id}`);
    await asAgent.post(`/desk/requests/${id}/comments`).field('_csrf', csrf).field('body', 'note').field('internal', 'false').field('internal', 'true').attach('files', Buffer.from('x'), 'note.log').expect(303);
    const queue = await asAgent.get('/desk?q=paperclip').expect(200);
    expect(queue.text).to.contain('data-files="3" title="3 attached files">3 files</span>');
    const none = await buildRequest(t.db, { projectId: project, requester: alice, title: 'Queue paperclip none' });
    const listed = await asAgent.get(`/desk?q=%23${none}`).expect(200);
    expect(listed.text).to.contain('Queue paperclip none');
    expect(listed.text).not.to.contain('data-files=');
  });

  it('a form with no file chosen stores none (the browser sends one empty, nameless part)', async () => {
    const csrf = await csrfOf(asAlice, '/portal/requests/new');
    const res = await asAlice
      .post('/portal/requests')
      .field('_csrf', csrf)
      .field('project_id', String(project))
      .field('type', 'question')
      .field('title', 'No file here')
      .attach('files', Buffer.alloc(0), { filename: '', contentType: 'application/octet-stream' });
    expect(res.status).to.equal(303);
    expect(await filesOf(idFrom(res.headers.location))).to.deep.equal([]);
  });

  it('a refused sender stores nothing: no CSRF token, an observer, a customer on a request not theirs, nobody signed in', async () => {
    const id = await buildRequest(t.db, { projectId: project, requester: alice, title: 'Refusals' });
    const before = await fullState(t);
    await asAlice.post(`/portal/requests/${id}/comments`).field('body', 'no token').attach('files', PNG, 'a.png').expect(403);
    const observerCsrf = await csrfOf(asObserver, `/desk/requests/${id}`);
    await asObserver.post(`/desk/requests/${id}/comments`).field('_csrf', observerCsrf).field('body', 'observer').attach('files', PNG, 'a.png').expect(403);
    const bobCsrf = await csrfOf(asBob, '/portal');
    await asBob.post(`/portal/requests/${id}/comments`).field('_csrf', bobCsrf).field('body', 'not mine').attach('files', PNG, 'a.png').expect(404);
    const anonymous = await supertest(t.app).post(`/portal/requests/${id}/comments`).field('body', 'anon').attach('files', PNG, 'a.png');
    expect(anonymous.status).to.equal(303);
    expect(anonymous.headers.location).to.match(/^\/portal\/login\?expired=1/);
    expect(changedTables(before, await fullState(t))).to.deep.equal([]);
  });

  it('a malformed multipart body is a 400, never a 500; a bracketed field name is refused before it is read as an array', async function () {
    // Guards the parser's limits, not a speed: `x[1000000000]` read as a sparse array once took 20 s to walk.
    this.timeout(15_000);
    const id = await buildRequest(t.db, { projectId: project, requester: alice, title: 'Malformed' });
    const csrf = await csrfOf(asAlice, `/portal/requests/${id}`);
    const noBoundary = await asAlice.post(`/portal/requests/${id}/comments`).set('Content-Type', 'multipart/form-data').send('garbage');
    expect(noBoundary.status).to.equal(400);
    const cut = await asAlice.post(`/portal/requests/${id}/comments`).set('Content-Type', 'multipart/form-data; boundary=XYZ').send(`--XYZ\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--XYZ\r\nContent-Disposition: form-data; name="body"\r\n\r\nhalf`);
    expect(cut.status).to.equal(400);
    const sparse = await asAlice.post(`/portal/requests/${id}/comments`).field('_csrf', csrf).field('x[1000000000]', 'a').field('body', 'sparse');
    expect(sparse.status).to.equal(422);
    expect(sparse.text).to.contain('The form could not be read whole');
    expect(await t.db('comments').where({ request_id: id })).to.deep.equal([]);
  });

  it(`at most ${UPLOADS_AT_ONCE} uploads are read at once, ${UPLOADS_PER_PERSON} from one person (whatever their sessions): one more is told to try again (503), and once they end the next is read`, async () => {
    // A public request of a portal project: every customer may comment on it.
    const id = await buildRequest(t.db, { projectId: project, requester: alice, title: 'Many at once', visibility: 'public' });
    const [carol, dave] = [await buildRequester(t.db), await buildRequester(t.db)];
    const server = await listen(t.app);
    try {
      const { port } = new URL(server.url);
      /** A session through the login form: its cookie header and a CSRF token. */
      const session = async (email: string) => {
        const web = supertest.agent(server.url);
        const login = await web.get('/portal/login').expect(200);
        const signedIn = await web.post('/portal/login').type('form').send({ email, password: PASSWORD, _csrf: csrfFrom(login.text) });
        const cookie = (signedIn.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
        return { web, cookie, csrf: csrfFrom((await web.get(`/portal/requests/${id}`).expect(200)).text) };
      };
      /** An upload that starts and then stalls, as a slow connection does. */
      const stall = (s: { cookie: string; csrf: string }) => {
        const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: `/portal/requests/${id}/comments`, headers: { cookie: s.cookie, 'content-type': 'multipart/form-data; boundary=XYZ' }, agent: false });
        req.on('error', () => undefined);
        req.write(`--XYZ\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${s.csrf}\r\n--XYZ\r\nContent-Disposition: form-data; name="files"; filename="slow.bin"\r\n\r\nsome bytes`);
        return req;
      };
      const settle = () => new Promise((resolve) => setTimeout(resolve, 300));
      const upload = (s: { web: ReturnType<typeof supertest.agent>; csrf: string }, name: string) => s.web.post(`/portal/requests/${id}/comments`).field('_csrf', s.csrf).field('body', name).attach('files', PNG, `${name}.png`);
      const [aliceOne, aliceTwo, asCarol, asDave] = [await session(alice.email), await session(alice.email), await session(carol.email), await session(dave.email)];
      // Alice's two slow uploads: her third waits, from another session of hers too; Carol's goes through.
      const hers = [stall(aliceOne), stall(aliceOne)];
      await settle();
      const third = await upload(aliceTwo, 'third');
      expect(third.status).to.equal(503);
      expect(third.headers['retry-after']).to.equal('30');
      expect(third.text).to.contain('Too many files are being sent at this moment');
      await upload(asCarol, 'carol').expect(303);
      // Four slow uploads in all: everyone waits.
      const more = [stall(asCarol), stall(asDave)];
      await settle();
      expect((await upload(asDave, 'busy')).status).to.equal(503);
      for (const req of [...hers, ...more]) req.destroy();
      await settle();
      await upload(aliceTwo, 'after').expect(303);
      expect((await filesOf(id)).map((r: { filename: string }) => r.filename)).to.deep.equal(['carol.png', 'after.png']);
    } finally {
      await server.close();
    }
  });



  it('a file name is text on every page that shows it, never markup', async () => {
    const name = '<img src=x onerror=alert(1)>".png';
    const res = await submit(asAlice, 'Markup in a name', [[PNG, name]]);
    const id = idFrom(res.headers.location);
    for (const [as, base] of [[asAlice, '/portal'], [asAgent, '/desk']] as const) {
      const page = await as.get(`${base}/requests/${id}`).expect(200);
      expect(page.text).not.to.contain('<img src=x');
      expect(page.text).to.contain('&lt;img src=x onerror=alert(1)&gt;&#34;.png');
    }
  });

  it('file names lose folders and invisible characters, and keep their extension when shortened', () => {
    expect(cleanFilename('../../etc/passwd')).to.equal('passwd');
    expect(cleanFilename('C:\\Users\\ann\\report.pdf')).to.equal('report.pdf');
    expect(cleanFilename('invoice\u202Efdp.exe')).to.equal('invoicefdp.exe');
    expect(cleanFilename('tab\tand\nnewline.txt')).to.equal('tab and newline.txt');
    expect(cleanFilename('..')).to.equal('attachment');
    const long = cleanFilename(`${'a'.repeat(300)}.jpeg`);
    expect([...long]).to.have.length(200);
    expect(long.endsWith('.jpeg')).to.equal(true);
  });

  it('a file is served as what its bytes are, never as what its name or sender says', () => {
    expect(sniffType(PNG)).to.equal('image/png');
    expect(sniffType(Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).to.equal('image/jpeg');
    expect(sniffType(Buffer.from('GIF89a...'))).to.equal('image/gif');
    expect(sniffType(Buffer.from('RIFF\0\0\0\0WEBPVP8 '))).to.equal('image/webp');
    expect(sniffType(Buffer.from('%PDF-1.7'))).to.equal('application/pdf');
    expect(sniffType(Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script/></svg>'))).to.equal('application/octet-stream');
    expect(sniffType(HTML)).to.equal('application/octet-stream');
    expect([fileSize(1), fileSize(812), fileSize(14 * 1024), fileSize(2.4 * 1024 * 1024), fileSize(10 * 1024 * 1024)]).to.deep.equal(['1 byte', '812 bytes', '14 kB', '2.4 MB', '10 MB']);
  });
});

import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { once } from 'node:events';
import { expect } from 'chai';
import nodemailer from 'nodemailer';
import supertest from 'supertest';
import { createTestApp, csrfFrom, csrfOf, signIn, type TestApp } from '../helpers/app';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import { createMailer, MAX_SUBJECT, shortSubject, smtpOptions } from '../../server/mail/mailer';
import { createApp } from '../../server/app';

describe('notifications when the mail server fails', function () {
  this.timeout(30_000);
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('keeps the reply and the status change, and records the delivery error on the outbox row', async () => {
    // Port 9 on loopback: nothing listens, so every delivery fails at once.
    const deps = { ...t.deps, mailer: createMailer(t.db, t.deps.log, 'smtp://127.0.0.1:9', 'Portico <p@x.test>', false, { retryDelaysMs: [] }) };
    const app = createApp(deps);
    const project = await buildProject(t.db);
    const customer = await buildRequester(t.db, { company: await buildCompany(t.db) });
    const staff = await buildStaff(t.db, 'user');
    await addMember(t.db, project, staff.id, await buildRole(t.db, { edit: true, comment: true }));
    const id = await buildRequest(t.db, { projectId: project, requester: customer });
    const agent = await signIn(app, 'desk', staff.email, PASSWORD);
    const token = await csrfOf(agent, `/desk/requests/${id}`);
    await agent.post(`/desk/requests/${id}/comments`).type('form').send({ body: 'Reply that must survive', _csrf: token }).expect(303);
    await agent.post(`/desk/requests/${id}/status`).type('form').send({ status: 'resolved', _csrf: token }).expect(303);
    await deps.mailer.drain();
    expect((await t.db('comments').where({ request_id: id }).first()).body).to.equal('Reply that must survive');
    expect((await t.db('requests').where({ id }).first()).status).to.equal('resolved');
    const rows = await t.db('mail_outbox').where({ to_address: customer.email });
    expect(rows).to.have.length(2);
    for (const r of rows) {
      expect(r.sent_at).to.equal(null);
      expect(String(r.error)).to.match(/ECONNREFUSED|connect/i);
    }
  });

  it('keeps single-use links out of the stored copy once mail is really delivered', async () => {
    const deps = { ...t.deps, mailer: createMailer(t.db, t.deps.log, 'smtp://127.0.0.1:9', 'Portico <p@x.test>', false, { retryDelaysMs: [] }) };
    const app = createApp(deps);
    const customer = await buildRequester(t.db);
    const agent = supertest.agent(app);
    const page = await agent.get('/portal/password/forgot');
    await agent.post('/portal/password/forgot').type('form').send({ email: customer.email, _csrf: csrfFrom(page.text) }).expect(200);
    await deps.mailer.drain();
    const row = await t.db('mail_outbox').where({ to_address: customer.email }).first();
    expect(row.text_body).to.contain('[link hidden').and.not.match(/token=[A-Za-z0-9_-]{20,}/);
  });

  it('a failure after the answer is logged, naming neither the address nor the link (knex errors carry no values)', async () => {
    const broken = await createTestApp({ LOG_LEVEL: 'info' });
    try {
      const person = await buildRequester(broken.db, { email: 'victim.person@example.test' });
      await broken.db.schema.dropTable('mail_outbox');
      const agent = supertest.agent(broken.app);
      const page = await agent.get('/portal/password/forgot');
      await agent.post('/portal/password/forgot').type('form').send({ email: person.email, _csrf: csrfFrom(page.text) }).expect(200);
      await broken.deps.mailer.drain();
      const logs = broken.logs.join('\n');
      expect(logs, 'the failure is logged').to.contain('mail could not be queued');
      expect(logs).not.to.contain('victim.person@example.test');
      expect(logs).not.to.contain('token=');
      const token = (await broken.db('password_reset_tokens').where({ principal_id: person.id }).first('token_hash'))?.token_hash as string | undefined;
      expect(token, 'the link itself was made').to.be.a('string');
      expect(logs).not.to.contain(token!);
    } finally {
      await broken.close();
    }
  });
});

describe('SMTP transport settings', function () {
  this.timeout(30_000);

  it('requires STARTTLS on smtp:// to another machine, not to this one nor on smtps://; the URL may opt out; waits are bounded', () => {
    expect(smtpOptions('smtp://user:pw@mail.example.test:587')).to.include({ requireTLS: true });
    expect(smtpOptions('smtp://127.0.0.1:25')).to.include({ requireTLS: false });
    expect(smtpOptions('smtp://localhost:25')).to.include({ requireTLS: false });
    expect(smtpOptions('smtps://user:pw@mail.example.test:465')).to.include({ requireTLS: false });
    const o = smtpOptions('smtp://mail.example.test');
    expect(o.connectionTimeout).to.be.at.most(30_000);
    expect(o.greetingTimeout).to.be.at.most(30_000);
    expect(o.socketTimeout).to.be.at.most(60_000);
    // nodemailer applies the URL's own settings over these.
    const optOut = nodemailer.createTransport(smtpOptions('smtp://mail.example.test:25?requireTLS=false')) as unknown as { options: { requireTLS?: boolean } };
    expect(optOut.options.requireTLS).to.equal(false);
    const strict = nodemailer.createTransport(smtpOptions('smtp://user:pw@mail.example.test:587')) as unknown as { options: { requireTLS?: boolean; auth?: unknown } };
    expect(strict.options.requireTLS).to.equal(true);
  });

  it('with STARTTLS required, a server that offers none never sees the password, and the failure is recorded', async () => {
    // A mail server that offers AUTH but no STARTTLS, and records what it is sent.
    const seen: string[] = [];
    const server = net.createServer((socket) => {
      socket.write('220 fake ESMTP\r\n');
      socket.on('data', (chunk) => {
        const text = chunk.toString();
        seen.push(text);
        if (/^(EHLO|HELO)/i.test(text)) socket.write('250-fake\r\n250 AUTH PLAIN LOGIN\r\n');
        else if (/^STARTTLS/i.test(text)) socket.write('502 5.5.1 not offered\r\n');
        else if (/^QUIT/i.test(text)) socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      });
      socket.on('error', () => undefined);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const port = (server.address() as AddressInfo).port;
    const t = await createTestApp();
    try {
      const mailer = createMailer(t.db, t.deps.log, `smtp://mailuser:S3cretPw@127.0.0.1:${port}?requireTLS=true`, 'portico@test', false, { retryDelaysMs: [] });
      await mailer.send({ to: 'ann@example.test', subject: 'Hello', text: 'A message' });
      await mailer.drain();
      const row = await t.db('mail_outbox').where({ to_address: 'ann@example.test' }).first();
      expect(row.sent_at).to.equal(null);
      expect(String(row.error)).to.match(/STARTTLS|TLS/i);
      const all = seen.join('');
      expect(all).to.match(/EHLO/);
      expect(all).not.to.match(/AUTH/i);
      expect(all).not.to.contain(Buffer.from('\0mailuser\0S3cretPw').toString('base64'));
      expect(all).not.to.contain('A message');
    } finally {
      server.close();
      await t.close();
    }
  });
});

describe('mail delivery tries again when the server may accept later', function () {
  this.timeout(30_000);

  /** A plain SMTP server on this machine whose answer to RCPT TO is `rcpt(n)` for its n-th message. */
  async function fakeServer(rcpt: (n: number) => string): Promise<{ port: number; messages: () => number; close(): void }> {
    let n = 0;
    let delivered = 0;
    const server = net.createServer((socket) => {
      let inData = false;
      socket.write('220 fake ESMTP\r\n');
      socket.on('data', (chunk) => {
        for (const line of chunk.toString().split('\r\n').filter(Boolean)) {
          if (inData) {
            if (line === '.') {
              inData = false;
              delivered += 1;
              socket.write('250 queued\r\n');
            }
          } else if (/^(EHLO|HELO)/i.test(line)) socket.write('250 fake\r\n');
          else if (/^RCPT/i.test(line)) socket.write(`${rcpt((n += 1))}\r\n`);
          else if (/^DATA/i.test(line)) {
            inData = true;
            socket.write('354 go on\r\n');
          } else if (/^QUIT/i.test(line)) socket.end('221 bye\r\n');
          else socket.write('250 ok\r\n');
        }
      });
      socket.on('error', () => undefined);
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { port: (server.address() as AddressInfo).port, messages: () => delivered, close: () => server.close() };
  }

  const until = async (check: () => Promise<boolean>) => {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error('timed out');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('a busy server (421) gets the message on a later try; the outbox row ends sent, without an error', async () => {
    const server = await fakeServer((n) => (n <= 2 ? '421 4.3.2 try again later' : '250 ok'));
    const t = await createTestApp();
    try {
      const mailer = createMailer(t.db, t.deps.log, `smtp://127.0.0.1:${server.port}`, 'portico@test', false, { retryDelaysMs: [20, 20, 20] });
      await mailer.send({ to: 'ann@example.test', subject: 'Hello', text: 'A message' });
      await until(async () => (await t.db('mail_outbox').where({ to_address: 'ann@example.test' }).first()).sent_at !== null);
      const row = await t.db('mail_outbox').where({ to_address: 'ann@example.test' }).first();
      expect(row.error).to.equal(null);
      expect(server.messages()).to.equal(1);
      expect(t.logs.join('\n')).to.match(/"attempt":2/);
    } finally {
      server.close();
      await t.close();
    }
  });

  it('a refusal for good (550) is not tried again, and a server that stays busy is given up after the last try', async () => {
    const refusing = await fakeServer(() => '550 5.1.1 no such user');
    const busy = await fakeServer(() => '421 4.3.2 busy');
    const t = await createTestApp();
    try {
      const a = createMailer(t.db, t.deps.log, `smtp://127.0.0.1:${refusing.port}`, 'portico@test', false, { retryDelaysMs: [20, 20] });
      await a.send({ to: 'gone@example.test', subject: 'Hello', text: 'A message' });
      const b = createMailer(t.db, t.deps.log, `smtp://127.0.0.1:${busy.port}`, 'portico@test', false, { retryDelaysMs: [20, 20] });
      await b.send({ to: 'busy@example.test', subject: 'Hello', text: 'A message' });
      await until(async () => !/trying again/.test(String((await t.db('mail_outbox').where({ to_address: 'busy@example.test' }).first()).error ?? 'trying again')));
      await new Promise((resolve) => setTimeout(resolve, 100));
      const gone = await t.db('mail_outbox').where({ to_address: 'gone@example.test' }).first();
      expect([gone.sent_at, String(gone.error)]).to.satisfy(([sent, error]: [unknown, string]) => sent === null && /550/.test(error) && !/trying again/.test(error));
      const stuck = await t.db('mail_outbox').where({ to_address: 'busy@example.test' }).first();
      expect(stuck.sent_at).to.equal(null);
      expect(String(stuck.error)).to.match(/421/).and.not.match(/trying again/);
      const tries = (address: string) => t.logs.filter((l) => l.includes('mail delivery failed') && l.includes(`"outboxId":${address === 'gone' ? gone.id : stuck.id}`)).length;
      expect([tries('gone'), tries('busy')]).to.deep.equal([1, 3]);
    } finally {
      refusing.close();
      busy.close();
      await t.close();
    }
  });
});

describe('long subjects', () => {
  it('a request with the longest title still notifies its project: the subject is cut to fit the outbox (PostgreSQL refused it)', async () => {
    const t = await createTestApp();
    try {
      const project = await buildProject(t.db);
      const staff = await buildStaff(t.db, 'user');
      await addMember(t.db, project, staff.id, await buildRole(t.db, { edit: true, comment: true }));
      const customer = await buildRequester(t.db);
      const agent = await signIn(t.app, 'portal', customer.email, PASSWORD);
      const token = await csrfOf(agent, '/portal/requests/new');
      const title = `${'Ü'.repeat(149)}😀${'x'.repeat(149)}`;
      expect(Array.from(title)).to.have.length(299);
      await agent.post('/portal/requests').type('form').send({ project_id: String(project), type: 'issue', title: title + 'y', description: 'Long one', _csrf: token }).expect(303);
      await t.deps.mailer.drain();
      const row = await t.db('mail_outbox').where({ to_address: staff.email }).first();
      expect(row, 'the staff member was mailed').to.not.equal(undefined);
      expect(Array.from(String(row.subject)).length).to.be.at.most(MAX_SUBJECT);
      expect(String(row.subject)).to.match(/^New request #\d+: Ü+/).and.match(/…$/);
      expect(t.logs.join('\n')).not.to.contain('mail could not be queued');
    } finally {
      await t.close();
    }
    expect(shortSubject('short')).to.equal('short');
    expect(Array.from(shortSubject('😀'.repeat(400)))).to.have.length(MAX_SUBJECT);
  });
});

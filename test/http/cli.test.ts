import { expect } from 'chai';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '../helpers/databases';
import { hashToken } from '../../server/repositories/accessTokens';
import { verifyPassword } from '../../server/auth/passwords';
import { buildCompany, buildProject, buildRequest, buildRequester } from '../helpers/factories';

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, '..', '..');

function cli(script: string, args: string[], env: Record<string, string>) {
  return run(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'server', 'cli', script), ...args], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: 'silent', SCRYPT_COST: '1024', ...env },
  });
}

describe('command-line tools', () => {
  let tdb: TestDatabase;
  before(async () => {
    tdb = await createTestDatabase();
  });
  after(() => tdb.drop());

  it('create-admin makes an administrator with the given password; create-token prints a working token alone on the last line', async () => {
    const env = { DATABASE_URL: tdb.url, PORTICO_PASSWORD: 'a fine long password' };
    const out = await cli('create-admin.ts', ['Boss@Example.test'], env);
    expect(out.stdout).to.contain('Administrator Boss@Example.test created');
    const row = await tdb.db('principals').where({ email_normalized: 'boss@example.test' }).first();
    expect(row.type).to.equal('administrator');
    expect(await verifyPassword('a fine long password', row.password_hash)).to.equal(true);
    const created = await tdb.db('audit_events').where({ action: 'principal.created', target_id: row.id }).first();
    expect([created?.actor_id ?? null, JSON.parse(String(created?.after))]).to.deep.equal([null, { type: 'administrator', email: 'Boss@Example.test' }]);

    const tokenOut = await cli('create-token.ts', ['boss@example.test'], { DATABASE_URL: tdb.url });
    const lines = tokenOut.stdout.trim().split('\n');
    const token = lines[lines.length - 1]!;
    expect(token).to.match(/^ptc_[A-Za-z0-9_-]{40,}$/);
    const stored = await tdb.db('access_tokens').where({ principal_id: row.id }).first();
    expect(stored.token_hash).to.equal(hashToken(token));
    expect(JSON.stringify(await tdb.db('access_tokens').select('*'))).not.to.contain(token);
    // Audited as the system's (no one signed in), naming the token, never its value.
    const event = await tdb.db('audit_events').where({ action: 'token.created', target_id: stored.id }).first();
    expect([event?.actor_id ?? null, event?.target_type]).to.deep.equal([null, 'access_token']);
    expect(JSON.stringify(event)).not.to.contain(token);
  });

  it('create-admin refuses a weak password and a taken email, writing nothing', async () => {
    const before = await tdb.db('principals').count({ n: '*' }).first();
    const weak = await cli('create-admin.ts', ['weak@example.test'], { DATABASE_URL: tdb.url, PORTICO_PASSWORD: 'short' }).catch((e: { stderr: string; code: number }) => e);
    expect((weak as { code: number }).code).to.equal(1);
    expect((weak as { stderr: string }).stderr).to.contain('at least 8 characters');
    const taken = await cli('create-admin.ts', ['BOSS@example.test'], { DATABASE_URL: tdb.url, PORTICO_PASSWORD: 'a fine long password' }).catch((e: { stderr: string }) => e);
    expect((taken as { stderr: string }).stderr).to.contain('already exists');
    expect(await tdb.db('principals').count({ n: '*' }).first()).to.deep.equal(before);
  });

  it('create-admin without PORTICO_PASSWORD and with the input closed fails (exit 1) and creates nothing', async () => {
    const before = await tdb.db('principals').count({ n: '*' }).first();
    const child = spawn(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), path.join(ROOT, 'server', 'cli', 'create-admin.ts'), 'quiet@example.test'], {
      cwd: ROOT,
      env: { ...process.env, LOG_LEVEL: 'silent', SCRYPT_COST: '1024', DATABASE_URL: tdb.url, PORTICO_PASSWORD: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).to.equal(1);
    expect(stderr).to.contain('no password was given');
    expect(await tdb.db('principals').count({ n: '*' }).first()).to.deep.equal(before);
  });

  it('seed:large refuses a database that already has people (a real installation), writing nothing', async () => {
    const before = await tdb.db('principals').count({ n: '*' }).first();
    const res = await cli('seed-large.ts', ['--requests', '5', '--requesters', '2', '--companies', '1', '--dashboards', '1', '--grants', '1', '--votes', '1', '--comments', '1', '--work-items', '1', '--entity-grants', '1'], { DATABASE_URL: tdb.url }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect((res as { code: number }).code).to.equal(1);
    expect((res as { stderr: string }).stderr).to.contain('already has people or requests');
    expect(await tdb.db('principals').count({ n: '*' }).first()).to.deep.equal(before);
    expect(await tdb.db('principals').where('email_normalized', 'like', '%@large.test').first()).to.equal(undefined);
  });

  it('create-token refuses a requester or unknown email', async () => {
    const res = await cli('create-token.ts', ['nobody@example.test'], { DATABASE_URL: tdb.url }).catch((e: { code: number; stderr: string }) => e);
    expect((res as { code: number }).code).to.equal(1);
    expect((res as { stderr: string }).stderr).to.contain('no active staff account');
  });

  it('recount-requests puts the dashboard tallies right after requests were written behind Portico\'s back', async () => {
    const db = tdb.db;
    const project = await buildProject(db);
    const customer = await buildRequester(db, { company: await buildCompany(db) });
    await buildRequest(db, { projectId: project, requester: customer, status: 'open' });
    const now = new Date().toISOString();
    // An import writing rows directly: the tallies do not know them yet.
    await db('requests').insert(['new', 'new', 'closed'].map((status, i) => ({
      project_id: project, requester_id: customer.id, company_id: customer.companyId, type: 'idea', title: `Imported ${i}`, description: '',
      status, visibility: 'private', vote_count: 0, created_at: now, updated_at: now, last_activity_at: now,
    })));
    const rollUp = async () => (await db('request_tallies').where({ project_id: project, company_key: 0 }).orderBy(['status', 'type']).select('status', 'type', 'n')).map((r: { status: string; type: string; n: unknown }) => `${r.status}/${r.type}=${Number(r.n)}`);
    expect(await rollUp()).to.deep.equal(['open/issue=1']);
    const out = await cli('recount-requests.ts', [], { DATABASE_URL: tdb.url });
    expect(out.stdout).to.match(/Counted \d+ requests into the dashboard tallies/);
    expect(await rollUp()).to.deep.equal(['closed/idea=1', 'new/idea=2', 'open/issue=1']);
  });
  it('migrate --rollback-all drops nothing without --yes when nobody is at a terminal, and everything with it', async () => {
    const own = await createTestDatabase();
    try {
      const before = await own.db('principals').count({ n: '*' }).first();
      const refused = await cli('migrate.ts', ['--rollback-all'], { DATABASE_URL: own.url }).catch((e: { stderr: string; code: number }) => e);
      expect((refused as { code: number }).code).to.equal(1);
      expect((refused as { stderr: string }).stderr).to.contain('drops every Portico table and all its data').and.contain('Add --yes').and.contain('Nothing was changed.');
      expect(await own.db.schema.hasTable('requests')).to.equal(true);
      expect(await own.db('principals').count({ n: '*' }).first()).to.deep.equal(before);
      const done = await cli('migrate.ts', ['--rollback-all', '--yes'], { DATABASE_URL: own.url });
      expect(done.stdout).to.contain('All migrations rolled back.');
      expect(await own.db.schema.hasTable('requests')).to.equal(false);
    } finally {
      await own.drop();
    }
  });
});

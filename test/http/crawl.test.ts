/**
 * Signs in as every demo account and follows every local link (GET only) breadth-first:
 * no page may fail with a 5xx, a customer's pages never carry an internal note or
 * another customer's email, and no GET changes a domain row (CVE-2022-21703's lesson).
 */
import { expect } from 'chai';
import supertest from 'supertest';
import { createTestApp, csrfFrom, snapshot, TEST_SCRYPT_COST, type TestApp } from '../helpers/app';
import { DEMO_LOGINS, DEMO_PASSWORD, seedDemo } from '../../server/seeds/demo';

describe('crawling the demo as every account', function () {
  this.timeout(120_000);
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    await seedDemo(t.db, TEST_SCRYPT_COST);
    await t.db('settings').insert({ key: 'direct_access.enabled', value: 'true', updated_at: new Date().toISOString() }).onConflict('key').merge();
  });
  after(() => t.close());

  for (const login of DEMO_LOGINS) {
    it(`${login.email}: every reachable page answers without a server error`, async () => {
      const agent = supertest.agent(t.app);
      const page = await agent.get(`/${login.realm}/login`);
      await agent.post(`/${login.realm}/login`).type('form').send({ email: login.email, password: DEMO_PASSWORD, _csrf: csrfFrom(page.text) }).expect(303);
      const before = await snapshot(t.db);
      const seen = new Set<string>();
      const queue = [`/${login.realm}`];
      const customerEmails = DEMO_LOGINS.filter((l) => l.realm === 'portal' && l.email !== login.email).map((l) => l.email);
      while (queue.length && seen.size < 150) {
        const path = queue.shift()!;
        if (seen.has(path)) continue;
        seen.add(path);
        const res = await agent.get(path);
        expect(res.status, `${path} → ${res.status}`).to.be.lessThan(500);
        if (login.realm === 'portal' && res.status === 200) {
          expect(res.text, path).not.to.contain('INTERNAL');
          for (const email of customerEmails) expect(res.text, `${path} shows ${email}`).not.to.contain(email);
        }
        for (const m of res.text.matchAll(/href="(\/[^"#]*)"/g)) {
          const href = m[1]!.replace(/&amp;/g, '&');
          if (href.startsWith('/static/') || href.includes('logout')) continue;
          if (!seen.has(href)) queue.push(href);
        }
      }
      expect(seen.size).to.be.greaterThan(3);
      expect(await snapshot(t.db), 'a GET changed the database').to.deep.equal(before);
    });
  }
});

/**
 * Searches keep to their scope and take their text literally: the desk search by `#id` shows
 * and counts only what the viewer may see, and search and filter text (desk queue, portal,
 * people, audit log, dashboard sharing picker) is data, never SQL: LIKE wildcards, the escape
 * character, quotes and injections match only what contains them.
 */
import { expect } from 'chai';
import { createTestApp, type TestApp } from '../helpers/app';
import { buildAccessWorld, type AccessWorld } from '../helpers/accessWorld';

/** Search text that must be taken literally: LIKE wildcards, the escape character, quotes, injections. */
const CORPUS = ['%', '_', "'", '\\', '\\\\', "' OR 1=1--", '") or ("1"="1'] as const;
type Probe = (typeof CORPUS)[number];

/** Distinct ids of the links to `prefix<id>` in a page, sorted. */
function idsIn(html: string, prefix: string): number[] {
  const ids = [...html.matchAll(new RegExp(`href="${prefix}(\\d+)"`, 'g'))].map((m) => Number(m[1]));
  return [...new Set(ids)].sort((a, b) => a - b);
}

/** The queue's status tabs: `{ all: 1, new: 1, open: 0, ... }`. */
function tabCounts(html: string): Record<string, number> {
  return Object.fromEntries([...html.matchAll(/data-count="(\w+)">([\d,]+)\+?</g)].map((m) => [m[1], Number(m[2]!.replace(/,/g, ''))]));
}

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);

describe('desk and portal searches', function () {
  this.timeout(60_000);
  let t: TestApp;
  let agents: AccessWorld['agents'];
  let req: AccessWorld['req'];
  let people: AccessWorld['people'];
  let boards: AccessWorld['boards'];

  before(async () => {
    t = await createTestApp();
    ({ agents, req, people, boards } = await buildAccessWorld(t));
  });
  after(() => t.close());

  describe('desk search by #id stays within what the viewer may see', () => {
    for (const who of ['observer', 'member'] as const) {
      it(`as ${who === 'observer' ? 'an observer' : 'a user outside the private project'}: #<hidden id> shows neither the hidden request nor counts it`, async () => {
        await agents[who].get(`/desk/requests/${req.hidden}`).expect(404);
        const page = await agents[who].get(`/desk?q=%23${req.hidden}`).expect(200);
        expect(page.text).not.to.contain('Vault hidden matter');
        expect(idsIn(page.text, '/desk/requests/')).to.deep.equal([req.followUp]);
        // Only the visible request whose title names the id: one new request, nothing open.
        expect(tabCounts(page.text)).to.deep.equal({ all: 1, new: 1, open: 0, in_progress: 0, resolved: 0, closed: 0 });
        const openTab = await agents[who].get(`/desk?q=%23${req.hidden}&status=open`).expect(200);
        expect(openTab.text).not.to.contain('Vault hidden matter');
        expect(idsIn(openTab.text, '/desk/requests/')).to.deep.equal([]);
        expect(openTab.text).to.contain('>0 requests<');
      });
    }

    it('an administrator finds the same request by #id (the search itself works)', async () => {
      const page = await agents.admin.get(`/desk?q=%23${req.hidden}`).expect(200);
      expect(idsIn(page.text, '/desk/requests/')).to.deep.equal(sorted([req.hidden, req.followUp]));
      expect(tabCounts(page.text)).to.include({ all: 2, new: 1, open: 1 });
    });
  });

  describe('search and filter text is data, never SQL', () => {
    /** Which of the world's requests contain the probe in their title (for the title searches). */
    const titled = (): Record<Probe, number[]> => ({
      '%': [req.percent],
      _: [req.underscore],
      "'": [req.quote],
      '\\': [req.backslash],
      '\\\\': [],
      "' OR 1=1--": [],
      '") or ("1"="1': [],
    });

    it('desk queue `q`: 200, and each probe matches only titles that contain it', async () => {
      for (const probe of CORPUS) {
        const res = await agents.member.get(`/desk?q=${encodeURIComponent(probe)}`);
        expect(res.status, probe).to.equal(200);
        expect(idsIn(res.text, '/desk/requests/'), probe).to.deep.equal(sorted(titled()[probe]));
        expect(tabCounts(res.text).all, probe).to.equal(titled()[probe].length);
      }
    });

    it('desk queue `company_name`: 200, and each probe matches only company names that contain it', async () => {
      const odd = [req.oddCompany];
      const expected: Record<Probe, number[]> = { '%': odd, _: odd, "'": odd, '\\': odd, '\\\\': [], "' OR 1=1--": [], '") or ("1"="1': [] };
      for (const probe of CORPUS) {
        const res = await agents.member.get(`/desk?company_name=${encodeURIComponent(probe)}`);
        expect(res.status, probe).to.equal(200);
        expect(idsIn(res.text, '/desk/requests/'), probe).to.deep.equal(expected[probe]);
      }
      // The filter is read at all: a plain name narrows the queue to that company's requests.
      const acmeOnly = await agents.member.get('/desk?company_name=acme').expect(200);
      expect(idsIn(acmeOnly.text, '/desk/requests/')).to.include(req.plain).and.not.include(req.oddCompany);
    });

    it('portal `q`: 200, and each probe matches only titles that contain it', async () => {
      for (const probe of CORPUS) {
        const res = await agents.alice.get(`/portal?q=${encodeURIComponent(probe)}`);
        expect(res.status, probe).to.equal(200);
        expect(idsIn(res.text, '/portal/requests/'), probe).to.deep.equal(sorted(titled()[probe]));
      }
      expect(idsIn((await agents.alice.get('/portal?q=plain').expect(200)).text, '/portal/requests/')).to.deep.equal([req.plain]);
    });

    it('admin people search `q`: 200, and each probe matches only names that contain it', async () => {
      const expected: Record<Probe, number[]> = {
        '%': [people.percent.id],
        _: [people.underscore.id],
        "'": [people.quote.id],
        '\\': [people.backslash.id],
        '\\\\': [],
        "' OR 1=1--": [],
        '") or ("1"="1': [],
      };
      for (const probe of CORPUS) {
        const res = await agents.admin.get(`/admin/users?q=${encodeURIComponent(probe)}`);
        expect(res.status, probe).to.equal(200);
        expect(idsIn(res.text, '/admin/users/'), probe).to.deep.equal(expected[probe]);
      }
    });

    it('audit log filters: 200, and a probe matches no event (filters compare whole values)', async () => {
      const unfiltered = await agents.admin.get('/admin/audit').expect(200);
      const total = /(\d+) events?</.exec(unfiltered.text)![1];
      expect(Number(total)).to.be.greaterThan(0);
      // The filters are read at all: a real action narrows the list.
      const created = (await t.db('audit_events').where({ action: 'dashboard.created' })).length;
      expect(created).to.be.greaterThan(0);
      expect((await agents.admin.get('/admin/audit?action=dashboard.created').expect(200)).text).to.contain(`>${created} events<`);
      for (const probe of CORPUS) {
        for (const field of ['action', 'target_type', 'actor']) {
          const res = await agents.admin.get(`/admin/audit?${field}=${encodeURIComponent(probe)}`);
          expect(res.status, `${field}=${probe}`).to.equal(200);
          expect(res.text, `${field}=${probe}`).to.contain('>0 events<').and.not.contain('data-action=');
        }
        for (const field of ['from', 'to']) {
          const res = await agents.admin.get(`/admin/audit?${field}=${encodeURIComponent(probe)}`);
          expect(res.status, `${field}=${probe}`).to.equal(200);
          expect(res.text, `${field}=${probe} is ignored`).to.contain(`>${total} events<`);
        }
      }
    });

    it('dashboard sharing picker `q`: 200, and each probe matches only names that contain it', async () => {
      // The picker searches from two characters on.
      const expected: Record<string, string[]> = {
        '%%': [],
        __: [],
        "''": [],
        '\\\\': [],
        "' OR 1=1--": [],
        '") or ("1"="1': [],
        '0% s': [people.percent.email],
        'r_s': [people.underscore.email],
        "o'b": [people.quote.email],
        'k\\s': [people.backslash.email],
      };
      for (const [probe, emails] of Object.entries(expected)) {
        const res = await agents.admin.get(`/desk/dashboards/${boards.xss}/people?q=${encodeURIComponent(probe)}`);
        expect(res.status, probe).to.equal(200);
        expect((res.body as { email: string }[]).map((p) => p.email), probe).to.deep.equal(emails);
      }
    });
  });
});

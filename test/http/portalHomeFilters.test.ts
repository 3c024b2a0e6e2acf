import { expect } from 'chai';
import { createTestApp, signIn, type Agent, type TestApp } from '../helpers/app';
import { buildCompany, buildProject, buildRequest, buildRequester, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';

/** The portal home's filters narrow the customer's own and company requests, and never widen them. */
describe('customer portal: home filters (whose, open or done)', () => {
  let t: TestApp;
  let alice: PrincipalRow;
  let asAlice: Agent;
  const titles = (html: string) => [...html.matchAll(/<a href="\/portal\/requests\/\d+">([^<]*)<\/a>/g)].map((m) => m[1]).sort();

  before(async () => {
    t = await createTestApp();
    const acme = await buildCompany(t.db);
    const project = await buildProject(t.db);
    alice = await buildRequester(t.db, { company: acme });
    const bob = await buildRequester(t.db, { company: acme });
    const carol = await buildRequester(t.db, { company: await buildCompany(t.db) });
    const make = (requester: PrincipalRow, title: string, status: string, visibility: 'private' | 'company' | 'public') => buildRequest(t.db, { projectId: project, requester, title, status, visibility });
    await make(alice, 'A open private', 'open', 'private');
    await make(alice, 'A new company', 'new', 'company');
    await make(alice, 'A closed private', 'closed', 'private');
    await make(bob, 'B in progress company', 'in_progress', 'company');
    await make(bob, 'B resolved company', 'resolved', 'company');
    await make(bob, 'B open private', 'open', 'private');
    await make(carol, 'C open public', 'open', 'public');
    asAlice = await signIn(t.app, 'portal', alice.email, PASSWORD);
  });
  after(() => t.close());

  const cases: [string, string[]][] = [
    ['', ['A closed private', 'A new company', 'A open private', 'B in progress company', 'B resolved company']],
    ['?show=mine', ['A closed private', 'A new company', 'A open private']],
    ['?show=company', ['B in progress company', 'B resolved company']],
    ['?status=open', ['A new company', 'A open private', 'B in progress company']],
    ['?status=done', ['A closed private', 'B resolved company']],
    ['?show=company&status=done', ['B resolved company']],
    ['?show=mine&status=done&q=closed', ['A closed private']],
    // Unknown values are the defaults, never an error or a wider list.
    ['?show=everyone&status=bogus', ['A closed private', 'A new company', 'A open private', 'B in progress company', 'B resolved company']],
  ];
  for (const [query, expected] of cases) {
    it(`${query || '(no filter)'} lists exactly ${expected.length} request(s)`, async () => {
      expect(titles((await asAlice.get(`/portal${query}`).expect(200)).text)).to.deep.equal(expected);
    });
  }

  it('the chosen filters stay selected, and an empty result says the filters are why', async () => {
    const html = (await asAlice.get('/portal?show=company&status=open').expect(200)).text;
    expect(html).to.match(/<option value="company" selected>/).and.match(/<option value="open" selected>/);
    const none = (await asAlice.get('/portal?show=company&status=open&q=resolved').expect(200)).text;
    expect(none).to.contain('data-empty="search"').and.contain('with these filters');
    // A page past the end of a list that has matches says so, with a way back that keeps the filters.
    const past = (await asAlice.get('/portal?show=mine&status=done&page=2').expect(200)).text;
    expect(past).to.contain('data-empty="page"').and.contain('href="/portal?show=mine&amp;status=done">Back to the first page');
  });

  it('the pager\'s links keep the filters (a later test: it adds requests)', async () => {
    const project = await buildProject(t.db);
    for (let i = 0; i < 26; i += 1) await buildRequest(t.db, { projectId: project, requester: alice, title: `Done ${i}`, status: 'closed', visibility: 'private' });
    const html = (await asAlice.get('/portal?show=mine&status=done').expect(200)).text;
    const next = /<a rel="next" href="\?([^"]*)">/.exec(html)?.[1];
    expect(next && Object.fromEntries(new URLSearchParams(next.replace(/&amp;/g, '&')))).to.deep.equal({ show: 'mine', status: 'done', page: '2' });
    expect(titles((await asAlice.get(`/portal?${next!.replace(/&amp;/g, '&')}`).expect(200)).text)).to.have.length(27 - 25);
  });

  it('a customer without a company is not offered "whose", and show=company lists their own requests as "all" does', async () => {
    const loner = await buildRequester(t.db);
    await buildRequest(t.db, { projectId: await buildProject(t.db), requester: loner, title: 'L alone', status: 'open', visibility: 'private' });
    const asLoner = await signIn(t.app, 'portal', loner.email, PASSWORD);
    const html = (await asLoner.get('/portal?show=company').expect(200)).text;
    expect(html).not.to.contain('id="show"');
    expect(titles(html)).to.deep.equal(['L alone']);
    const none = (await asLoner.get('/portal?status=done').expect(200)).text;
    expect(none).to.contain('data-empty="filter"').and.contain('No requests match these filters.');
  });
});

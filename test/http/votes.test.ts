/**
 * What the portal's vote and unvote answer: as JSON, exactly their documented shape
 * (`{id, voted, votes}`, nobody else's name or address); as a form post, a redirect to `next=`
 * only when it is a path on this site, never anywhere else.
 */
import { expect } from 'chai';
import { createTestApp, csrfOf, signIn, type Agent, type TestApp } from '../helpers/app';
import { buildCompany, buildProject, buildRequest, buildRequester, PASSWORD } from '../helpers/factories';

describe('the vote answers', function () {
  this.timeout(60_000);
  let t: TestApp;
  let idea: number;
  let asAlice: Agent;
  let aliceToken: string;
  const others = { bob: 'Bob Othervoter', carol: 'Carol Othervoter' };
  let otherEmails: string[] = [];

  before(async () => {
    t = await createTestApp();
    const acme = await buildCompany(t.db);
    const project = await buildProject(t.db);
    const alice = await buildRequester(t.db, { company: acme, name: 'Alice Voter' });
    const bob = await buildRequester(t.db, { company: acme, name: others.bob });
    const carol = await buildRequester(t.db, { company: await buildCompany(t.db), name: others.carol });
    otherEmails = [bob.email, carol.email];
    idea = await buildRequest(t.db, { projectId: project, requester: bob, type: 'idea', visibility: 'public', title: 'Idea everyone votes on' });
    for (const person of [bob, carol]) {
      const agent = await signIn(t.app, 'portal', person.email, PASSWORD);
      await agent.post(`/portal/requests/${idea}/vote`).type('form').send({ _csrf: await csrfOf(agent, '/portal') }).expect(303);
    }
    asAlice = await signIn(t.app, 'portal', alice.email, PASSWORD);
    aliceToken = await csrfOf(asAlice, '/portal');
  });
  after(() => t.close());

  it('as JSON (Accept: application/json) vote and unvote answer exactly {id, voted, votes}, naming nobody', async () => {
    for (const [action, voted, votes] of [
      ['vote', true, 3],
      ['vote', true, 3],
      ['unvote', false, 2],
    ] as const) {
      const res = await asAlice.post(`/portal/requests/${idea}/${action}`).set('Accept', 'application/json').type('form').send({ _csrf: aliceToken });
      expect(res.status, action).to.equal(200);
      expect(res.headers['content-type']).to.match(/^application\/json/);
      expect(res.body, action).to.deep.equal({ id: idea, voted, votes });
      expect(res.text).not.to.contain('@');
      for (const name of [...Object.values(others), ...otherEmails]) expect(res.text).not.to.contain(name);
    }
  });

  it('next= is honoured when it is a path on this site, and never leads anywhere else', async () => {
    const local = await asAlice.post(`/portal/requests/${idea}/vote`).type('form').send({ next: '/portal/ideas', _csrf: aliceToken });
    expect(local.status).to.equal(303);
    // Back at the voted item in the list (its anchor), not at the top.
    expect(local.headers.location).to.equal(`/portal/ideas#request-${idea}`);
    expect((await asAlice.get('/portal/ideas').expect(200)).text).to.contain(`id="request-${idea}"`);
    const wrong: string[] = [];
    for (const action of ['vote', 'unvote']) {
      for (const next of ['//evil.test', '//evil.test/x', 'https://evil.test', 'https:evil.test', '/\\evil.test', '\\\\evil.test', '/%2F%2Fevil.test', '/%5Cevil.test', '/%2F/evil.test', '/./\\evil.test', '/.//evil.test', ' //evil.test', '/\t/evil.test']) {
        const res = await asAlice.post(`/portal/requests/${idea}/${action}`).type('form').send({ next, _csrf: aliceToken });
        const location = String(res.headers.location);
        // Where a browser goes: the Location resolved against the page it came from.
        const target = new URL(location, 'https://portico.test/portal/requests/1');
        if (res.status !== 303 || !location.startsWith('/') || target.origin !== 'https://portico.test') wrong.push(`${action} next=${JSON.stringify(next)}: ${res.status} ${location}`);
      }
    }
    expect(wrong).to.deep.equal([]);
  });
});

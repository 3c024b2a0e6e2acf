import { expect } from 'chai';
import { createTestApp, csrfOf, signIn, type TestApp } from '../helpers/app';
import { buildCompany, buildProject, buildRequester, buildStaff, PASSWORD } from '../helpers/factories';

/** Classic payloads: tags, attributes, URLs, encodings, template syntax. */
export const XSS_PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg/onload=alert(1)>",
  '<a href="javascript:alert(1)">x</a>',
  '<iframe src="data:text/html,<script>alert(1)</script>"></iframe>',
  '</textarea><script>alert(1)</script>',
  '<%= process.env %>',
  '{{constructor.constructor("alert(1)")()}}',
  '<style>@import "//evil.test/x.css";</style>',
  '&lt;script&gt;alert(1)&lt;/script&gt;',
  '<details open ontoggle=alert(1)>',
  '<body onload=alert(1)>',
  // Addresses, which conversations show as links: the link's href and text are escaped like the rest.
  'https://example.com/"><script>alert(1)</script>',
  'https://example.com/x" onmouseover="alert(1)',
  "https://example.com/x'onfocus='alert(1)",
  'http://example.com/<img src=x onerror=alert(1)>',
];

/** True when the page contains the payload's markup unescaped. */
function rawMarkupIn(html: string, payload: string): boolean {
  return payload.includes('<') && html.includes(payload);
}

describe('typed text is shown safely (XSS corpus)', function () {
  this.timeout(60_000);
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(() => t.close());

  it('titles, descriptions and comments come back escaped in every portal page', async () => {
    const company = await buildCompany(t.db);
    const project = await buildProject(t.db);
    const alice = await buildRequester(t.db, { company });
    const bob = await buildRequester(t.db, { company });
    const asAlice = await signIn(t.app, 'portal', alice.email, PASSWORD);
    const asBob = await signIn(t.app, 'portal', bob.email, PASSWORD);
    const token = await csrfOf(asAlice, '/portal/requests/new');
    for (const payload of XSS_PAYLOADS) {
      const res = await asAlice
        .post('/portal/requests')
        .type('form')
        .send({ project_id: String(project), type: 'idea', title: `T ${payload}`, description: payload, visibility: 'public', _csrf: token })
        .expect(303);
      const id = /(\d+)$/.exec(res.headers.location!)![1];
      await asAlice.post(`/portal/requests/${id}/comments`).type('form').send({ body: payload, _csrf: token }).expect(303);
      for (const page of [`/portal/requests/${id}`, '/portal', '/portal/ideas', `/portal?q=${encodeURIComponent(payload)}`]) {
        const html = (await asBob.get(page).expect(200)).text;
        expect(rawMarkupIn(html, payload), `${payload} raw in ${page}`).to.equal(false);
      }
      // Re-rendered forms escape the user's own input as well.
      const bad = await asAlice.post('/portal/requests').type('form').send({ project_id: String(project), type: 'idea', title: 'x', description: payload, _csrf: token }).expect(422);
      expect(rawMarkupIn(bad.text, payload), `${payload} raw in the re-rendered form`).to.equal(false);
    }
  });

  it('web addresses in descriptions and comments are links, on the portal and in the desk; nothing else becomes one', async () => {
    const company = await buildCompany(t.db);
    const project = await buildProject(t.db);
    const alice = await buildRequester(t.db, { company });
    const asAlice = await signIn(t.app, 'portal', alice.email, PASSWORD);
    const admin = await buildStaff(t.db, 'administrator');
    const asAdmin = await signIn(t.app, 'desk', admin.email, PASSWORD);
    const token = await csrfOf(asAlice, '/portal/requests/new');
    const description = 'Steps: https://docs.example.com/export?step=2. Not links: javascript:alert(1) example.com a@b.test';
    const res = await asAlice.post('/portal/requests').type('form').send({ project_id: String(project), type: 'issue', title: 'Linked', description, _csrf: token }).expect(303);
    const id = /(\d+)\?/.exec(res.headers.location!)![1];
    await asAlice.post(`/portal/requests/${id}/comments`).type('form').send({ body: 'Screenshot at https://files.example.com/s.png', _csrf: token }).expect(303);
    const hrefs = (html: string) => [...html.matchAll(/<a href="([^"]*)" rel="nofollow noopener noreferrer ugc">([^<]*)<\/a>/g)].map((m) => `${m[1]} ${m[2]}`);
    const expected = ['https://docs.example.com/export?step=2 https://docs.example.com/export?step=2', 'https://files.example.com/s.png https://files.example.com/s.png'];
    expect(hrefs((await asAlice.get(`/portal/requests/${id}`).expect(200)).text)).to.deep.equal(expected);
    expect(hrefs((await asAdmin.get(`/desk/requests/${id}`).expect(200)).text)).to.deep.equal(expected);
    const page = (await asAlice.get(`/portal/requests/${id}`).expect(200)).text;
    expect(page).not.to.match(/href="javascript:/i);
    expect(page).to.contain('. Not links: javascript:alert(1) example.com a@b.test');
  });
});

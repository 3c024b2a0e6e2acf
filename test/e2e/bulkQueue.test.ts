import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app';
import { launchBrowser, listen, recordPageErrors } from '../helpers/browser';
import { addMember, buildCompany, buildProject, buildRequest, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';

/**
 * public/js/ticks.js and the queue's bulk form in a real browser: "tick every request on this
 * page" ticks them all (and says how many), one row unticked leaves it half-ticked, the change
 * is said back for a yes before it is sent, and it sets the status of exactly the ticked requests.
 */
describe('queue bulk actions in a real browser', function () {
  this.timeout(90_000);
  let t: TestApp;
  let browser: Browser;
  let server: Awaited<ReturnType<typeof listen>>;
  let page: Page;
  const ids: number[] = [];
  const errors: string[] = [];

  before(async () => {
    t = await createTestApp();
    server = await listen(t.app);
    browser = await launchBrowser();
    const project = await buildProject(t.db);
    const agent = await buildStaff(t.db, 'user');
    await addMember(t.db, project, agent.id, await buildRole(t.db, { edit: true, comment: true }));
    const customer = await buildRequester(t.db, { company: await buildCompany(t.db) });
    for (let i = 0; i < 4; i += 1) ids.push(await buildRequest(t.db, { projectId: project, requester: customer, title: `Scanner ${i}` }));
    page = recordPageErrors(await browser.newPage(), errors);
    await page.goto(`${server.url}/desk/login`);
    await page.getByLabel('Email').fill(agent.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/desk$/);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });
  afterEach(() => {
    expect(errors.splice(0), 'no script errors or CSP refusals').to.deep.equal([]);
  });

  it('ticks every row at once, counts the ticks, and sets the status of the ticked requests only', async () => {
    const all = page.getByLabel('Tick every request on this page');
    await all.check();
    expect(await page.locator('[data-ticked-count]').textContent()).to.equal('4 ticked.');
    await page.getByLabel(`Tick #${ids[0]} Scanner 0`).uncheck();
    expect(await page.locator('[data-ticked-count]').textContent()).to.equal('3 ticked.');
    expect(await page.evaluate('document.querySelector("[data-tick-all]").indeterminate')).to.equal(true);
    await page.getByRole('group', { name: 'With the ticked requests' }).getByLabel('Status', { exact: true }).selectOption('in_progress');
    // Asked first: cancelled, nothing is sent; accepted, the three change.
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.message());
      void d.dismiss();
    });
    await page.getByRole('button', { name: 'Apply to ticked requests' }).click();
    expect(asked).to.deep.equal(['Change 3 requests: status to in progress?']);
    expect(page.url()).not.to.contain('done=bulk');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Apply to ticked requests' }).click();
    await page.waitForURL(/done=bulk/);
    expect(await page.locator('[data-bulk-notice]').textContent()).to.equal(`3 requests changed: #${ids[1]}, #${ids[2]} and #${ids[3]}.`);
    const rows = await t.db('requests').whereIn('id', ids).orderBy('id').select('status');
    expect(rows.map((r: { status: string }) => r.status)).to.deep.equal(['new', 'in_progress', 'in_progress', 'in_progress']);
  });
});

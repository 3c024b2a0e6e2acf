import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app';
import { launchBrowser, listen } from '../helpers/browser';
import { seedDemo, DEMO_PASSWORD } from '../../server/seeds/demo';
import { TEST_SCRYPT_COST } from '../helpers/app';

describe('customer portal in a real browser (demo data)', function () {
  this.timeout(90_000);
  let t: TestApp;
  let browser: Browser;
  let server: Awaited<ReturnType<typeof listen>>;
  const errors: string[] = [];

  async function signInAs(email: string): Promise<Page> {
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`${email}: ${m.text()}`);
    });
    page.on('pageerror', (e) => errors.push(`${email}: ${e.message}`));
    await page.goto(`${server.url}/portal/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/portal$/);
    return page;
  }

  before(async () => {
    t = await createTestApp();
    await seedDemo(t.db, TEST_SCRYPT_COST);
    server = await listen(t.app);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  it('votes on the ideas board with JavaScript, and the count matches the database', async () => {
    const page = await signInAs('carol@globex.test');
    await page.getByRole('link', { name: 'Ideas', exact: true }).click();
    // Its accessible name carries the count; aria-pressed whether Carol has voted.
    const button = page.getByRole('button', { name: /^Vote for Weekly email digest of my requests, 1 votes$/, pressed: false });
    await button.click();
    await page.getByRole('button', { name: /^Vote for Weekly email digest of my requests, 2 votes$/, pressed: true }).waitFor();
    const shown = await page.getByRole('button', { name: /Vote for Weekly email digest/, pressed: true }).locator('[data-votes]').getAttribute('data-votes');
    const row = await t.db('requests').where({ title: 'Weekly email digest of my requests' }).first();
    expect(Number(shown)).to.equal(row.vote_count).and.equal(2);
    expect(new URL(page.url()).pathname, 'no page reload needed').to.equal('/portal/ideas');
  });

  it('voting from the keyboard keeps the focus on the button and announces the new count', async () => {
    const page = await signInAs('carol@globex.test');
    await page.getByRole('link', { name: 'Ideas', exact: true }).click();
    const button = page.getByRole('button', { name: /^Vote for Weekly email digest of my requests, \d+ votes$/ });
    const count = Number(await button.locator('[data-votes]').getAttribute('data-votes'));
    expect(await button.getAttribute('aria-pressed'), 'Carol voted in the test before').to.equal('true');
    await button.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: `Vote for Weekly email digest of my requests, ${count - 1} votes`, pressed: false }).waitFor();
    const focusedForm = async () => String(await page.evaluate("document.activeElement.closest('form')?.getAttribute('action') ?? document.activeElement.tagName"));
    expect(await focusedForm()).to.match(/\/vote$/);
    expect(await page.locator('[aria-live="polite"]').textContent()).to.equal(`Vote withdrawn. ${count - 1} vote${count - 1 === 1 ? '' : 's'}`);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: `Vote for Weekly email digest of my requests, ${count} votes`, pressed: true }).waitFor();
    expect(await page.locator('[aria-live="polite"]').textContent()).to.equal(`Voted. ${count} vote${count === 1 ? '' : 's'}`);
    expect(await focusedForm()).to.match(/\/unvote$/);
  });

  it('on a phone-sized screen the stacked rows of the request list say which column each value is', async () => {
    const page = await signInAs('alice@acme.test');
    await page.setViewportSize({ width: 375, height: 800 });
    await page.reload();
    const cell = page.locator('table.list tbody tr').first().locator('td').last();
    const label = await cell.getAttribute('data-label');
    expect(label).to.be.a('string').and.not.equal('');
    // In the page (the DOM's own getComputedStyle, which Node's types do not know).
    const before = await cell.evaluate((el) => (globalThis as unknown as { getComputedStyle(e: unknown, pseudo: string): { content: string } }).getComputedStyle(el, '::before').content);
    expect(before).to.contain(label!);
  });

  it('opens a shared dashboard from the hub and draws its charts under the CSP', async () => {
    const page = await signInAs('alice@acme.test');
    await page.getByRole('link', { name: 'Dashboards', exact: true }).click();
    await page.getByRole('link', { name: 'Acme service health' }).click();
    await page.waitForSelector('figure[data-chart="bar"][data-chart-drawn="true"] canvas');
    expect(await page.locator('figure[data-chart-drawn="true"]').count()).to.equal(3);
    expect(await page.getByText('Edit').count()).to.equal(0);
    expect(await page.content()).not.to.contain('Globex');
  });

  it('carol does not see Acme’s dashboard in the hub, and its URL is a 404 page', async () => {
    const page = await signInAs('carol@globex.test');
    await page.goto(`${server.url}/portal/dashboards`);
    expect(await page.getByRole('link', { name: 'Acme service health' }).count()).to.equal(0);
    const id = (await t.db('dashboards').where({ name: 'Acme service health' }).first()).id;
    const res = await page.goto(`${server.url}/portal/dashboards/${id}`);
    expect(res?.status()).to.equal(404);
    errors.splice(0, errors.length, ...errors.filter((e) => !e.includes('404')));
  });

  it('raised no script or CSP errors on any page', () => {
    expect(errors, errors.join('\n')).to.deep.equal([]);
  });
});

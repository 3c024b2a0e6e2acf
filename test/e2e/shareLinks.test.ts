import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { createTestApp, TEST_SCRYPT_COST, type TestApp } from '../helpers/app';
import { launchBrowser, listen } from '../helpers/browser';
import { seedDemo, DEMO_PASSWORD } from '../../server/seeds/demo';
import { changeSettings } from '../../server/commands/changeSettings';

/** Another site (another origin: localhost, not 127.0.0.1) whose page frames `src`. */
async function hostPage(src: string): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><title>Status</title><h1>Our status</h1><iframe id="board" src="${src}" width="900" height="700"></iframe>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('a public share link in a real browser, framed by another site', function () {
  this.timeout(90_000);
  let t: TestApp;
  let browser: Browser;
  let server: Awaited<ReturnType<typeof listen>>;
  const errors: string[] = [];

  async function newPage(): Promise<Page> {
    const page = await browser.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    return page;
  }

  before(async () => {
    t = await createTestApp();
    await seedDemo(t.db, TEST_SCRYPT_COST);
    const admin = await t.db('principals').where({ email: 'admin@demo.test' }).first();
    await changeSettings(t.db, admin.id, { 'share_links.enabled': true });
    // The demo's widgets show each customer their own company; one for all companies has something to show on a link.
    const overview = await t.db('dashboards').where({ name: 'Support overview' }).first();
    await t.db('dashboard_widgets').insert({ dashboard_id: overview.id, kind: 'requests_by_status', title: 'Everyone’s requests', position: 99, project_id: null, data_scope: 'all', options: '{}' });
    server = await listen(t.app);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  it('an agent makes a link on the sharing page; another site frames it and the chart draws, with no error', async () => {
    const desk = await newPage();
    await desk.goto(`${server.url}/desk/login`);
    await desk.getByLabel('Email').fill('agent@demo.test');
    await desk.getByLabel('Password').fill(DEMO_PASSWORD);
    await desk.getByRole('button', { name: 'Sign in' }).click();
    await desk.waitForURL(/\/desk$/);
    await desk.getByRole('link', { name: 'Dashboards', exact: true }).click();
    await desk.getByRole('link', { name: 'Support overview' }).click();
    await desk.goto(desk.url().replace(/\/?$/, '/permissions'));
    await desk.getByLabel('Name of the link (who it is for)').fill('Status page');
    await desk.getByLabel('Works for').selectOption('30');
    await desk.getByRole('button', { name: 'Make a link' }).click();
    const shown = await desk.getByLabel('The link', { exact: true }).inputValue();
    expect(shown).to.match(/\/share\/dashboard\?key=psl_[A-Za-z0-9_-]{43}$/);
    // The link is written with PUBLIC_URL (here its fallback, HOST:PORT); this test's server listens elsewhere.
    const link = `${server.url}${new URL(shown).pathname}${new URL(shown).search}`;
    expect(await desk.locator('[data-share-link]').count()).to.equal(1);

    const host = await hostPage(link);
    try {
      const page = await newPage();
      await page.goto(host.url);
      const frame = page.frameLocator('#board');
      await frame.getByRole('heading', { name: 'Support overview' }).waitFor();
      // Chart.js ran inside the frame (scripts from Portico itself, allowed by its CSP).
      await frame.locator('[data-widget-kind="requests_by_status"] canvas').last().waitFor();
      expect(await frame.locator('[data-widget-note]').count(), 'the demo widgets scoped to a company say so').to.be.greaterThan(0);
      expect(await frame.locator('form').count()).to.equal(0);
      expect(errors).to.deep.equal([]);
    } finally {
      await host.close();
    }
  });

  it('the same site cannot frame any other Portico page', async () => {
    const host = await hostPage(`${server.url}/portal/login`);
    try {
      const page = await browser.newPage();
      // Chromium reports the refusal (frame-ancestors 'none') on the console of the framing page.
      const refused = page.waitForEvent('console', { predicate: (m) => /frame-ancestors/.test(m.text()), timeout: 10_000 });
      await page.goto(host.url);
      await refused;
      const frame = page.frames().find((f) => f !== page.mainFrame());
      expect(await frame!.locator('input[name="password"]').count(), 'the frame holds no sign-in form').to.equal(0);
    } finally {
      await host.close();
    }
  });
});

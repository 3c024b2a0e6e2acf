import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app';
import { launchBrowser, listen } from '../helpers/browser';
import { buildCompany, buildProject, buildRequest, buildRequester, buildStaff, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';

/**
 * What customers type cannot break the pages others work in: one unbroken word (a pasted
 * path, a serial number run together) wraps instead of widening the queue, the request
 * pages and the lists past the screen, on a desktop and on a phone.
 */
describe('layout with a title of one very long word, in a real browser', function () {
  this.timeout(90_000);
  let t: TestApp;
  let browser: Browser;
  let server: Awaited<ReturnType<typeof listen>>;
  let customer: PrincipalRow;
  let admin: PrincipalRow;
  let requestId: number;
  const word = 'C:/Users/printer/AppData/Local/' + 'x'.repeat(160) + '/spool.log';

  async function signedIn(email: string, realm: 'portal' | 'desk', width: number): Promise<Page> {
    const page = await browser.newPage({ viewport: { width, height: 800 } });
    await page.goto(`${server.url}/${realm}/login`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(new RegExp(`/${realm}$`));
    return page;
  }
  const overflow = async (page: Page) => Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));

  before(async () => {
    t = await createTestApp();
    server = await listen(t.app);
    browser = await launchBrowser();
    customer = await buildRequester(t.db, { company: await buildCompany(t.db) });
    admin = await buildStaff(t.db, 'administrator');
    requestId = await buildRequest(t.db, { projectId: await buildProject(t.db), requester: customer, type: 'idea', visibility: 'public', title: word });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  for (const width of [1280, 375]) {
    it(`no page is wider than a ${width}px screen: portal home, ideas, request page, desk queue and request`, async () => {
      const portal = await signedIn(customer.email, 'portal', width);
      for (const path of ['/portal', '/portal/ideas', `/portal/requests/${requestId}`]) {
        await portal.goto(`${server.url}${path}`);
        expect(await portal.getByText(word).count(), path).to.be.greaterThan(0);
        expect(await overflow(portal), path).to.be.at.most(0);
      }
      const desk = await signedIn(admin.email, 'desk', width);
      for (const path of ['/desk', `/desk/requests/${requestId}`]) {
        await desk.goto(`${server.url}${path}`);
        expect(await desk.getByText(word).count(), path).to.be.greaterThan(0);
        expect(await overflow(desk), path).to.be.at.most(0);
      }
    });
  }
});

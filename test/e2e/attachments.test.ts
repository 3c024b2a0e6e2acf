import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app';
import { launchBrowser, listen, recordPageErrors } from '../helpers/browser';
import { addMember, buildCompany, buildProject, buildRequester, buildRole, buildStaff, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';

/** A 1×1 PNG: what a browser draws when the file is opened. */
const PIXEL = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');

/**
 * Attaching files in a real browser: a customer picks two files on the new-request form, the
 * request page lists them, the picture opens in the browser as a picture; a staff member sees
 * them on the desk. No script errors or CSP refusals on the way.
 */
describe('attachments in a real browser', function () {
  this.timeout(90_000);
  let t: TestApp;
  let browser: Browser;
  let server: Awaited<ReturnType<typeof listen>>;
  let alice: PrincipalRow;
  let agent: PrincipalRow;
  const errors: string[] = [];

  async function signedIn(realm: 'portal' | 'desk', who: PrincipalRow, path: string): Promise<Page> {
    const page = recordPageErrors(await browser.newPage(), errors);
    await page.goto(`${server.url}/${realm}/login?next=${encodeURIComponent(path)}`);
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL((u) => u.pathname === path);
    return page;
  }

  before(async () => {
    t = await createTestApp();
    server = await listen(t.app);
    browser = await launchBrowser();
    const project = await buildProject(t.db, { name: 'Support' });
    alice = await buildRequester(t.db, { company: await buildCompany(t.db) });
    agent = await buildStaff(t.db, 'user');
    await addMember(t.db, project, agent.id, await buildRole(t.db, { edit: true, comment: true }));
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });
  afterEach(() => {
    expect(errors.splice(0), 'no script errors or CSP refusals').to.deep.equal([]);
  });

  it('a customer attaches a picture and a log to a new request, takes the log back; the picture opens as a picture; the desk lists it and the removal', async () => {
    // Without a file chosen the form is a plain one, as every form (PRODUCT.md); with one, multipart.
    const page = await signedIn('portal', alice, '/portal/requests/new');
    await page.getByLabel('Title').fill('The label printer prints blank labels');
    expect(await page.evaluate('document.querySelector("form[data-draft]").enctype')).to.equal('application/x-www-form-urlencoded');
    await page.getByLabel('Attach files').setInputFiles([
      { name: 'blank label.png', mimeType: 'image/png', buffer: PIXEL },
      { name: 'printer.log', mimeType: 'text/plain', buffer: Buffer.from('E42 paper sensor') },
    ]);
    expect(await page.evaluate('document.querySelector("form[data-draft]").enctype')).to.equal('multipart/form-data');
    await page.getByRole('button', { name: 'Submit request' }).click();
    await page.waitForURL(/\/portal\/requests\/\d+\?submitted=1$/);
    const files = page.getByRole('list', { name: 'Attached files' });
    expect(await files.getByRole('link').allTextContents()).to.deep.equal(['blank label.png', 'printer.log']);
    expect(await files.locator('.muted').allTextContents()).to.deep.equal(['70 bytes', '16 bytes']);
    // The customer takes the log back, after saying yes.
    page.once('dialog', (d) => void d.accept());
    await files.getByRole('button', { name: 'Remove printer.log' }).click();
    await page.waitForURL(/file=file_removed/);
    expect(await page.getByRole('list', { name: 'Attached files' }).getByRole('link').allTextContents()).to.deep.equal(['blank label.png']);
    // A comment of a file alone: the text is asked for only while no file is chosen.
    expect(await page.evaluate('document.querySelector("textarea[name=body]").required')).to.equal(true);
    await page.getByLabel('Attach files').setInputFiles([{ name: 'second try.png', mimeType: 'image/png', buffer: PIXEL }]);
    expect(await page.evaluate('document.querySelector("textarea[name=body]").required')).to.equal(false);
    await page.getByRole('button', { name: 'Comment' }).click();
    await page.waitForURL(/#comments$/);
    expect(await page.getByRole('list', { name: 'Attached files' }).last().getByRole('link').allTextContents()).to.deep.equal(['second try.png']);
    await page.getByRole('list', { name: 'Attached files' }).getByRole('link', { name: 'blank label.png' }).click();
    await page.waitForURL(/\/portal\/attachments\/\d+$/);
    expect(await page.evaluate('document.images.length === 1 && document.images[0].naturalWidth')).to.equal(1);
    const id = Number((await t.db('requests').where({ title: 'The label printer prints blank labels' }).first('id'))?.id);
    const desk = await signedIn('desk', agent, `/desk/requests/${id}`);
    expect(await desk.getByRole('list', { name: 'Attached files' }).getByRole('link').allTextContents()).to.deep.equal(['blank label.png', 'second try.png']);
    expect(await desk.locator('[data-history="file_removed"]').textContent()).to.contain('removed the file “printer.log”');
  });
});

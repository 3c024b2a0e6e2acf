import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app';
import { launchBrowser, listen } from '../helpers/browser';
import { buildCompany, buildProject, buildRequest, buildRequester, buildStaff, PASSWORD } from '../helpers/factories';
import type { PrincipalRow } from '../../server/repositories/principals';

/**
 * public/js/drafts.js: text typed into a comment or request form survives a session that
 * ended meanwhile (the post lands on the sign-in page), goes once it has been sent, and is
 * never shown to the next person who signs in in the same tab.
 */
describe('unsent form text in a real browser', function () {
  this.timeout(90_000);
  let t: TestApp;
  let browser: Browser;
  let server: Awaited<ReturnType<typeof listen>>;
  let alice: PrincipalRow;
  let bob: PrincipalRow;
  let requestId: number;
  const errors: string[] = [];

  async function newPage(): Promise<Page> {
    const page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of (403|404)/.test(m.text())) errors.push(m.text());
    });
    return page;
  }
  async function signIn(page: Page, email: string): Promise<void> {
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
  }
  /** The session ends on the server (expired, or signed out in another tab): its row is gone. */
  const endSessionsOf = (who: PrincipalRow) => t.db('sessions').where({ principal_id: who.id }).del();
  const commentsWith = (body: string) => t.db('comments').where({ body });
  /** What the browser tells a page it brings back whole from its back-forward cache. */
  const SHOWN_FROM_CACHE = "window.dispatchEvent(new PageTransitionEvent('pageshow', { persisted: true }))";

  before(async () => {
    t = await createTestApp();
    server = await listen(t.app);
    browser = await launchBrowser();
    const company = await buildCompany(t.db);
    alice = await buildRequester(t.db, { company });
    bob = await buildRequester(t.db, { company });
    requestId = await buildRequest(t.db, { projectId: await buildProject(t.db), requester: alice, visibility: 'company', title: 'Invoices are late' });
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });
  afterEach(() => {
    expect(errors.splice(0), 'no script errors or CSP refusals').to.deep.equal([]);
  });

  it('a comment typed while the session ended comes back after signing in again, and goes once it is sent', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/portal/requests/${requestId}`);
    await signIn(page, alice.email);
    await page.waitForURL(new RegExp(`/portal/requests/${requestId}$`));
    const text = 'The March invoice is still missing; can you resend it?';
    await page.getByLabel('Add a comment').fill(text);
    await endSessionsOf(alice);
    await page.getByRole('button', { name: 'Comment' }).click();
    await page.waitForURL(/\/portal\/login\?expired=1/);
    expect(await commentsWith(text)).to.have.length(0);

    await signIn(page, alice.email);
    await page.waitForURL(new RegExp(`/portal/requests/${requestId}$`));
    expect(await page.getByLabel('Add a comment').inputValue()).to.equal(text);
    expect(await page.locator('[data-draft-restored]').textContent()).to.contain('Your unsent text was kept');

    await page.getByRole('button', { name: 'Comment' }).click();
    await page.waitForURL(new RegExp(`/portal/requests/${requestId}#comments$`));
    expect(await commentsWith(text)).to.have.length(1);
    await page.reload();
    expect(await page.getByLabel('Add a comment').inputValue(), 'sent: not offered again').to.equal('');
    expect(await page.locator('[data-draft-restored]').count()).to.equal(0);
  });

  it('a new request typed while the session ended keeps its title, description, type and visibility', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/portal/requests/new`);
    await signIn(page, alice.email);
    await page.waitForURL(/\/portal\/requests\/new$/);
    await page.getByLabel('Question — I need to know something').check();
    await page.getByLabel('Title').fill('Where do I download receipts?');
    await page.getByLabel('Description').fill('Our accountant asks for receipts of every payment.');
    await page.getByLabel('Everyone in my company').check();
    await endSessionsOf(alice);
    await page.getByRole('button', { name: 'Submit request' }).click();
    await page.waitForURL(/\/portal\/login\?expired=1/);
    await signIn(page, alice.email);
    await page.waitForURL(/\/portal\/requests\/new$/);
    expect(await page.getByLabel('Title').inputValue()).to.equal('Where do I download receipts?');
    expect(await page.getByLabel('Description').inputValue()).to.equal('Our accountant asks for receipts of every payment.');
    expect(await page.getByLabel('Question — I need to know something').isChecked()).to.equal(true);
    expect(await page.getByLabel('Everyone in my company').isChecked()).to.equal(true);
    await page.getByRole('button', { name: 'Submit request' }).click();
    await page.waitForURL(/\/portal\/requests\/\d+\?submitted=1$/);
    const row = await t.db('requests').where({ title: 'Where do I download receipts?' }).first();
    expect(row).to.include({ type: 'question', visibility: 'company', requester_id: alice.id });
    await page.goto(`${server.url}/portal/requests/new`);
    expect(await page.getByLabel('Title').inputValue(), 'submitted: the form starts empty').to.equal('');
  });

  it('an internal note comes back with its "internal" box still ticked, so it cannot go to the customer by mistake', async () => {
    const admin = await buildStaff(t.db, 'administrator');
    const page = await newPage();
    await page.goto(`${server.url}/desk/requests/${requestId}`);
    await signIn(page, admin.email);
    await page.waitForURL(new RegExp(`/desk/requests/${requestId}$`));
    const note = 'Customer owes two invoices; do not resend before finance agrees.';
    await page.getByLabel('Reply to the customer, or write an internal note').fill(note);
    await page.getByLabel('Internal note (never shown to customers)').check();
    await endSessionsOf(admin);
    await page.getByRole('button', { name: 'Add internal note' }).click();
    await page.waitForURL(/\/desk\/login\?expired=1/);
    await signIn(page, admin.email);
    await page.waitForURL(new RegExp(`/desk/requests/${requestId}$`));
    expect(await page.getByLabel('Internal note (never shown to customers)').isChecked()).to.equal(true);
    await page.getByRole('button', { name: 'Add internal note' }).click();
    await page.waitForURL(new RegExp(`/desk/requests/${requestId}`));
    const rows = await commentsWith(note);
    expect(rows).to.have.length(1);
    expect(Boolean(rows[0].internal)).to.equal(true);
  });

  it('signing out forgets unsent text: the next person in the same tab never sees it', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/portal/requests/${requestId}`);
    await signIn(page, alice.email);
    await page.waitForURL(new RegExp(`/portal/requests/${requestId}$`));
    await page.getByLabel('Add a comment').fill('Private thought of Alice');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/portal\/login\?signedout=1$/);
    await page.goto(`${server.url}/portal/requests/${requestId}`);
    await signIn(page, bob.email);
    await page.waitForURL(new RegExp(`/portal/requests/${requestId}$`));
    expect(await page.getByLabel('Add a comment').inputValue()).to.equal('');
    expect(await page.evaluate('JSON.stringify(sessionStorage)')).not.to.contain('Private thought');
  });

  it('a draft kept for one person is not offered to another who signs in after the session ended', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/portal/requests/${requestId}`);
    await signIn(page, alice.email);
    await page.waitForURL(new RegExp(`/portal/requests/${requestId}$`));
    await page.getByLabel('Add a comment').fill('Only for Alice');
    await endSessionsOf(alice);
    await page.getByRole('button', { name: 'Comment' }).click();
    await page.waitForURL(/\/portal\/login\?expired=1/);
    await signIn(page, bob.email);
    await page.waitForURL(new RegExp(`/portal/requests/${requestId}$`));
    expect(await page.getByLabel('Add a comment').inputValue()).to.equal('');
    expect(await page.locator('[data-draft-restored]').count()).to.equal(0);
    expect(await page.evaluate('JSON.stringify(sessionStorage)'), "Alice's text is not left where Bob's pages run").not.to.contain('Only for Alice');
  });

  it('"Discard it" empties the form, boxes included, and the text does not come back', async () => {
    const admin = await buildStaff(t.db, 'administrator');
    const page = await newPage();
    await page.goto(`${server.url}/desk/requests/${requestId}`);
    await signIn(page, admin.email);
    await page.waitForURL(new RegExp(`/desk/requests/${requestId}$`));
    await page.getByLabel('Reply to the customer, or write an internal note').fill('Second thoughts');
    await page.getByLabel('Internal note (never shown to customers)').check();
    await page.reload();
    expect(await page.getByLabel('Internal note (never shown to customers)').isChecked()).to.equal(true);
    await page.getByRole('button', { name: 'Discard it' }).click();
    expect(await page.getByLabel('Reply to the customer, or write an internal note').inputValue()).to.equal('');
    expect(await page.getByLabel('Internal note (never shown to customers)').isChecked()).to.equal(false);
    await page.reload();
    expect(await page.getByLabel('Reply to the customer, or write an internal note').inputValue()).to.equal('');
    expect(await page.locator('[data-draft-restored]').count()).to.equal(0);
  });

  it('a draft with a ticked box the form does not have (an internal note) is not put into it', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/portal/requests/${requestId}`);
    await signIn(page, alice.email);
    await page.waitForURL(new RegExp(`/portal/requests/${requestId}$`));
    // What the desk's reply form would have kept, under the portal comment form's key.
    await page.evaluate(`(() => {
      const owner = document.body.getAttribute('data-draft-owner');
      const action = document.querySelector('form[data-draft]').getAttribute('action');
      sessionStorage.setItem('portico-draft:' + owner + ':' + action, JSON.stringify({ body: 'Meant to stay internal', 'internal=true': true }));
    })()`);
    await page.reload();
    expect(await page.getByLabel('Add a comment').inputValue()).to.equal('');
    expect(await page.locator('[data-draft-restored]').count()).to.equal(0);
  });

  it('Back after sending shows the form empty, so the same comment is not sent twice by mistake; unsent text survives Back', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/portal/requests/${requestId}`);
    await signIn(page, alice.email);
    await page.waitForURL(new RegExp(`/portal/requests/${requestId}$`));
    const text = 'Sent once, and only once.';
    await page.getByLabel('Add a comment').fill(text);
    await page.getByRole('button', { name: 'Comment' }).click();
    await page.waitForURL(new RegExp(`/portal/requests/${requestId}#comments$`));
    await page.goBack();
    await page.waitForURL(new RegExp(`/portal/requests/${requestId}$`));
    expect(await page.getByLabel('Add a comment').inputValue(), 'the browser put back no sent text').to.equal('');
    // A page the browser keeps whole (back-forward cache) comes back with its fields as they were: emptied too.
    // (The field as the cache kept it: its value set without an input event, as a restore does.)
    await page.evaluate(`document.querySelector('form[data-draft] textarea').value = ${JSON.stringify(text)}; ${SHOWN_FROM_CACHE}`);
    expect(await page.getByLabel('Add a comment').inputValue()).to.equal('');
    expect(await commentsWith(text)).to.have.length(1);

    // Text typed and left unsent (a link followed) is the person's draft: Back keeps it.
    const unsent = 'Half a thought, not sent yet';
    await page.getByLabel('Add a comment').fill(unsent);
    await page.goto(`${server.url}/portal/ideas`);
    await page.goBack();
    await page.waitForURL(new RegExp(`/portal/requests/${requestId}$`));
    expect(await page.getByLabel('Add a comment').inputValue()).to.equal(unsent);
    await page.evaluate(SHOWN_FROM_CACHE);
    expect(await page.getByLabel('Add a comment').inputValue()).to.equal(unsent);
  });

  it("the desk's send button says whether it replies to the customer or adds an internal note, following the box", async () => {
    const admin = await buildStaff(t.db, 'administrator');
    const page = await newPage();
    await page.goto(`${server.url}/desk/requests/${requestId}`);
    await signIn(page, admin.email);
    await page.waitForURL(new RegExp(`/desk/requests/${requestId}$`));
    expect(await page.getByRole('button', { name: 'Send to customer' }).count()).to.equal(1);
    expect(await page.getByRole('button', { name: 'Add internal note' }).count()).to.equal(0);
    await page.getByLabel('Internal note (never shown to customers)').check();
    expect(await page.getByRole('button', { name: 'Send to customer' }).count()).to.equal(0);
    expect(await page.getByRole('button', { name: 'Add internal note' }).count()).to.equal(1);
    await page.getByLabel('Internal note (never shown to customers)').uncheck();
    expect(await page.getByRole('button', { name: 'Send to customer' }).count()).to.equal(1);
  });
});

import { expect } from 'chai';
import type { Browser } from 'playwright-core';
import { createTestApp, type TestApp } from '../helpers/app';
import { launchBrowser, listen } from '../helpers/browser';
import { buildCompany, buildProject, buildRequest, buildRequester, PASSWORD } from '../helpers/factories';

describe('in a real browser', function () {
  this.timeout(60_000);
  let t: TestApp;
  let browser: Browser;
  let server: Awaited<ReturnType<typeof listen>>;

  before(async () => {
    t = await createTestApp();
    server = await listen(t.app);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await t?.close();
  });

  it('a customer signs in with the keyboard, lands where next= said, sees their request, and signs out', async () => {
    const company = await buildCompany(t.db);
    const alice = await buildRequester(t.db, { company });
    const project = await buildProject(t.db);
    await buildRequest(t.db, { projectId: project, requester: alice, title: 'Printer <b>on fire</b>' });
    const page = await browser.newPage();
    const violations: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') violations.push(m.text());
    });
    await page.goto(`${server.url}/portal?q=Printer`);
    expect(new URL(page.url()).pathname).to.equal('/portal/login');
    await page.getByLabel('Email').fill(alice.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/portal\?q=Printer$/);
    expect(await page.getByTestId('viewer-name').textContent()).to.equal(alice.name);
    // Typed markup is shown as text, never interpreted.
    expect(await page.getByRole('link', { name: 'Printer <b>on fire</b>' }).count()).to.equal(1);
    const styled = String(await page.evaluate('getComputedStyle(document.body).fontFamily'));
    expect(styled, 'the stylesheet loads under the CSP').to.contain('system-ui');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/portal\/login\?signedout=1$/);
    expect(await page.locator('[role=status]').first().textContent()).to.contain('You are signed out.');
    expect(violations, violations.join('\n')).to.deep.equal([]);
  });

  it('a new customer signs up with name, email and password, opens the mailed link, enters that password and is signed in', async () => {
    const page = await browser.newPage();
    const violations: string[] = [];
    // The refused confirmation is a 422 page, which the browser reports; anything else (CSP, scripts, assets) is a fault.
    page.on('console', (m) => {
      if (m.type() === 'error' && !/status of 422/.test(m.text())) violations.push(m.text());
    });
    await page.goto(`${server.url}/portal/login`);
    await page.getByRole('link', { name: 'Create an account' }).click();
    await page.getByLabel('Name').fill('Erin Browser');
    await page.getByLabel('Email').fill('erin@browser.test');
    await page.getByLabel('Password (at least 8 characters)').fill('erins own password');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    await t.deps.mailer.drain();
    const mail: { text_body: string } = await t.db('mail_outbox').where({ to_address: 'erin@browser.test' }).orderBy('id', 'desc').first();
    const link = /\/portal\/signup\/confirm\?token=[A-Za-z0-9_-]+/.exec(mail.text_body)![0];
    await page.goto(`${server.url}${link}`);
    await page.getByLabel('Password').fill('not what erin chose');
    await page.getByRole('button', { name: 'Create my account' }).click();
    await page.waitForSelector('[role=alert]');
    expect(await page.locator('[role=alert]').textContent()).to.contain('not the password chosen when signing up');
    await page.getByLabel('Password').fill('erins own password');
    await page.getByRole('button', { name: 'Create my account' }).click();
    await page.waitForURL(/\/portal$/);
    expect(await page.getByTestId('viewer-name').textContent()).to.equal('Erin Browser');
    expect(violations, violations.join('\n')).to.deep.equal([]);
  });

  it('shows the same message for a wrong password, keeping the email typed', async () => {
    const page = await browser.newPage();
    await page.goto(`${server.url}/desk/login`);
    await page.getByLabel('Email').fill('someone@example.test');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForSelector('[role=alert]');
    expect(await page.locator('[role=alert]').textContent()).to.equal('Invalid email or password.');
    expect(await page.getByLabel('Email').inputValue()).to.equal('someone@example.test');
  });
});

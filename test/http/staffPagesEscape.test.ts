/**
 * Typed markup is escaped on staff pages (stored XSS): a script tag and an event handler,
 * entered by a customer and by staff through the forms they use (request title, description,
 * comments and notes, work item, dashboard, widget, company and person names), appear escaped
 * on every desk and admin page that shows them, never raw.
 */
import { expect } from 'chai';
import { createTestApp, type TestApp } from '../helpers/app';
import { buildAccessWorld, escaped, payload, XSS, type AccessWorld, type XssField } from '../helpers/accessWorld';

describe('typed markup is escaped on staff pages (stored XSS)', function () {
  this.timeout(60_000);
  let t: TestApp;
  let agents: AccessWorld['agents'];
  let req: AccessWorld['req'];
  let xssItem: number;
  let boards: AccessWorld['boards'];

  before(async () => {
    t = await createTestApp();
    ({ agents, req, xssItem, boards } = await buildAccessWorld(t));
  });
  after(() => t.close());

  const pages: [who: 'member' | 'admin', page: string, path: () => string, fields: XssField[]][] = [
    ['member', '/desk/requests/:id', () => `/desk/requests/${req.xss}`, ['title', 'description', 'reply', 'note', 'customerComment', 'itemName', 'companyName', 'personName']],
    ['member', '/desk/work-items/:id', () => `/desk/work-items/${xssItem}`, ['itemName', 'itemDescription', 'title']],
    ['member', '/desk/work-items', () => '/desk/work-items', ['itemName']],
    ['member', '/desk (the queue)', () => '/desk', ['title', 'companyName', 'personName']],
    ['member', '/desk/dashboards', () => '/desk/dashboards', ['dashboardName']],
    ['member', '/desk/dashboards/:id', () => `/desk/dashboards/${boards.xss}`, ['dashboardName', 'widgetTitle', 'title']],
    ['member', '/desk/dashboards/:id/edit', () => `/desk/dashboards/${boards.xss}/edit`, ['dashboardName', 'widgetTitle']],
    ['member', '/desk/dashboards/:id/permissions', () => `/desk/dashboards/${boards.xss}/permissions`, ['dashboardName', 'personName', 'companyName']],
    ['admin', '/admin/users', () => '/admin/users', ['personName', 'companyName']],
    ['admin', '/admin/audit', () => '/admin/audit', ['dashboardName', 'personName']],
  ];
  for (const [who, page, path, fields] of pages) {
    it(`${page} shows ${fields.join(', ')} escaped`, async () => {
      const html = (await agents[who].get(path()).expect(200)).text;
      for (const field of fields) {
        expect(html, `${field} raw`).not.to.contain(payload(XSS[field]));
        expect(html, `${field} escaped`).to.contain(escaped(XSS[field]));
      }
      expect(html).not.to.match(/<script>alert\(|<img src=x onerror/);
    });
  }
});

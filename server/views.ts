import path from 'node:path';
import ejs from 'ejs';
import type { Express } from 'express';
import { PROJECT_ROOT } from './paths';
import { linkedText } from './presenters/text';
import { exactTime, relativeTime } from './presenters/time';
import { fileSize, UPLOAD_LIMITS_TEXT } from './presenters/attachments';

export const VIEWS_DIR = path.join(PROJECT_ROOT, 'views');

/**
 * ejs as the app's view engine, with `views/` as the root of absolute includes
 * (`include('/partials/head')`). ejs looks a relative include up with fs.existsSync on every
 * render, even with its cache on (about 1 % of a page's CPU); an absolute one is resolved by
 * path alone. `cache` keeps compiled templates (production).
 */
export function useEjs(app: Express, cache: boolean): void {
  app.set('views', VIEWS_DIR);
  // Typed text with its web addresses as links, for views/partials/text.ejs: a pure function of the text.
  app.locals.linkedText = linkedText;
  // Which header link is the page's section; pages rendered before viewLocals (early errors) mark none.
  app.locals.current = () => '';
  // Lists date activity relative to the moment the page is made (pages are never cached).
  app.locals.ago = (at: Date) => relativeTime(at, new Date());
  app.locals.exactTime = exactTime;
  // Attached files: their sizes, and the limits a file field states.
  app.locals.fileSize = fileSize;
  app.locals.uploadLimitsText = UPLOAD_LIMITS_TEXT;
  app.set('view engine', 'ejs');
  if (cache) app.set('view cache', true);
  app.engine('ejs', (file: string, data: object, done: (err: unknown, html?: string) => void) => {
    ejs.renderFile(file, data as ejs.Data, { root: VIEWS_DIR, views: [VIEWS_DIR], cache }, done);
  });
}

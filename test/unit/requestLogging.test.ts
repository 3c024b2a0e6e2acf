/** The request log: one line per finished request, credentials cut out of the URL, nothing at all when the level is off. */
import { expect } from 'chai';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { requestLogging, scrubUrl } from '../../server/logger';
import { logLines } from '../helpers/logLines';

function appLogging(level: string) {
  const { lines, sink } = logLines();
  const log = pino({ level }, sink);
  const app = express();
  app.use(requestLogging(log, (url) => url === '/healthz'));
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  app.get('/ok', (_req, res) => void res.send('fine'));
  app.get('/broken', (_req, res) => void res.status(500).send('no'));
  return { app, lines };
}

describe('request logging', () => {
  it('writes method, URL without credentials, status and time for each finished request; skips health checks', async () => {
    const { app, lines } = appLogging('info');
    await request(app).get('/ok?token=s3cr3t-value&page=2').expect(200);
    await request(app).get('/healthz').expect(200);
    await request(app).get('/broken').expect(500);
    expect(lines).to.have.length(2);
    const [ok, broken] = lines as [Record<string, { method?: string; url?: string; statusCode?: number }>, Record<string, unknown>];
    expect(ok.req).to.include({ method: 'GET', url: '/ok?token=[redacted]&page=2' });
    expect(ok.res).to.deep.equal({ statusCode: 200 });
    expect(ok).to.have.property('responseTime').that.is.a('number');
    expect(ok).to.include({ msg: 'request completed', level: 30 });
    expect(JSON.stringify(lines)).not.to.contain('s3cr3t');
    expect(broken).to.include({ msg: 'request errored', level: 50 });
  });

  it('cuts credential values out of logged URLs however their names are written', () => {
    for (const name of ['token', 'TOKEN', '%74oken', 'access_token', 'tok%00en', 'to%00%00ken', 'tok%01en', 'api-key', 'x%20key', 'share.key', 'pass+word', 'csrf', 'reset_code', 'secret[]']) {
      const logged = scrubUrl(`/x?${name}=hunter2-value&page=2`);
      expect(logged, name).not.to.contain('hunter2');
      expect(logged, name).to.contain('=[redacted]&page=2');
    }
    // Portico's own credentials by their prefix, under any name, behind a `;`, encoded or in the path.
    for (const url of ['/share/dashboard?x=1;key=psl_hunter2', '/x?q=ptc_hunter2&page=2', '/x?q=PSL%5Fhunter2', '/x?q=psl%5fhunter2', '/share/psl_hunter2/x', '/x?q=a%20psl_hunter2']) {
      expect(scrubUrl(url), url).not.to.match(/hunter2/i);
      expect(scrubUrl(url), url).to.match(/redacted/);
    }
    expect(scrubUrl('/x?page=2&q=open%20issues')).to.equal('/x?page=2&q=open%20issues');
    expect(scrubUrl('/plain/path')).to.equal('/plain/path');
  });

  it('writes nothing and adds no listener when info is not enabled', async () => {
    const finishListeners = async (app: express.Express) => {
      let n = -1;
      app.get('/count', (_req, res) => {
        n = res.listenerCount('finish');
        res.send('x');
      });
      await request(app).get('/count').expect(200);
      return n;
    };
    const off = appLogging('warn');
    await request(off.app).get('/ok').expect(200);
    expect(off.lines).to.deep.equal([]);
    const bare = await finishListeners(express());
    expect(await finishListeners(off.app)).to.equal(bare);
    expect(await finishListeners(appLogging('info').app)).to.equal(bare + 1);
  });
});

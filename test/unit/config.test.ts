import { expect } from 'chai';
import { ConfigError, configWarnings, fallbackBaseUrl, loadConfig } from '../../server/config';

describe('configuration', () => {
  it('has the defaults of PRODUCT.md section 10', () => {
    const c = loadConfig({});
    expect(c.PORT).to.equal(3000);
    expect(c.HOST).to.equal('127.0.0.1');
    expect(c.DATABASE_URL).to.equal('sqlite:data/portico.sqlite');
    expect(c.BASE_PATH).to.equal('');
  });

  it('a variable set to nothing counts as unset (PORT= is 3000, not any free port)', () => {
    const c = loadConfig({ PORT: '', HOST: ' ', LOGIN_RATE_LIMIT: '', TRUST_PROXY: '', BASE_PATH: '' });
    expect([c.PORT, c.HOST, c.LOGIN_RATE_LIMIT, c.TRUST_PROXY, c.BASE_PATH]).to.deep.equal([3000, '127.0.0.1', 10, false, '']);
    expect(loadConfig({ PORT: '0' }).PORT).to.equal(0);
  });

  it('names each bad variable in one message', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', BASE_PATH: 'https://evil' }))
      .to.throw(ConfigError)
      .with.property('message')
      .that.matches(/PORT/)
      .and.matches(/DATABASE_URL: must start with postgres/)
      .and.matches(/BASE_PATH/);
  });

  it('requires SESSION_SECRET in production, as PRODUCT.md section 10 says; without PUBLIC_URL it starts and warns', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).to.throw(/SESSION_SECRET: is required/);
    const bare = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40) });
    expect(bare.PUBLIC_URL).to.equal(undefined);
    expect(configWarnings(bare)).to.have.length(1);
    expect(configWarnings(bare)[0]).to.match(/^PUBLIC_URL is not set: links in mail and the API's Next point at http:\/\/127\.0\.0\.1:3000;/);
    const full = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: 'x'.repeat(40), PUBLIC_URL: 'https://support.example.com/' });
    expect(full.PUBLIC_URL).to.equal('https://support.example.com');
    expect(configWarnings(full)).to.deep.equal([]);
    expect(configWarnings(loadConfig({}))).to.deep.equal([]);
  });

  it('links without PUBLIC_URL: an IPv6 host in brackets, a wildcard bind address as localhost (and warned about anywhere)', () => {
    expect(fallbackBaseUrl(loadConfig({ HOST: '::1', PORT: '3000' }))).to.equal('http://[::1]:3000');
    expect(fallbackBaseUrl(loadConfig({ HOST: '::', PORT: '3000', BASE_PATH: '/support' }))).to.equal('http://localhost:3000/support');
    expect(fallbackBaseUrl(loadConfig({ HOST: '0.0.0.0', PORT: '8080' }))).to.equal('http://localhost:8080');
    expect(fallbackBaseUrl(loadConfig({ HOST: 'desk.example.test', PORT: '80' }))).to.equal('http://desk.example.test:80');
    for (const url of ['::1', '::', '0.0.0.0'].map((HOST) => fallbackBaseUrl(loadConfig({ HOST })))) expect(() => new URL(url), url).not.to.throw();
    expect(configWarnings(loadConfig({ HOST: '0.0.0.0' }))).to.have.length(1);
    expect(configWarnings(loadConfig({ HOST: '0.0.0.0', PUBLIC_URL: 'https://support.example.com' }))).to.deep.equal([]);
  });

  it('TRUST_PROXY: false, a number of proxies (true is one), or the proxies\' addresses; never every hop', () => {
    const trust = (v?: string) => loadConfig(v === undefined ? {} : { TRUST_PROXY: v }).TRUST_PROXY;
    expect([trust(), trust('false'), trust('0'), trust('off')]).to.deep.equal([false, false, false, false]);
    expect([trust('true'), trust('1'), trust('yes'), trust('2')]).to.deep.equal([1, 1, 1, 2]);
    expect(trust('loopback')).to.equal('loopback');
    expect(trust('10.0.0.0/8, 192.168.1.5 ,::1,fd00::/8,uniquelocal')).to.equal('10.0.0.0/8,192.168.1.5,::1,fd00::/8,uniquelocal');
    for (const bad of ['every', '10.0.0.1/33', '::1/129', '10.0.0/8', 'loopback,evil.test', '10.0.0.1/8/1']) expect(() => trust(bad), bad).to.throw(ConfigError, /TRUST_PROXY/);
  });

  it('normalises BASE_PATH to a prefix without a trailing slash', () => {
    expect(loadConfig({ BASE_PATH: '/support/' }).BASE_PATH).to.equal('/support');
    expect(loadConfig({ BASE_PATH: '/' }).BASE_PATH).to.equal('');
  });
});

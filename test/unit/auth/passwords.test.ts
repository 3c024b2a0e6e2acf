import { expect } from 'chai';
import fc from 'fast-check';
import { hashPassword, passwordProblem, verifyPassword } from '../../../server/auth/passwords';
import { safeNextPath } from '../../../server/auth/redirects';

describe('passwords', () => {
  it('salts each hash and verifies only the right password', async () => {
    const a = await hashPassword('correct horse battery', 1024);
    const b = await hashPassword('correct horse battery', 1024);
    expect(a).to.match(/^scrypt\$1024\$8\$1\$/);
    expect(a).not.to.equal(b);
    expect(await verifyPassword('correct horse battery', a)).to.equal(true);
    expect(await verifyPassword('correct horse batterY', a)).to.equal(false);
    expect(await verifyPassword('anything', 'not-a-hash')).to.equal(false);
  });

  it('never truncates: passwords that differ only after 100 characters are different', async () => {
    const base = 'x'.repeat(100);
    const hash = await hashPassword(`${base}A`, 1024);
    expect(await verifyPassword(`${base}B`, hash)).to.equal(false);
    expect(await verifyPassword(`${base}A`, hash)).to.equal(true);
  });

  it('accepts 8 to 256 characters and refuses common passwords', () => {
    expect(passwordProblem('short')).to.match(/at least 8/);
    expect(passwordProblem('password')).to.match(/too common/);
    expect(passwordProblem('Password123')).to.match(/too common/);
    expect(passwordProblem('a'.repeat(256))).to.equal(null);
    expect(passwordProblem('a'.repeat(257))).to.match(/at most 256/);
    expect(passwordProblem('tolerable-phrase')).to.equal(null);
  });
});

describe('next= redirects', () => {
  it('keeps local paths', () => {
    expect(safeNextPath('/portal')).to.equal('/portal');
    expect(safeNextPath('/portal/requests/4?x=1')).to.equal('/portal/requests/4?x=1');
  });

  it('refuses anything that could leave the site', () => {
    for (const v of ['https://evil.test', '//evil.test', '/\\evil.test', 'evil.test', '', 'javascript:alert(1)', '/\nx', '/a\\b', '/.//evil.test/x', '/%2e%2e//evil.test', '/a/..//evil.test', undefined, 42]) {
      expect(safeNextPath(v), String(v)).to.equal(null);
    }
  });

  it('for any input, answers null or a path of this site', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        const out = safeNextPath(s);
        if (out === null) return true;
        // Whatever a browser makes of it, it stays on this site.
        return out.startsWith('/') && !out.startsWith('//') && new URL(out, 'http://portico.invalid').host === 'portico.invalid' && new URL(new URL(out, 'http://portico.invalid').pathname, 'http://portico.invalid').host === 'portico.invalid';
      }),
      { numRuns: 2000 },
    );
  });

  it('for any path built from slashes, dots and encodings, never answers a protocol-relative target', () => {
    const piece = fc.constantFrom('/', '//', '.', '..', '%2e', '%2E', '%2f', '\\', 'evil.test', 'a', '?', '#', ':', '@', '%5c');
    fc.assert(
      fc.property(fc.array(piece, { minLength: 1, maxLength: 10 }), (parts) => {
        const out = safeNextPath(parts.join(''));
        return out === null || (out.startsWith('/') && !out.startsWith('//') && !out.includes('\\'));
      }),
      { numRuns: 5000 },
    );
  });
});

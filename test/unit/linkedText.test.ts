/** Typed text's web addresses as links (presenters/text.ts): only whole http(s) addresses, and nothing else becomes an href. */
import { expect } from 'chai';
import fc from 'fast-check';
import { linkedText, withinPortico } from '../../server/presenters/text';

const links = (text: string, accept?: (u: string) => boolean) => linkedText(text, accept).filter((p) => p.href).map((p) => p.href);

describe('linked text', () => {
  it('links whole http(s) addresses and leaves the punctuation after them as text', () => {
    expect(links('See https://example.com/a?b=1. Or http://example.org/x), thanks')).to.deep.equal(['https://example.com/a?b=1', 'http://example.org/x']);
    expect(linkedText('Go to https://example.com/docs, then stop')).to.deep.equal([{ text: 'Go to ' }, { text: 'https://example.com/docs', href: 'https://example.com/docs' }, { text: ', then stop' }]);
  });

  it('links nothing else: no scripts, bare domains, emails, ftp, protocol-relative or credentials', () => {
    for (const text of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)//http://x', 'data:text/html,<b>x</b>', 'example.com', 'www.example.com', 'mail me: a@b.test', 'mailto:a@b.test', 'ftp://files.example.com/x', '//evil.example/x', 'vbscript:msgbox']) {
      const out = links(text);
      expect(out.every((u) => /^https?:\/\//.test(u!)), `${text}: ${out.join(' ')}`).to.equal(true);
      if (!/https?:\/\//.test(text)) expect(out, text).to.deep.equal([]);
    }
    expect(links('https://user:secret@example.com/x')).to.deep.equal([]);
  });

  it('the parts put back together are exactly the text, and every href is an http(s) address found in it', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string(), fc.constantFrom('https://example.com/p?q=1', 'http://a.test/(x)', ' ', '\n', '<script>', '"', 'javascript:', '.', ')')), { maxLength: 12 }), (pieces) => {
        const text = pieces.join('');
        const parts = linkedText(text);
        expect(parts.map((p) => p.text).join('')).to.equal(text);
        for (const p of parts.filter((x) => x.href)) {
          expect(p.href).to.match(/^https?:\/\//);
          expect(text.includes(p.text)).to.equal(true);
        }
      }),
    );
  });

  it('the outbox links only addresses into Portico itself', () => {
    const into = withinPortico('https://support.example.com');
    expect(links('Reset: https://support.example.com/portal/password/reset?token=x and https://support.example.com.evil.test/y and https://evil.test/https://support.example.com/', into)).to.deep.equal([
      'https://support.example.com/portal/password/reset?token=x',
    ]);
  });
});

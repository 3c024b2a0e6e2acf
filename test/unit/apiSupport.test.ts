import { expect } from 'chai';
import type { Request } from 'express';
import { listResponse, MAX_SKIP } from '../../server/routes/api/v1/support';

describe('REST API paging links', () => {
  const req = { path: '/Users', query: { where: 'IsActive eq True', token: 'ptc_secret', take: '2' } } as unknown as Request;

  it('Next carries the filter and the next skip, never the token', () => {
    const out = listResponse(req, 'http://portico.test', [1, 2, 3], { take: 2, skip: 4 });
    expect(out.Items).to.deep.equal([1, 2]);
    const next = new URL(out.Next!);
    expect(next.pathname).to.equal('/api/v1/Users');
    expect(Object.fromEntries(next.searchParams)).to.deep.equal({ where: 'IsActive eq True', take: '2', skip: '6' });
  });

  it('no Next on the last page, nor one that would point past the largest skip (it would answer 400)', () => {
    expect(listResponse(req, 'http://portico.test', [1, 2], { take: 2, skip: 0 })).to.deep.equal({ Items: [1, 2] });
    expect(listResponse(req, 'http://portico.test', [1, 2, 3], { take: 2, skip: MAX_SKIP - 1 })).to.deep.equal({ Items: [1, 2] });
    expect(listResponse(req, 'http://portico.test', [1, 2, 3], { take: 2, skip: MAX_SKIP - 2 }).Next).to.contain(`skip=${MAX_SKIP}`);
  });
});

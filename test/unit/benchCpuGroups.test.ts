/** The benchmark's CPU breakdown charges each sample to the code that asked for the work. */
import { expect } from 'chai';
import { groupProfile, type CpuProfile } from '../bench/cpuGroups';

const NM = '/srv/portico/node_modules';
const DIST = '/srv/portico/dist/server';

/** A profile whose nodes form one chain per entry (root → … → leaf), each leaf sampled `us` microseconds. */
function profileOf(chains: { frames: [string, string][]; us: number }[]): CpuProfile {
  const nodes: CpuProfile['nodes'] = [{ id: 1, callFrame: { functionName: '(root)', url: '' }, children: [] }];
  const samples: number[] = [];
  const timeDeltas: number[] = [];
  for (const chain of chains) {
    let parent = nodes[0]!;
    for (const [functionName, url] of chain.frames) {
      const node = { id: nodes.length + 1, callFrame: { functionName, url }, children: [] as number[] };
      nodes.push(node);
      parent.children!.push(node.id);
      parent = node;
    }
    samples.push(parent.id);
    timeDeltas.push(chain.us);
  }
  return { nodes, samples, timeDeltas };
}

describe('benchmark CPU breakdown', () => {
  it('charges natives and Node crypto to their caller, keeps socket writes as HTTP, leaves idle out', () => {
    const p = profileOf([
      { frames: [['(idle)', '']], us: 5000 },
      { frames: [['(garbage collector)', '']], us: 100 },
      { frames: [['handle', `${DIST}/routes/portal/home.js`], ['first', `${NM}/knex/lib/query/querybuilder.js`], ['_query', `${NM}/knex/lib/dialects/better-sqlite3/index.js`], ['all', '']], us: 300 },
      { frames: [['toSQL', `${NM}/knex/lib/query/querycompiler.js`]], us: 100 },
      { frames: [['session', `${NM}/express-session/index.js`], ['sign', `${NM}/cookie-signature/index.js`], ['Hmac', 'node:internal/crypto/hash'], ['digest', '']], us: 150 },
      { frames: [['end', `${NM}/express-session/index.js`], ['end', 'node:_http_outgoing'], ['writevGeneric', 'node:internal/stream_base_commons'], ['writev', '']], us: 200 },
      { frames: [['handle', `${NM}/router/lib/layer.js`]], us: 50 },
      { frames: [['anonymous', '/srv/portico/views/portal/home.ejs'], ['escape', `${NM}/ejs/lib/utils.js`]], us: 50 },
      { frames: [['render', `${DIST}/views.js`]], us: 25 },
      { frames: [['canView', `${DIST}/permissions/index.js`], ['JSON.parse', '']], us: 25 },
    ]);
    const b = groupProfile(p, 4);
    expect(b.busyMsPerRequest).to.be.closeTo(1000 / 1000 / 4, 1e-9);
    expect(b.shares).to.deep.equal({
      'SQL (driver)': 0.3,
      knex: 0.1,
      'session and sign-in': 0.15,
      'express and middleware': 0.05,
      'rendering (ejs)': 0.075,
      'Portico code': 0.025,
      'Node HTTP': 0.2,
      GC: 0.1,
      other: 0,
    });
  });
});

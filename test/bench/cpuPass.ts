/**
 * `npm run bench -- --cpu-profile`: each route measured once more, on a Portico started with the
 * CPU profiler preload (cpuProfiler.ts), profiling exactly the measured load, then grouped
 * (cpuGroups.ts): which code each route's main-thread time goes to.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { groupProfile, type Breakdown, type CpuProfile } from './cpuGroups';
import { setDirectAccess, startPortico, type Load, type Route } from './harness';

async function waitForFile(file: string, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!fs.existsSync(file)) {
    if (Date.now() > until) throw new Error(`no CPU profile at ${file} within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function profileCpu(databaseUrl: string, sessionSecret: string, routes: Route[], load: Load): Promise<[string, Breakdown][]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-cpu-'));
  const server = await startPortico(databaseUrl, 1, sessionSecret, {
    env: { PORTICO_CPU_PROFILE_DIR: dir },
    nodeFlags: ['--require', path.resolve(__dirname, '..', '..', 'dist', 'test', 'bench', 'cpuProfiler.js')],
  });
  const pid = server.servingPids[0]!;
  const out: [string, Breakdown][] = [];
  try {
    for (const [i, route] of routes.entries()) {
      if (route.directAccess) await setDirectAccess(databaseUrl, true);
      process.stdout.write(`  [${i + 1}/${routes.length}] ${route.name}: profiling ${load.seconds} s... `);
      const url = server.url + route.path;
      await autocannon({ url, headers: route.headers, connections: load.connections, duration: load.warmup });
      process.kill(pid, 'SIGUSR2');
      await new Promise((r) => setTimeout(r, 200));
      const r = await autocannon({ url, headers: route.headers, connections: load.connections, duration: load.seconds });
      process.kill(pid, 'SIGUSR2');
      const file = path.join(dir, `${i + 1}.cpuprofile`);
      await waitForFile(file, 30_000);
      const b = groupProfile(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile, r.requests.total);
      console.log(`${b.busyMsPerRequest.toFixed(2)} ms of main thread per request${r.non2xx ? ` (${r.non2xx} non-2xx)` : ''}`);
      out.push([route.name, b]);
      if (route.directAccess) await setDirectAccess(databaseUrl, false);
    }
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/**
 * Preloaded into a benchmarked server (`node --require dist/test/bench/cpuProfiler.js`) by
 * `npm run bench -- --cpu-profile`: each SIGUSR2 starts V8's sampling profiler on the main thread,
 * the next one stops it and writes the profile to `$PORTICO_CPU_PROFILE_DIR/<n>.cpuprofile`
 * (n = 1, 2, …), so a profile covers exactly one route's measured load: no start-up, no sign-in.
 * Not part of Portico: server code knows nothing of it.
 */
import fs from 'node:fs';
import inspector from 'node:inspector';
import path from 'node:path';

const dir = process.env.PORTICO_CPU_PROFILE_DIR;
if (dir) {
  const session = new inspector.Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result))));
  let running = false;
  let count = 0;
  process.on('SIGUSR2', () => {
    void (async () => {
      if (!running) {
        running = true;
        await post('Profiler.enable');
        await post('Profiler.setSamplingInterval', { interval: 200 });
        await post('Profiler.start');
        return;
      }
      running = false;
      const { profile } = (await post('Profiler.stop')) as { profile: unknown };
      count += 1;
      const file = path.join(dir, `${count}.cpuprofile`);
      fs.writeFileSync(`${file}.part`, JSON.stringify(profile));
      fs.renameSync(`${file}.part`, file);
    })().catch((err: unknown) => console.error('cpuProfiler:', err));
  });
}

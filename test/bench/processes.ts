/** Starting Portico (or the floor) as a child process, and reading its memory from /proc. */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');

const startConfig = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { config?: { node_flags?: string; malloc_arena_max?: string } }).config ?? {};

/**
 * How `npm start` runs Portico (package.json `config`): the V8 flags, and glibc's
 * MALLOC_ARENA_MAX. The benchmark runs Portico and the floor the same way.
 */
export const NODE_FLAGS: string[] = (startConfig.node_flags ?? '').split(/\s+/).filter(Boolean);
export const START_ENV: Record<string, string> = startConfig.malloc_arena_max ? { MALLOC_ARENA_MAX: process.env.MALLOC_ARENA_MAX ?? startConfig.malloc_arena_max } : {};

export interface Child {
  url: string;
  /** The processes that serve requests: the server itself, or every worker of a cluster. */
  servingPids: number[];
  /** Every process of the child: the primary as well when clustered. */
  allPids: number[];
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

interface Listening {
  portico: 'listening';
  url: string;
  workers: number[];
}

function isListening(m: unknown): m is Listening {
  return typeof m === 'object' && m !== null && (m as { portico?: unknown }).portico === 'listening';
}

/**
 * `node <NODE_FLAGS> <script>.js` (compiled by `npm run build`, run as `npm start` runs it), or
 * `node --import tsx <script>.ts`; no
 * wrapper process either way, so the pid is the server's own. With
 * an IPC channel on which server/main.ts and floor.ts say when they listen. `stdoutLines`
 * collects what the child prints (its JSON log lines) instead of passing it through;
 * `nodeFlags` are added to Node's (the benchmark's CPU profiler preload).
 */
export async function startChild(script: string, env: Record<string, string>, opts: { timeoutMs?: number; stdoutLines?: string[]; nodeFlags?: string[] } = {}): Promise<Child> {
  const timeoutMs = opts.timeoutMs ?? 90_000;
  const child: ChildProcess = spawn(process.execPath, [...(script.endsWith('.ts') ? ['--import', 'tsx'] : NODE_FLAGS), ...(opts.nodeFlags ?? []), path.join(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, ...(script.endsWith('.ts') ? {} : START_ENV), ...env },
    stdio: ['ignore', opts.stdoutLines ? 'pipe' : 'inherit', 'inherit', 'ipc'],
  });
  if (opts.stdoutLines && child.stdout) {
    const lines = opts.stdoutLines;
    let rest = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts);
    });
  }
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const listening = await new Promise<Listening>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within ${timeoutMs / 1000} s`)), timeoutMs);
    child.on('message', (m) => {
      if (isListening(m)) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} stopped with code ${code} before listening`));
    });
  });
  const pid = child.pid ?? 0;
  const clustered = listening.workers.length > 1 || listening.workers[0] !== pid;
  return {
    url: listening.url.replace(/\/$/, ''),
    servingPids: listening.workers,
    allPids: clustered ? [pid, ...listening.workers] : [pid],
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    },
  };
}

function statusField(pid: number, field: string): number | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Peak resident memory (VmHWM) in MB, or null where /proc is not available. */
export function peakRssMb(pid: number): number | null {
  return statusField(pid, 'VmHWM');
}

/** Resets VmHWM to the current RSS (Linux: `echo 5 > /proc/PID/clear_refs`), so each route gets its own peak. */
export function resetPeakRss(pid: number): boolean {
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** CPU time used so far by a process, user + system, every thread (ms), or null without /proc. */
export function cpuMs(pid: number): number | null {
  try {
    // Fields after the command name: state is the 1st, utime the 12th, stime the 13th (clock ticks, 100 per second).
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return null;
  }
}

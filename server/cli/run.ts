import { ConfigError } from '../config';

/** Runs a command-line entry point: prints a clean message and a non-zero status on failure. */
export function runCli(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    const message = err instanceof ConfigError || err instanceof Error ? err.message : String(err);
    console.error(`Error: ${message}`);
    process.exit(1);
  });
}

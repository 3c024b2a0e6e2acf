import readline from 'node:readline';

/**
 * Reads a line from the terminal without echoing it. Rejects when the input ends before a
 * line is given (stdin closed or /dev/null, as in a provisioning script), so the command
 * fails instead of exiting quietly with nothing done.
 */
export function askHidden(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: process.stdin, output: process.stdout, terminal: true });
    const write = (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput;
    (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
      if (s.includes(question)) write.call(rl, s);
    };
    let answered = false;
    rl.on('close', () => {
      if (!answered) reject(new Error('no password was given (the input ended): type it when asked, or set PORTICO_PASSWORD'));
    });
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    });
  });
}

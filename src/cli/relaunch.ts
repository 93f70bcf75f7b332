import { spawn } from 'node:child_process';
import { constants } from 'node:os';

/**
 * Runs this CLI again, the same script and arguments, as a child with `env`, and ends this process
 * as the child ends: with its exit status, or by the signal that ended it. Resolves true once the
 * child runs (this process then only waits), false if it could not be started (the caller runs
 * the CLI itself). The child shares stdin, stdout and stderr.
 *
 * Signals follow system(3): a terminal's Ctrl-C and Ctrl-\ go to the whole foreground process
 * group, the child included, so this process ignores them rather than send them twice (a second
 * SIGINT would end `corecheck serve` by the signal instead of its own clean stop); a signal sent
 * to this process alone (SIGTERM from a CI runner or `timeout`, SIGHUP) is passed on.
 */
export function relaunch(env: Record<string, string | undefined>): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, process.argv.slice(1), { stdio: 'inherit', env });
    const ignore = (): void => undefined;
    const pass = (signal: NodeJS.Signals): void => { child.kill(signal); };
    const listeners: [NodeJS.Signals, (signal: NodeJS.Signals) => void][] = [['SIGINT', ignore], ['SIGQUIT', ignore], ['SIGTERM', pass], ['SIGHUP', pass]];
    for (const [signal, listener] of listeners) process.on(signal, listener);
    const stopListening = (): void => { for (const [signal, listener] of listeners) process.off(signal, listener); };
    let started = false;
    child.once('spawn', () => {
      started = true;
      resolve(true);
    });
    child.on('error', () => {
      if (started) return; // a signal that could not be passed on: the child ends on its own
      stopListening();
      resolve(false);
    });
    child.once('exit', (code, signal) => {
      stopListening();
      if (!signal) process.exit(code ?? 1);
      process.kill(process.pid, signal);
      // a signal Node handles itself does not end the process: exit as a shell reports it
      process.exit(128 + (constants.signals[signal] ?? 0));
    });
  });
}

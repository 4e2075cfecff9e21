// Helper processes of a test run (redis-server, nginx, caddy): tied to the test process, so a test
// runner that crashes or is killed leaves none behind, with their output kept for failure messages.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

const OUTPUT_CAP = 1 << 20;

/**
 * Starts `binary args` under `setpriv --pdeathsig KILL` where it exists (setpriv execs the binary in
 * place, so the PID is the binary's own) and records on `holder`: process, pid, output (stdout and
 * stderr, the first MiB, appended to holder.output), exit once it has gone and exited (a promise of
 * {code, signal} or {code: null, signal: null, error}). A holder that starts a new child (a restart)
 * takes only the newest child's exit.
 */
export function spawnTied(holder, binary, args, { env, cwd } = {}) {
  const useSetpriv = existsSync('/usr/bin/setpriv');
  const [command, argv] = useSetpriv ? ['/usr/bin/setpriv', ['--pdeathsig', 'KILL', binary, ...args]] : [binary, args];
  const child = spawn(command, argv, { stdio: ['ignore', 'pipe', 'pipe'], env, cwd });
  holder.process = child;
  holder.pid = child.pid;
  const capture = (chunk) => {
    if (holder.output.length < OUTPUT_CAP) holder.output += chunk.toString('utf8');
  };
  child.stdout.on('data', capture);
  child.stderr.on('data', capture);
  holder.exited = new Promise((resolve) => {
    const settle = (exit) => {
      if (holder.process === child) holder.exit = exit;
      resolve(exit);
    };
    child.once('exit', (code, signal) => settle({ code, signal }));
    child.once('error', (err) => {
      holder.output += `\n[spawn error] ${err.message}\n`;
      settle({ code: null, signal: null, error: err });
    });
  });
  return child;
}

import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Starts `mfa-desk serve` as its own process on a free port; resolves with its URL and the child.
 * BENCH_SERVER_NODE_ARGS adds Node flags to it, to see where a benchmark's time goes:
 * `BENCH_SERVER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof'` (NODE_OPTIONS refuses --cpu-prof).
 */
export function startServerProcess(env: NodeJS.ProcessEnv): Promise<{ url: string; child: ChildProcess }> {
  return startListeningProcess(['bin/mfa-desk.mjs', 'serve', '--port', '0'], env);
}

/**
 * Starts `node [BENCH_SERVER_NODE_ARGS] ...args` and resolves once it prints "on http://host:port"
 * (a server of a peer framework, bench/peers/*), with that URL and the child.
 */
export function startListeningProcess(args: string[], env: NodeJS.ProcessEnv): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [...(process.env.BENCH_SERVER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), ...args], {
    env,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /on (http:\/\/[\d.]+:\d+)/.exec(out);
      if (match) resolve({ url: match[1]!, child });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

/** Sends SIGTERM and waits (at most `ms`) for the process to exit. */
export async function stopProcess(child: ChildProcess | undefined, ms = 5000): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, ms))]);
}

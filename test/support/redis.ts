/**
 * A throwaway redis-server for queue tests: on a free loopback port, no persistence, stopped after the tests. Returns
 * null (tests skip, saying why) when redis-server is not installed or does not start.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, connect } from 'node:net';

export interface TestRedis {
  url: string;
  port: number;
  /** Stop it (its data, the queue included, is gone) and start it again on the same port, empty. */
  restart(downMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => done(typeof address === 'object' && address ? address.port : 0));
    });
  });

const answers = (port: number) =>
  new Promise<boolean>((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.end();
      done(true);
    });
    socket.once('error', () => done(false));
  });

export function redisAvailable(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function startTestRedis(): Promise<TestRedis | null> {
  if (!redisAvailable()) return null;
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (await answers(port)) return true;
      await new Promise((done) => setTimeout(done, 50));
    }
    return false;
  };
  const stop = async () => {
    const running = child;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((done) => running.once('exit', done));
    running.kill('SIGKILL');
    await exited;
  };
  if (!(await start())) {
    await stop();
    return null;
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    restart: async (downMs = 500) => {
      await stop();
      await new Promise((done) => setTimeout(done, downMs));
      if (!(await start())) throw new Error(`redis-server did not come back on port ${port}`);
    },
  };
}

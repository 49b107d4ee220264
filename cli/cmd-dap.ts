// liferaft dap [--server=PORT]: the debug adapter for any DAP client — on stdin/stdout, or as a
// TCP server (each connection gets its own session) for clients that connect to a port.
import { readFile } from 'node:fs/promises';
import { createServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { SimDebugSession, type FileAccessor } from '../debug-adapter/session';
import { loadNode } from './node-module';
import { intOption, type Io } from './args';

const nodeFiles: FileAccessor = {
  readFile: (path: string): Promise<string> => readFile(path, 'utf8'),
  // (A launch's `node`, or the node a trace ran; errors reach the client as the launch's error.)
  loadNode: async (path: string) => {
    try {
      const n = await loadNode(path);
      return { module: n.module, file: n.file, name: n.label, sha256: n.sha256 };
    } catch (e) {
      throw new Error((e as Error).message);
    }
  },
};

/** A session on stdio (the protocol owns stdout: nothing else may print there). */
export function startStdioSession(): void {
  const session = new SimDebugSession(nodeFiles);
  session.start(process.stdin, process.stdout);
}

export async function dapCommand(argv: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args: argv, options: { server: { type: 'string' }, host: { type: 'string' } } });
  if (values.server === undefined) {
    startStdioSession();
    return new Promise<number>(() => undefined);
  }
  const port = intOption('server', values.server, 4711, 0, 65535);
  const host = values.host ?? '127.0.0.1';
  const server = createServer((socket: Socket) => {
    const session = new SimDebugSession(nodeFiles);
    session.setRunAsServer(true);
    session.start(socket, socket);
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const addr = server.address();
  io.err(`liferaft dap: listening on ${host}:${typeof addr === 'object' && addr !== null ? addr.port : port}`);
  return new Promise<number>(() => undefined);
}

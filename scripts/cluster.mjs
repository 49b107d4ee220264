// npm run cluster: a 3-node LifeRaft key/value cluster on loopback, data under a temp folder
// (or LIFERAFT_DATA), each node's log prefixed by its name. Ctrl-C stops all three.
// Peers on 127.0.0.1:7001-7003, clients on http://127.0.0.1:8001-8003.
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ids = ['n1', 'n2', 'n3'];
const data = process.env.LIFERAFT_DATA ?? mkdtempSync(join(tmpdir(), 'liferaft-cluster-'));
const children = [];
for (const [i, id] of ids.entries()) {
  const peers = ids
    .filter((p) => p !== id)
    .map((p) => `${p}=127.0.0.1:${7001 + ids.indexOf(p)}`)
    .join(',');
  const args = [
    'dist/cli.js',
    'node',
    '--id',
    id,
    '--listen',
    `127.0.0.1:${7001 + i}`,
    '--peers',
    peers,
    '--data',
    join(data, id),
    '--http',
    `127.0.0.1:${8001 + i}`,
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'pipe'] });
  child.stderr.setEncoding('utf8');
  let rest = '';
  child.stderr.on('data', (chunk) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop();
    for (const l of lines) process.stderr.write(`[${id}] ${l}\n`);
  });
  child.on('exit', (code, signal) => {
    process.stderr.write(`[${id}] exited (${signal ?? code})\n`);
  });
  children.push(child);
}
process.stderr.write(
  `liferaft cluster: data in ${data}\n  try: node dist/cli.js kv set x 1 · node dist/cli.js kv get x · node dist/cli.js kv (a prompt) · curl http://127.0.0.1:8001/status\n`,
);
let stopping = false;
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    if (stopping) return;
    stopping = true;
    for (const c of children) c.kill('SIGTERM');
  });
}

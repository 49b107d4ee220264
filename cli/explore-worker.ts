// Worker thread of `liferaft explore`: runs the seeds it is sent and reports a summary of each
// (loading a user's node once, when the batches name one).
import { parentPort } from 'node:worker_threads';
import { runSeeds, type SeedBatch } from '../sim';
import { loadNode, type LoadedNode } from './node-module';

const port = parentPort;
if (port === null) throw new Error('explore-worker must run in a worker thread');
let node: Promise<LoadedNode> | null = null;
port.on('message', (req: SeedBatch) => {
  if (req.node === undefined || req.node === null) {
    port.postMessage(runSeeds(req));
    return;
  }
  node ??= loadNode(req.node);
  void node.then((n) => port.postMessage(runSeeds(req, { module: n.module, label: n.label })));
});

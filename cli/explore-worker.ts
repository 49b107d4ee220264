// Worker thread of `liferaft explore`: runs the seeds it is sent and reports a summary of each.
import { parentPort } from 'node:worker_threads';
import { runSeeds, type SeedBatch } from '../sim';

const port = parentPort;
if (port === null) throw new Error('explore-worker must run in a worker thread');
port.on('message', (req: SeedBatch) => {
  port.postMessage(runSeeds(req));
});

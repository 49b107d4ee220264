// dist/exploreWorker.js: the explore worker as a Node worker thread (desktop).
import { parentPort } from 'node:worker_threads';
import { explore, type ExploreRequest } from './explore-worker';
import { requireFor } from './user-node-desktop';

parentPort?.on('message', (req: ExploreRequest) => explore(req, (r) => parentPort!.postMessage(r), requireFor));

// dist/web/exploreWorker.js: the explore worker as a web worker (VS Code for the Web).
import { explore, type ExploreRequest } from './explore-worker';
import { requireFor } from './user-node-web';

declare const self: { onmessage: ((e: { data: ExploreRequest }) => void) | null; postMessage(m: unknown): void };

self.onmessage = (e) => explore(e.data, (r) => self.postMessage(r), requireFor);

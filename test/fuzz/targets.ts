// Every fuzz target, in the order the campaigns run.
import type { FuzzTarget } from './campaign';
import { dapTarget, httpTarget, tcpTarget } from './targets-live';
import { historyTarget, lspTarget, rafttraceTarget, raftsimTarget } from './targets-text';

export const TARGETS = [raftsimTarget, lspTarget, rafttraceTarget, dapTarget, tcpTarget, httpTarget, historyTarget] as unknown as readonly FuzzTarget[];

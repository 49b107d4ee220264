// Messages between the extension and its webview panels (media/): the only thing media/ may
// import. The state itself is the debug adapter's `liferaft/state` answer.
export type {
  LinOperation,
  LinReport,
  LinKeyView,
  LinOperationView,
  MessageSnapshot,
  NodeSnapshot,
  StateResponseBody,
  StepSummary,
} from '../debug-adapter/protocol';
import type { StateResponseBody, StepSummary } from '../debug-adapter/protocol';

/** Extension → panel. */
export type ToPanel =
  | { readonly type: 'state'; readonly state: StateResponseBody; readonly steps?: readonly StepSummary[] }
  /** The debug session ended: the panel keeps the last picture, marked as ended. */
  | { readonly type: 'ended' };

/** Panel → extension. */
export type FromPanel =
  /** The panel's script is running and can receive state. */
  | { readonly type: 'ready' }
  /** Time travel from a panel: the debugger goes to this step. */
  | { readonly type: 'goto'; readonly step: number };

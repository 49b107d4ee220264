// What the journeys of one host share: its workbench (started once for all of them) and its kind.
import type { HostKind, Workbench } from '../e2e/workbench';

export interface Journeys {
  /** The host's workbench, once started (read it inside a test). */
  readonly wb: Workbench;
  readonly kind: HostKind;
}

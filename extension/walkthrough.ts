// The walkthrough's steps tick on context keys the extension sets when the user has done the
// step, however they did it (a button, a code lens, the Command Palette, a key, the debug toolbar):
// `onCommand:` only sees commands the workbench itself runs, not a code lens's.
import * as vscode from 'vscode';
import { DEBUG_TYPE } from '../debug-adapter/protocol';

export type Milestone = 'scenarioOpened' | 'debugged' | 'timeTravelled' | 'explored';

/** Requests that move a session back in time (the debug toolbar, Run to Cursor on a trace line, the panels). */
const TIME_TRAVEL = new Set(['stepBack', 'reverseContinue', 'goto', 'restartFrame', 'liferaft/goto']);

export function markDone(m: Milestone): void {
  void vscode.commands.executeCommand('setContext', `liferaft.${m}`, true);
}

export function registerWalkthrough(context: vscode.ExtensionContext): void {
  const onEditor = (e: vscode.TextEditor | undefined): void => {
    if (e?.document.languageId === 'raftsim') markDone('scenarioOpened');
  };
  onEditor(vscode.window.activeTextEditor);
  context.subscriptions.push(
    vscode.window.onDidChangeActiveTextEditor(onEditor),
    vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
      createDebugAdapterTracker: () => {
        markDone('debugged');
        return {
          onWillReceiveMessage: (m: { type?: string; command?: string }) => {
            if (m.type === 'request' && m.command !== undefined && TIME_TRAVEL.has(m.command)) markDone('timeTravelled');
          },
        };
      },
    }),
  );
}

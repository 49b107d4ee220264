// Porcupine (github.com/anishathalye/porcupine), side by side: a Go test of ours, copied with a
// checkout of Porcupine into a temporary folder, times Porcupine's CheckEventsTimeout on each
// history file with Porcupine's own parsers and models (its etcd register model for jepsen.util
// logs, its partitioned key/value model for its key/value logs), best of N, and prints one line per
// history. Nothing of Porcupine's is kept or shipped: the user points at their own checkout.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const HARNESS = `package porcupine

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// LIFERAFT_SUITE: lines "etcd|kv PATH"; LIFERAFT_REPEAT: best of N; LIFERAFT_TIMEOUT_MS: per history.
func TestLiferaftSideBySide(t *testing.T) {
	f, err := os.Open(os.Getenv("LIFERAFT_SUITE"))
	if err != nil {
		t.Skip("LIFERAFT_SUITE not set")
	}
	defer f.Close()
	repeat, timeoutMs := 3, 30000
	fmt.Sscanf(os.Getenv("LIFERAFT_REPEAT"), "%d", &repeat)
	fmt.Sscanf(os.Getenv("LIFERAFT_TIMEOUT_MS"), "%d", &timeoutMs)
	scanner := bufio.NewScanner(f)
	for scanner.Scan() {
		fields := strings.SplitN(strings.TrimSpace(scanner.Text()), " ", 2)
		if len(fields) != 2 {
			continue
		}
		var events []Event
		var model Model
		if fields[0] == "etcd" {
			events, model = parseJepsenLog(fields[1]), etcdModel
		} else {
			events, model = parseKvLog(fields[1]), kvModel
		}
		best := time.Duration(1 << 62)
		var res CheckResult
		for i := 0; i < repeat; i++ {
			t0 := time.Now()
			res = CheckEventsTimeout(model, events, time.Duration(timeoutMs)*time.Millisecond)
			if d := time.Since(t0); d < best {
				best = d
			}
			if res == Unknown {
				break
			}
		}
		fmt.Printf("LIFERAFT\\t%s\\t%s\\t%d\\n", fields[1], res, best.Microseconds())
	}
}
`;

export interface PorcupineRun {
  /** Per history path: Porcupine's verdict (ok, illegal, unknown) and its best time in ms. */
  readonly results: Map<string, { verdict: string; ms: number }>;
  readonly commit: string;
  readonly goVersion: string;
}

/** Runs Porcupine on `histories` (kind: etcd = jepsen.util log, kv = Porcupine's key/value log). */
export function runPorcupine(
  checkout: string,
  histories: readonly { kind: 'etcd' | 'kv'; path: string }[],
  opts: { repeat: number; timeoutMs: number },
): PorcupineRun {
  const dir = resolve(checkout);
  if (!existsSync(join(dir, 'checker.go')) || !existsSync(join(dir, 'porcupine_test.go')))
    throw new Error(`${checkout} is not a checkout of Porcupine (no checker.go and porcupine_test.go)`);
  const go = spawnSync('go', ['version'], { encoding: 'utf8' });
  if (go.status !== 0) throw new Error('Go is not installed (Debian: apt-get install golang-go)');
  const work = mkdtempSync(join(tmpdir(), 'liferaft-porcupine-'));
  try {
    cpSync(dir, work, { recursive: true, filter: (src) => !src.includes(`${dir}/.git/`) });
    writeFileSync(join(work, 'liferaft_side_by_side_test.go'), HARNESS);
    const suite = join(work, 'liferaft-suite.txt');
    writeFileSync(suite, histories.map((h) => `${h.kind} ${resolve(h.path)}`).join('\n'));
    const r = spawnSync('go', ['test', '-run', 'TestLiferaftSideBySide', '-count=1', '-v', '-timeout', '2h', '.'], {
      cwd: work,
      encoding: 'utf8',
      env: {
        ...process.env,
        LIFERAFT_SUITE: suite,
        LIFERAFT_REPEAT: String(opts.repeat),
        LIFERAFT_TIMEOUT_MS: String(opts.timeoutMs),
        GOFLAGS: '-mod=mod',
        GOTOOLCHAIN: 'local',
      },
      maxBuffer: 64 * 2 ** 20,
    });
    const results = new Map<string, { verdict: string; ms: number }>();
    for (const line of r.stdout.split('\n')) {
      const [tag, path, verdict, us] = line.split('\t');
      if (tag === 'LIFERAFT' && path !== undefined)
        results.set(path, { verdict: verdict === 'Ok' ? 'ok' : verdict === 'Illegal' ? 'illegal' : 'unknown', ms: Number(us) / 1000 });
    }
    if (results.size === 0) throw new Error(`go test printed no results (exit ${r.status}):\n${(r.stdout + r.stderr).slice(-2000)}`);
    const commit = spawnSync('git', ['-C', dir, 'log', '-1', '--format=%h %s'], { encoding: 'utf8' }).stdout.trim();
    return { results, commit: commit === '' ? 'unknown commit' : commit, goVersion: go.stdout.trim() };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

// npm run fuzz -- [--target NAME,...] [--inputs N] [--seed S] [--json]: the fuzz campaigns, one
// per input surface, with counts. Exit 1 on any crash; the first crashing inputs are written to
// fuzz-crashes/TARGET-K.txt to reproduce them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runCampaign, type CampaignResult } from './campaign';
import { TARGETS } from './targets';

const USAGE = `usage: npm run fuzz -- [--target NAME,...] [--inputs N] [--seed S] [--json]
  Seeded random and mutated inputs against each input surface; counts of accepted, refused (by kind),
  stopped (peer frames: a forged message tripped a core assertion) and crashes. Exit 0 with no crash,
  1 with crashes (their inputs in fuzz-crashes/), 64 bad options.
  --target  ${TARGETS.map((t) => t.name).join(', ')} (default: all)
  --inputs  per target (default 100000)
  --seed    (default 1): the same seed gives the same inputs`;

function usage(problem: string): number {
  process.stderr.write(`fuzz: ${problem}\n${USAGE}\n`);
  return 64;
}

async function main(): Promise<number> {
  let values: { target?: string; inputs?: string; seed?: string; json?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        target: { type: 'string' },
        inputs: { type: 'string' },
        seed: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    return usage((e as Error).message);
  }
  if (values.help === true) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const names = values.target?.split(',').map((x) => x.trim()) ?? TARGETS.map((t) => t.name);
  const unknown = names.filter((n) => !TARGETS.some((t) => t.name === n));
  if (unknown.length > 0) return usage(`unknown target ${unknown.map((u) => JSON.stringify(u)).join(', ')}`);
  const inputs = Number(values.inputs ?? 100_000);
  const seed = Number(values.seed ?? 1);
  if (!Number.isSafeInteger(inputs) || inputs < 1) return usage(`--inputs must be a positive integer (got ${JSON.stringify(values.inputs)})`);
  if (!Number.isSafeInteger(seed)) return usage(`--seed must be an integer (got ${JSON.stringify(values.seed)})`);
  const results: CampaignResult[] = [];
  if (values.json !== true) process.stdout.write(`fuzz campaigns: ${inputs.toLocaleString('en')} inputs per target, seed ${seed}\n`);
  for (const t of TARGETS.filter((x) => names.includes(x.name))) {
    const res = await runCampaign(t, inputs, seed, (done) => {
      if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2K${t.name}: ${done.toLocaleString('en')}`);
    });
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
    results.push(res);
    if (values.json === true) continue;
    process.stdout.write(
      `  ${t.name.padEnd(10)} ${res.inputs.toLocaleString('en').padStart(9)} inputs  ${res.accepted.toLocaleString('en').padStart(8)} accepted  ${res.refused.toLocaleString('en').padStart(8)} refused  ${res.stopped > 0 ? `${res.stopped.toLocaleString('en')} stopped  ` : ''}${String(res.crashes).padStart(4)} crashes  ${Math.round(
        res.inputs / res.seconds,
      )
        .toLocaleString('en')
        .padStart(7)} inputs/s   (${t.about})\n`,
    );
    for (const [m, n] of res.refusals.slice(0, 5)) process.stdout.write(`      ${String(n).padStart(7)} × ${m}\n`);
    res.crashInputs.forEach((c, k) => {
      mkdirSync('fuzz-crashes', { recursive: true });
      const file = `fuzz-crashes/${t.name}-${k + 1}.txt`;
      writeFileSync(file, `${c.error}\n\n--- input ---\n${c.input}\n`);
      process.stdout.write(`      crash: ${c.error.split('\n')[0]} (input in ${file})\n`);
    });
  }
  const crashes = results.reduce((a, r) => a + r.crashes, 0);
  const total = results.reduce((a, r) => a + r.inputs, 0);
  // (One JSON object, as every command of the CLI prints with --json.)
  if (values.json === true)
    process.stdout.write(
      `${JSON.stringify({ seed, inputs: total, crashes, targets: results.map(({ crashInputs, ...r }) => ({ ...r, crashInputs: crashInputs.map((c) => c.error.split('\n')[0]) })) })}\n`,
    );
  else process.stdout.write(`${crashes === 0 ? 'ok' : 'FAILED'}: ${total.toLocaleString('en')} inputs, ${crashes} crash${crashes === 1 ? '' : 'es'}\n`);
  return results.some((r) => r.crashes > 0) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`fuzz: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(3);
  },
);

// npm run fuzz -- [--target NAME,...] [--inputs N] [--seed S] [--json]: the fuzz campaigns, one
// per input surface, with counts. Exit 1 on any crash; the first crashing inputs are written to
// fuzz-crashes/TARGET-K.txt to reproduce them.
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runCampaign, type CampaignResult } from './campaign';
import { TARGETS } from './targets';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { target: { type: 'string' }, inputs: { type: 'string' }, seed: { type: 'string' }, json: { type: 'boolean' } },
  });
  const names = values.target?.split(',') ?? TARGETS.map((t) => t.name);
  const unknown = names.filter((n) => !TARGETS.some((t) => t.name === n));
  if (unknown.length > 0) {
    process.stderr.write(`fuzz: unknown target ${unknown.join(', ')} (targets: ${TARGETS.map((t) => t.name).join(', ')})\n`);
    return 64;
  }
  const inputs = Number(values.inputs ?? 100_000);
  const seed = Number(values.seed ?? 1);
  if (!Number.isSafeInteger(inputs) || inputs < 1 || !Number.isSafeInteger(seed)) {
    process.stderr.write('fuzz: --inputs must be a positive integer and --seed an integer\n');
    return 64;
  }
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
  if (values.json === true)
    process.stdout.write(
      `${JSON.stringify(results.map(({ crashInputs, ...r }) => ({ ...r, crashInputs: crashInputs.map((c) => c.error.split('\n')[0]) })))}\n`,
    );
  return results.some((r) => r.crashes > 0) ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`fuzz: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(3);
  },
);

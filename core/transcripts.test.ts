// Runs the datadriven transcripts in core/testdata: each file is one story of the protocol.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { runFile } from '../test/datadriven';
import { Interaction } from './testing/interact';

describe('core transcripts', () => {
  const dir = join(__dirname, 'testdata');
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.txt'))
    .sort()) {
    it(file, () => {
      const interaction = new Interaction();
      runFile(join(dir, file), (tc) => interaction.run(tc));
    });
  }
});

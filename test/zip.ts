// Reading a .vsix (a zip) in tests, with yauzl (what @vscode/vsce itself reads zips with).

/** A zip's entries (name → bytes). */
export async function readZip(path: string): Promise<Map<string, Buffer>> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const yauzl = require('yauzl') as { open(p: string, o: object, cb: (e: Error | null, z: ZipFile) => void): void };
  interface ZipFile {
    readEntry(): void;
    on(ev: 'entry', f: (e: { fileName: string }) => void): void;
    once(ev: 'end' | 'error', f: (e?: Error) => void): void;
    openReadStream(e: { fileName: string }, cb: (err: Error | null, s: NodeJS.ReadableStream) => void): void;
  }
  const zip = await new Promise<ZipFile>((resolve, reject) => yauzl.open(path, { lazyEntries: true }, (e, z) => (e ? reject(e) : resolve(z))));
  const out = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    zip.once('end', () => resolve());
    zip.once('error', reject);
    zip.on('entry', (entry) => {
      zip.openReadStream(entry, (err, stream) => {
        if (err) return reject(err);
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.once('error', reject);
        stream.once('end', () => {
          out.set(entry.fileName, Buffer.concat(chunks));
          zip.readEntry();
        });
      });
    });
    zip.readEntry();
  });
  return out;
}

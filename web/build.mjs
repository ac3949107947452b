// Builds the front-end into the Python package's static folder (committed, so users need no Node).
//   cd web && npm ci && npm run build
import { build } from 'esbuild';
import { copyFileSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'src', 'foedus', 'web', 'static');
const LIMIT = 2 * 1024 * 1024; // total size of the built assets

mkdirSync(join(out, 'js'), { recursive: true });
mkdirSync(join(out, 'css'), { recursive: true });
mkdirSync(join(out, 'data'), { recursive: true });

await build({
  entryPoints: { app: join(here, 'src', 'app.js'), map: join(here, 'src', 'map.js') },
  outdir: join(out, 'js'),
  bundle: true,
  format: 'esm',
  minify: true,
  target: ['es2020'],
  legalComments: 'eof',
  logLevel: 'info',
});
await build({
  entryPoints: [join(here, 'src', 'foedus.css')],
  outfile: join(out, 'css', 'foedus.css'),
  bundle: true,
  minify: true,
  logLevel: 'info',
});
copyFileSync(join(here, 'node_modules', 'world-atlas', 'countries-110m.json'), join(out, 'data', 'countries-110m.json'));
copyFileSync(join(here, 'src', 'favicon.svg'), join(out, 'favicon.svg'));

const sizes = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const file = join(dir, name);
    const st = statSync(file);
    if (st.isDirectory()) walk(file);
    else sizes.push([file.slice(out.length + 1), st.size]);
  }
};
walk(out);
const total = sizes.reduce((s, [, n]) => s + n, 0);
for (const [name, n] of sizes) console.log(`${String(n).padStart(9)}  ${name}`);
console.log(`${String(total).padStart(9)}  total`);
if (total > LIMIT) {
  console.error(`built assets are ${total} bytes, over the ${LIMIT}-byte budget`);
  process.exit(1);
}

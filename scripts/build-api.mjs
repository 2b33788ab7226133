// `pnpm build:api`: compiles the API to plain JavaScript with esbuild, so production runs it with `node` alone (tsx is
// for development and tests). Output, flat in one folder (default api/dist, or `--outdir DIR`):
//   server.js               the server (api/src/server.ts)
//   migrate.js              `pnpm db:migrate` (api/src/cli/migrate.ts)
//   <name>.worker.js        each api/src/**/<name>.worker.ts, beside server.js, where lib/worker.ts looks for it
//   chunk-*.js              code shared by those entries, and modules loaded only on demand (import())
// Dependencies are bundled too: loading one file is much faster at start than resolving and reading some two thousand
// files in node_modules. The packages in EXTERNAL stay outside, loaded from node_modules at run time (see the reasons).
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'api', 'src');

// Each of these must be a dependency of api/package.json, because the built files find them from api/dist.
const EXTERNAL = [
  // PGlite finds its WebAssembly and file-system image (pglite.wasm, pglite.data, extensions) beside its own module.
  '@electric-sql/pglite',
  // A native addon (.node binary chosen per platform at run time).
  '@node-rs/argon2',
  // Large, and needed only by spreadsheet imports and exports, which load it on first use.
  'exceljs',
  // Only for a person at a terminal (app.ts loads it then).
  'pino-pretty',
  // Both read files beside their own modules by path (swagger-ui its static files, swagger its package.json).
  '@fastify/swagger',
  '@fastify/swagger-ui',
];
// Drivers that knex (under MikroORM) requires only when such a database is chosen; none is installed or ever used.
const ABSENT_DRIVERS = ['better-sqlite3', 'libsql', 'mariadb', 'mariadb/*', 'mysql', 'mysql2', 'oracledb', 'pg-native',
  'pg-query-stream', 'sqlite3', 'tedious'];

/** MikroORM reads its version with `require('../../package.json')` from a path that exists only in its own layout. */
const mikroOrmVersion = {
  name: 'mikro-orm-version',
  setup(build) {
    build.onResolve({ filter: /^\.\.\/\.\.\/package\.json$/ }, (args) =>
      /[\\/]@mikro-orm[\\/]core[\\/]utils[\\/]/.test(args.importer) ? { path: join(args.importer, '..', '..', 'package.json') } : undefined);
  },
};

/**
 * The migrations need only the `Migration` base class, but `@mikro-orm/migrations` is CommonJS, so importing its index
 * would put the whole Migrator in the start-up path (umzug, its command-line parser, ajv, and, through the root
 * package's own resolution, a second copy of knex and @mikro-orm/knex): some 2.5 MB of JavaScript that a start with
 * nothing to migrate never runs. The migration files get the class's own file, from the copy the API resolves, which
 * is the one the Migrator (loaded on demand, db/orm.ts loadMigrator) uses too.
 */
const apiRequire = createRequire(join(root, 'api', 'package.json'));
const migrationBase = join(dirname(apiRequire.resolve('@mikro-orm/migrations/package.json')), 'Migration.js');
const migrationClassOnly = {
  name: 'migration-class-only',
  setup(build) {
    const migrationsDir = join(root, 'migrations') + sep;
    build.onResolve({ filter: /^@mikro-orm\/migrations$/ }, (args) => (args.importer.startsWith(migrationsDir) ? { path: migrationBase } : undefined));
  },
};

function workers(dir) {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.worker.ts'))
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

export async function buildApi({ outdir = join(root, 'api', 'dist'), quiet = false } = {}) {
  const t0 = performance.now();
  const entryPoints = [
    { in: join(src, 'server.ts'), out: 'server' },
    { in: join(src, 'cli', 'migrate.ts'), out: 'migrate' },
    ...workers(src).map((file) => ({ in: file, out: basename(file, '.ts') })),
  ];
  const names = entryPoints.map((e) => e.out);
  if (new Set(names).size !== names.length) throw new Error(`two entry points would be written to one file: ${names.join(', ')}`);
  // A fresh folder: no chunk of an earlier build is left for a stale import to find.
  if (existsSync(outdir)) rmSync(outdir, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints,
    outdir,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20.19',
    external: [...EXTERNAL, ...ABSENT_DRIVERS],
    // The bundled CommonJS packages call require() for Node's built-in modules; an ES module has no require of its own.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    plugins: [mikroOrmVersion, migrationClassOnly],
    sourcemap: 'linked',
    sourcesContent: false,
    metafile: true,
    logLevel: 'warning',
  });
  // tsx is for development and tests: nothing that production runs may import it.
  const tsx = Object.keys(result.metafile.inputs).filter((p) => /(^|[\\/])node_modules[\\/](\.pnpm[\\/]tsx@[^\\/]+[\\/]node_modules[\\/])?tsx[\\/]/.test(p));
  const importsTsx = Object.values(result.metafile.outputs).some((o) => o.imports.some((i) => i.external && /^tsx($|\/)/.test(i.path)));
  if (tsx.length || importsTsx) throw new Error(`the built API would load tsx (${tsx[0] ?? 'external import'}): production runs without it`);
  const bytes = Object.entries(result.metafile.outputs).filter(([p]) => p.endsWith('.js')).reduce((n, [, o]) => n + o.bytes, 0);
  if (!quiet) {
    console.log(`API built into ${relative(process.cwd(), outdir) || '.'} in ${Math.round(performance.now() - t0)} ms: ${names.map((n) => `${n}.js`).join(', ')} (${(bytes / 1e6).toFixed(1)} MB of JavaScript)`);
  }
  return { outdir, entries: names };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values } = parseArgs({ options: { outdir: { type: 'string' }, quiet: { type: 'boolean' } } });
  await buildApi({ outdir: values.outdir, quiet: values.quiet });
}

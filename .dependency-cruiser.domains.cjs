// Cycles between domains (api/src/modules/<domain>), checked by `pnpm lint` after .dependency-cruiser.cjs.
//
// A separate run because dependency-cruiser's folder-level cycle rules cannot say "only through domain folders": in
// the full graph every domain reaches every other through the composition root (db/entities.ts lists each domain's
// entities, plugins/database.ts names db/orm.ts's Orm type, every domain uses the plugins), so all of them would be
// reported as one big cycle. Here nothing outside modules/ is followed, which leaves the domain-to-domain graph; a
// domain reaching another through lib/ or plugins/ is already an error of the main rules.
const main = require('./.dependency-cruiser.cjs');

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular-between-domains',
      severity: 'error',
      comment: 'Two domains that import each other, by whatever files, are one domain in two places: move the shared rule ' +
        'to the domain that owns it, or to lib/ if no domain does.',
      scope: 'folder',
      from: { path: '^api/src/modules/' },
      to: { path: '^api/src/modules/', circular: true },
    },
  ],
  options: {
    ...main.options,
    doNotFollow: { path: ['(^|/)node_modules/', '^api/src/(?!modules/)'] },
  },
};

import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EntityManager } from '@mikro-orm/core';
import type { FastifyBaseLogger } from 'fastify';
import { hashPassword } from '../modules/users/password.js';
import { OrgUnit } from '../modules/org-units/org-unit.entity.js';
import { User, type Position, type Role } from '../modules/users/user.entity.js';
import { generatePassword } from '../modules/users/users.service.js';

export interface BootstrapOptions {
  seedDemo: boolean;
  demoPassword?: string;
  dataDir: string;
}

interface UnitSpec { key: string; name: string; nameEn: string; kind: string; parent?: string }
interface PersonSpec { username: string; name: string; role: Role; position: Position; unit: string }

const UNITS: UnitSpec[] = [
  { key: 'hq', name: '河西市烟草公司', nameEn: 'Hexi City Tobacco Company', kind: 'company' },
  { key: 'mkt', name: '营销管理科', nameEn: 'Marketing Management Section', kind: 'team', parent: 'hq' },
  { key: 'an', name: '安宁县营销部', nameEn: 'Anning County Marketing Department', kind: 'county', parent: 'hq' },
  { key: 'an1', name: '城区一片', nameEn: 'Urban Area 1', kind: 'area', parent: 'an' },
  { key: 'an2', name: '城区二片', nameEn: 'Urban Area 2', kind: 'area', parent: 'an' },
  { key: 'an3', name: '乡镇片区', nameEn: 'Rural Area', kind: 'area', parent: 'an' },
  { key: 'yh', name: '永和县营销部', nameEn: 'Yonghe County Marketing Department', kind: 'county', parent: 'hq' },
  { key: 'yh1', name: '城区片区', nameEn: 'Urban Area', kind: 'area', parent: 'yh' },
  { key: 'yh2', name: '乡镇片区', nameEn: 'Rural Area', kind: 'area', parent: 'yh' },
  { key: 'qs', name: '青山县营销部', nameEn: 'Qingshan County Marketing Department', kind: 'county', parent: 'hq' },
  { key: 'qs1', name: '城区片区', nameEn: 'Urban Area', kind: 'area', parent: 'qs' },
  { key: 'qs2', name: '乡镇片区', nameEn: 'Rural Area', kind: 'area', parent: 'qs' },
];

const STAFF_NAMES = [
  '张伟', '王芳', '李娜', '刘洋', '陈静', '杨帆', '赵磊', '黄丽', '周杰', '吴敏', '徐强', '孙燕', '马超', '朱琳',
  '胡军', '郭婷', '何勇', '林晓', '高峰', '罗丹', '郑涛', '梁慧', '谢斌', '宋佳', '唐亮', '韩雪', '冯刚', '曹颖',
  '彭浩', '曾莉', '田野', '董明', '袁媛', '潘磊', '蒋欣', '蔡文', '余波', '杜鹃', '叶青', '邱实',
];

/** 40 marketing staff: account managers in each county's areas (10001 first), then two marketing managers per county. */
function demoPeople(): PersonSpec[] {
  const slots: { unit: string; position: Position }[] = [];
  const plan: [string, string[], number][] = [['an', ['an1', 'an2', 'an3'], 12], ['yh', ['yh1', 'yh2'], 11], ['qs', ['qs1', 'qs2'], 11]];
  for (const [county, areas, accountManagers] of plan) {
    for (let i = 0; i < accountManagers; i++) slots.push({ unit: areas[i % areas.length], position: 'account_manager' });
    slots.push({ unit: county, position: 'marketing_manager' }, { unit: county, position: 'marketing_manager' });
  }
  const staff = slots.map((s, i) => ({
    username: String(10001 + i), name: STAFF_NAMES[i], role: 'staff' as Role, position: s.position, unit: s.unit,
  }));
  return [
    { username: 'admin', name: '系统管理员', role: 'admin', position: 'administrator', unit: 'hq' },
    { username: 'trainer', name: '许文华', role: 'trainer', position: 'trainer', unit: 'mkt' },
    { username: 'trainer2', name: '邓晓梅', role: 'trainer', position: 'trainer', unit: 'mkt' },
    { username: 'manager', name: '魏建国', role: 'manager', position: 'department_head', unit: 'an' },
    { username: 'manager2', name: '沈玉兰', role: 'manager', position: 'department_head', unit: 'yh' },
    ...staff,
  ];
}

/**
 * First start on an empty database: the demo organisation (unless SEED_DEMO=false), or else just a root unit and
 * an `admin` account, so that somebody can sign in and build the real organisation. Does nothing when any account exists.
 */
export async function bootstrap(em: EntityManager, opts: BootstrapOptions, log: Pick<FastifyBaseLogger, 'info' | 'warn'>): Promise<void> {
  if (await em.count(User, {}) > 0) return;
  const generated = !opts.demoPassword;
  const password = opts.demoPassword ?? generatePassword();
  await em.transactional(async (tx) => {
    const ids = new Map<string, { id: string; path: string }>();
    const units = opts.seedDemo ? UNITS : [{ key: 'hq', name: '公司', nameEn: 'Company', kind: 'company' }];
    for (const u of units) {
      const id = randomUUID();
      const parent = u.parent ? ids.get(u.parent)! : undefined;
      const path = `${parent?.path ?? '/'}${id}/`;
      ids.set(u.key, { id, path });
      tx.create(OrgUnit, { id, name: u.name, nameEn: u.nameEn, kind: u.kind, parentId: parent?.id ?? null, path });
    }
    await tx.flush();
    // The demo accounts all share one password, so one hash serves them all (and start-up stays fast).
    const passwordHash = await hashPassword(password);
    const people = opts.seedDemo ? demoPeople() : [{ username: 'admin', name: '系统管理员', role: 'admin' as Role, position: 'administrator' as Position, unit: 'hq' }];
    for (const p of people) {
      tx.create(User, {
        id: randomUUID(), username: p.username, displayName: p.name, passwordHash, role: p.role, position: p.position,
        orgUnitId: ids.get(p.unit)!.id, locale: null, disabled: false,
        // A generated admin password for a real organisation must be replaced at once; demo accounts are for trying out.
        mustChangePassword: !opts.seedDemo,
      });
    }
  });
  const file = join(opts.dataDir, opts.seedDemo ? 'demo-credentials.txt' : 'admin-credentials.txt');
  if (generated) {
    mkdirSync(opts.dataDir, { recursive: true });
    const accounts = opts.seedDemo ? 'admin, trainer, trainer2, manager, manager2, and staff 10001 to 10040' : 'admin';
    writeFileSync(file, `accounts: ${accounts}\npassword: ${password}\n`, { mode: 0o600 });
    const banner = `\n  ${opts.seedDemo ? 'Demo organisation loaded' : 'Initial administrator created'}.\n  Accounts: ${accounts}\n  Password: ${password}\n  (kept in ${file})\n`;
    process.stdout.write(banner);
  }
  log.info({ demo: opts.seedDemo }, 'database bootstrapped');
}

import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/core';
import { conflict, invalidField, notFound } from '../../lib/errors.js';
import { exec, query, sql } from '../../lib/sql.js';
import { scopeOf, unitScopeCondition } from '../../access/scope.js';
import type { Actor } from '../../access/actor.js';
import { OrgUnit, type IOrgUnit, type OrgUnitKind } from './org-unit.entity.js';

export interface OrgUnitDto {
  id: string;
  name: string;
  nameEn: string | null;
  kind: string;
  parentId: string | null;
  path: string;
  depth: number;
  archived: boolean;
  activeUsers: number;
}

interface UnitRow {
  id: string; name: string; name_en: string | null; kind: string; parent_id: string | null; path: string;
  archived_at: Date | null; active_users: number;
}

const activeUsers = sql`(select count(*) from app_user au where au.org_unit_id = u.id and not au.disabled)::int as active_users`;

/** The units an actor may see: the whole tree, a manager's subtree; staff and unknown roles none. */
export async function listOrgUnits(em: EntityManager, actor: Actor, opts: { includeArchived?: boolean } = {}): Promise<OrgUnitDto[]> {
  const scope = await scopeOf(em, actor);
  const rows = await query<UnitRow>(em, sql`
    select u.id, u.name, u.name_en, u.kind, u.parent_id, u.path, u.archived_at, ${activeUsers}
      from org_unit u
     where ${unitScopeCondition(scope, sql`u.path`)}
       and (${!!opts.includeArchived}::boolean or u.archived_at is null)
     order by u.path`);
  // Tree order with siblings by name: sort by the path of names (ids in the path would order siblings at random).
  const names = new Map<string, string>(rows.map((r) => [r.id, r.name]));
  const key = (r: UnitRow) => r.path.split('/').filter(Boolean).map((id) => names.get(id) ?? '').join('\u0000');
  return rows.map((r) => ({ r, k: key(r) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0)).map(({ r }) => toDto(r));
}

function toDto(r: UnitRow): OrgUnitDto {
  return {
    id: r.id, name: r.name, nameEn: r.name_en ?? null, kind: r.kind, parentId: r.parent_id ?? null, path: r.path,
    depth: r.path.split('/').length - 3, archived: !!r.archived_at, activeUsers: Number(r.active_users ?? 0),
  };
}

async function getUnit(em: EntityManager, id: string, field = 'parentId'): Promise<IOrgUnit> {
  const unit = await em.findOne(OrgUnit, { id });
  if (!unit) throw invalidField(field, 'org_unit.unknown');
  return unit;
}

export interface CreateOrgUnitInput { name: string; nameEn?: string | null; kind: OrgUnitKind; parentId: string }

export async function createOrgUnit(em: EntityManager, _actor: Actor, input: CreateOrgUnitInput): Promise<OrgUnitDto> {
  const parent = await getUnit(em, input.parentId);
  if (parent.archivedAt) throw invalidField('parentId', 'org_unit.archived');
  const id = randomUUID();
  const unit = em.create(OrgUnit, {
    id, name: input.name.trim(), nameEn: input.nameEn?.trim() || null, kind: input.kind, parentId: parent.id,
    path: `${parent.path}${id}/`,
  });
  await em.flush();
  return toDto({ id: unit.id, name: unit.name, kind: unit.kind, path: unit.path, name_en: unit.nameEn ?? null, parent_id: unit.parentId ?? null, archived_at: null, active_users: 0 });
}

export interface UpdateOrgUnitInput { name?: string; nameEn?: string | null; kind?: OrgUnitKind; parentId?: string; archived?: boolean }

export async function updateOrgUnit(em: EntityManager, _actor: Actor, id: string, input: UpdateOrgUnitInput, now: Date = new Date()): Promise<OrgUnitDto> {
  return em.transactional(async (tx) => {
    const unit = await tx.findOne(OrgUnit, { id });
    if (!unit) throw notFound('org_unit');
    if (input.name !== undefined) unit.name = input.name.trim();
    if (input.nameEn !== undefined) unit.nameEn = input.nameEn?.trim() || null;
    if (input.kind !== undefined) unit.kind = input.kind;
    if (input.parentId !== undefined && input.parentId !== unit.parentId) {
      if (!unit.parentId) throw invalidField('parentId', 'org_unit.root');
      const target = await getUnit(tx, input.parentId);
      if (target.archivedAt) throw invalidField('parentId', 'org_unit.archived');
      if (target.path.startsWith(unit.path)) throw invalidField('parentId', 'org_unit.cycle');
      const oldPrefix = unit.path;
      const newPrefix = `${target.path}${unit.id}/`;
      await tx.flush();
      // One statement moves the unit and every descendant: each path keeps its tail under the new prefix.
      await exec(tx, sql`update org_unit set path = ${newPrefix} || substr(path, ${oldPrefix.length + 1}), updated_at = now()
                          where path like ${oldPrefix} || '%'`);
      await exec(tx, sql`update org_unit set parent_id = ${target.id} where id = ${unit.id}`);
      tx.clear();
    }
    if (input.archived !== undefined) {
      const current = await tx.findOneOrFail(OrgUnit, { id });
      if (input.archived && !current.archivedAt) {
        if (!current.parentId) throw invalidField('archived', 'org_unit.root');
        const [busy] = await query<{ n: number }>(tx, sql`
          select (select count(*) from app_user au join org_unit u on u.id = au.org_unit_id
                   where u.path like ${current.path} || '%' and not au.disabled)
               + (select count(*) from org_unit u where u.path like ${current.path} || '%' and u.id <> ${current.id} and u.archived_at is null) as n`);
        if (Number(busy.n) > 0) throw conflict('org_unit.not_empty', [{ path: 'archived', reason: 'org_unit.not_empty' }]);
        current.archivedAt = now;
      } else if (!input.archived && current.archivedAt) {
        const parent = current.parentId ? await tx.findOne(OrgUnit, { id: current.parentId }) : null;
        if (parent?.archivedAt) throw invalidField('archived', 'org_unit.archived');
        current.archivedAt = null;
      }
    }
    await tx.flush();
    const [row] = await query<UnitRow>(tx, sql`
      select u.id, u.name, u.name_en, u.kind, u.parent_id, u.path, u.archived_at, ${activeUsers} from org_unit u where u.id = ${id}`);
    return toDto(row);
  });
}

/** Name paths (`公司/县营销部/片区`) of every active unit, for roster import. */
export async function unitsByNamePath(em: EntityManager): Promise<Map<string, IOrgUnit>> {
  const units = await em.find(OrgUnit, { archivedAt: null }, { orderBy: { path: 'asc' } });
  const byId = new Map(units.map((u) => [u.id, u]));
  const out = new Map<string, IOrgUnit>();
  for (const u of units) {
    const names = u.path.split('/').filter(Boolean).map((id) => byId.get(id)?.name ?? '?');
    out.set(names.join('/'), u);
  }
  return out;
}

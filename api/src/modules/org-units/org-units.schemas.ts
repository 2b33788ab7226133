import { Type } from '@sinclair/typebox';
import { Obj, Uuid } from '../../lib/schema.js';
import { ORG_UNIT_KINDS } from './org-unit.entity.js';

const Kind = Type.Union(ORG_UNIT_KINDS.map((k) => Type.Literal(k)));
const Name = Type.String({ minLength: 1, maxLength: 120, pattern: '\\S' });

export const OrgUnitSchema = Type.Object({
  id: Uuid, name: Type.String(), nameEn: Type.Union([Type.String(), Type.Null()]), kind: Type.String(),
  parentId: Type.Union([Uuid, Type.Null()]), path: Type.String(), depth: Type.Integer(), archived: Type.Boolean(),
  activeUsers: Type.Integer(),
});

export const ListOrgUnitsQuery = Obj({ includeArchived: Type.Optional(Type.Boolean()) });
export const CreateOrgUnitBody = Obj({
  name: Name, nameEn: Type.Optional(Type.Union([Type.String({ maxLength: 120 }), Type.Null()])), kind: Kind, parentId: Uuid,
});
export const UpdateOrgUnitBody = Obj({
  name: Type.Optional(Name), nameEn: Type.Optional(Type.Union([Type.String({ maxLength: 120 }), Type.Null()])),
  kind: Type.Optional(Kind), parentId: Type.Optional(Uuid), archived: Type.Optional(Type.Boolean()),
}, { minProperties: 1 });
export const OrgUnitParams = Obj({ orgUnitId: Uuid });

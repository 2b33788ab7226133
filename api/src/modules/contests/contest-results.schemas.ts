import { Type } from '@sinclair/typebox';
import { Obj, Uuid } from '../../lib/schema.js';

export const ContestResultsParams = Obj({ contestId: Uuid });
const NullableText = Type.Union([Type.String(), Type.Null()]);

export const ContestResultsSchema = Type.Object({
  contest: Type.Object({
    id: Uuid, kind: Type.String(), title: Type.String(), period: Type.String(), status: Type.String(), mode: Type.String(), tieBreak: Type.String(),
  }),
  players: Type.Integer({ description: 'People with a result: those who answered at least once, or the speakers scored' }),
  people: Type.Array(Type.Object({
    userId: Uuid, username: Type.String(), displayName: Type.String(), unitId: Uuid, unitName: Type.String(),
    points: Type.Number(), rank: Type.Integer(), percentile: Type.Number(),
    teamUnitId: Type.Union([Uuid, Type.Null()]), teamName: NullableText,
  })),
  teams: Type.Array(Type.Object({
    teamUnitId: Uuid, teamName: Type.String(), members: Type.Integer(), points: Type.Number({ description: 'Mean points of the members who played' }),
    rank: Type.Integer(),
  }), { description: 'Team standings when the contest is played in teams; empty otherwise' }),
});

export const ContestExportQuery = Obj({ format: Type.Optional(Type.Union([Type.Literal('csv'), Type.Literal('xlsx')], { default: 'csv' })) });

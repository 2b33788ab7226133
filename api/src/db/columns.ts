import { p } from '@mikro-orm/core';

// Column shapes the migrations use everywhere, so the entities describe exactly the same columns (the schema test
// compares them).

/** A point in time: always `timestamptz`, as the migrations write it. */
export const tz = () => p.datetime().columnType('timestamptz');
/** When a row was made: defaulted by the database, set by the ORM for rows it creates. */
export const createdStamp = () => tz().defaultRaw('now()').onCreate(() => new Date());
/** When a row last changed. */
export const updatedStamp = () => tz().defaultRaw('now()').onCreate(() => new Date()).onUpdate(() => new Date());
/** A text[] column that defaults to the empty array. */
export const textArray = () => p.array().columnType('text[]').defaultRaw(`'{}'`);
/** A uuid[] column that defaults to the empty array. */
export const uuidArray = () => p.array().columnType('uuid[]').defaultRaw(`'{}'`);
/** A calendar day (`date`), carried as `YYYY-MM-DD`. */
export const day = () => p.string().columnType('date');

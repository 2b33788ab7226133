import { it } from 'vitest';
import { createTestContext } from '../../tests/helpers/app.js';
it('x', async () => {
  const ctx = await createTestContext();
  for (const inj of [{}, { headers: { 'content-type': 'application/json' } }, { payload: {} }]) {
    const res = await ctx.app.inject({ method: 'POST', url: '/api/auth/refresh', cookies: { rt: 'abc' }, ...inj });
    console.log(res.statusCode, res.body);
  }
  await ctx.close();
});

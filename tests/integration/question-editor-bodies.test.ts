import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QUESTION_TYPES, type Draft, type QuestionDetailLike } from '../../web/src/lib/components/bank/types/common.js';
import { emptyDraft, toBody, toDraft, withType } from '../../web/src/lib/components/bank/types/draft.js';
import { createTestContext, type TestContext } from '../helpers/app.js';
import { bearer, login, makeOrgTree, makeUser } from '../helpers/factories.js';

/**
 * The bank editor's per-type modules (web/src/lib/components/bank/types) against the API that checks each type's
 * schema: what the editor sends for every type is accepted as it is, and a stored question read back into the editor
 * sends the same body again.
 */
let ctx: TestContext;
let token: string;

beforeAll(async () => {
  ctx = await createTestContext();
  const tree = await makeOrgTree(ctx.orm);
  const trainer = await makeUser(ctx.orm, { role: 'trainer', orgUnitId: tree.company.id });
  token = (await login(ctx.app, trainer.username)).token;
});
afterAll(async () => { await ctx?.close(); });

/** A draft of each type as an author fills the form in. */
function filled(type: Draft['type']): Draft {
  const d = withType({ ...emptyDraft('en'), stem: `A ${type} question`, points: '2', difficulty: '3', category: 'Web/Bodies', tags: 'a, b' }, type);
  d.key = `web-${type}`;
  d.explanation = 'Because.';
  switch (type) {
    case 'single_choice':
    case 'multiple_choice':
      d.options = d.options.map((o, i) => ({ ...o, text: `option ${i}`, feedback: i === 0 ? 'yes' : '' }));
      break;
    case 'true_false':
      Object.assign(d, { answer: false, feedbackTrue: 'no' });
      break;
    case 'fill_blank':
      d.stem = 'The {{1}} and the {{2}}';
      d.blanks = [{ answers: [{ text: 'first', weight: '100', feedback: '' }] }, { answers: [{ text: 'second', weight: '100', feedback: '' }, { text: '2nd', weight: '50', feedback: 'close' }] }];
      break;
    case 'numeric':
      d.numeric = [{ ...d.numeric[0], value: '42', tolerance: '0.5' }, { ...d.numeric[0], mode: 'range', min: '40', max: '44', weight: '50', feedback: 'near' }];
      d.incorrectFeedback = 'far';
      break;
    case 'matching':
      d.pairs = [{ left: 'L1', right: 'R1' }, { left: 'L2', right: 'R2' }, { left: 'L3', right: 'R3' }];
      d.distractors = ['R4'];
      break;
    case 'ordering':
      d.items = ['one', 'two', 'three'];
      break;
    default:
      Object.assign(d, { rubric: 'Points for this.', modelAnswer: 'Like this.' });
  }
  return d;
}

describe('the bank editor\'s bodies', () => {
  it.each(QUESTION_TYPES)('%s: accepted by the API as sent, and the same body again after a round trip', async (type) => {
    const body = toBody(filled(type));
    expect(body.type).toBe(type);
    const preview = await ctx.app.inject({ method: 'POST', url: '/api/questions/preview', headers: bearer(token), payload: body });
    expect(preview.statusCode, preview.body).toBe(200);
    expect(preview.json().issues).toEqual([]);
    const created = await ctx.app.inject({ method: 'POST', url: '/api/questions', headers: bearer(token), payload: body });
    expect(created.statusCode, created.body).toBe(201);
    const detail = created.json() as QuestionDetailLike;
    expect(toBody(toDraft(detail))).toEqual(body);
  });

  it('a new draft of every type is a body of that type only', async () => {
    for (const type of QUESTION_TYPES) {
      const res = await ctx.app.inject({ method: 'POST', url: '/api/questions/preview', headers: bearer(token), payload: toBody(withType(emptyDraft('zh'), type)) });
      // An empty form has issues (no stem, no option text; an empty number field is text where a number belongs, which
      // the shape check names) but never a field the type does not have.
      expect([200, 400], `${type}: ${res.body}`).toContain(res.statusCode);
      const errors = (res.json() as { errors?: { code: string }[] }).errors ?? [];
      expect(errors.filter((e) => e.code === 'field.unknown'), type).toEqual([]);
      if (res.statusCode === 400) expect(errors.map((e) => e.code), type).toEqual(errors.map(() => 'field.type'));
    }
  });
});

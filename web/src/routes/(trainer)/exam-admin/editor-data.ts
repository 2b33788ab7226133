import { api } from '$lib/api/client';
import { can } from '$lib/api/guard';
import type { Me } from '$lib/api/client';

/**
 * What the exam editor chooses from: org units for the audience, and (for those who may browse the bank) the
 * question categories and tags for random draws. These only help choosing, so a failure leaves them empty.
 */
export async function editorChoices(fetcher: typeof fetch, me: Me | null) {
  const bank = can(me, 'questions.manage');
  const [units, categories, tags] = await Promise.all([
    api.get('/api/org-units', { fetch: fetcher }).then((r) => r.items, () => []),
    bank ? api.get('/api/question-categories', { fetch: fetcher }).then((r) => r.items, () => []) : [],
    bank ? api.get('/api/questions/facets', { fetch: fetcher }).then((r) => r.tags.map((x) => x.tag), () => [] as string[]) : [],
  ]);
  return { units, categories, tags, bank };
}

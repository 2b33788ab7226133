// ordering: items in the correct order; learners see them shuffled.
import type { WebTypeLogic } from './common.js';

export const ordering: WebTypeLogic = {
  type: 'ordering',
  defaults: () => ({ items: ['', '', ''] }),
  read: (q) => ({ items: [...(q.items ?? [])] }),
  body: (d) => ({ items: [...d.items] }),
};

// ordering: items in the correct order; learners see them shuffled.
import OrderingEditor from './OrderingEditor.svelte';
import OrderingKey from './OrderingKey.svelte';
import OrderingResponse from './OrderingResponse.svelte';
import type { WebQuestionType } from './common';

export const ordering: WebQuestionType = {
  type: 'ordering',
  defaults: () => ({ items: ['', '', ''] }),
  read: (q) => ({ items: [...(q.items ?? [])] }),
  body: (d) => ({ items: [...d.items] }),
  Editor: OrderingEditor,
  Response: OrderingResponse,
  Key: OrderingKey,
};

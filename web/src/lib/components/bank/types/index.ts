// The registry of the bank's question types in the web app: type → its module (editor defaults, stored question to
// draft, draft to body; the editor's answer fields; the preview's response inputs and answer key).
import ChoiceEditor from './ChoiceEditor.svelte';
import ChoiceKey from './ChoiceKey.svelte';
import ChoiceResponse from './ChoiceResponse.svelte';
import FillBlankEditor from './FillBlankEditor.svelte';
import FillBlankKey from './FillBlankKey.svelte';
import FillBlankResponse from './FillBlankResponse.svelte';
import GradedEditor from './GradedEditor.svelte';
import GradedKey from './GradedKey.svelte';
import GradedResponse from './GradedResponse.svelte';
import MatchingEditor from './MatchingEditor.svelte';
import MatchingKey from './MatchingKey.svelte';
import MatchingResponse from './MatchingResponse.svelte';
import NumericEditor from './NumericEditor.svelte';
import NumericKey from './NumericKey.svelte';
import NumericResponse from './NumericResponse.svelte';
import OrderingEditor from './OrderingEditor.svelte';
import OrderingKey from './OrderingKey.svelte';
import OrderingResponse from './OrderingResponse.svelte';
import TrueFalseEditor from './TrueFalseEditor.svelte';
import TrueFalseKey from './TrueFalseKey.svelte';
import TrueFalseResponse from './TrueFalseResponse.svelte';
import { QUESTION_TYPES, type QuestionType, type WebQuestionType } from './common.js';
import { TYPE_LOGIC } from './logic.js';

const choice = { Editor: ChoiceEditor, Response: ChoiceResponse, Key: ChoiceKey };
const graded = { Editor: GradedEditor, Response: GradedResponse, Key: GradedKey };
const views: Record<QuestionType, Pick<WebQuestionType, 'Editor' | 'Response' | 'Key'>> = {
  single_choice: choice,
  multiple_choice: choice,
  true_false: { Editor: TrueFalseEditor, Response: TrueFalseResponse, Key: TrueFalseKey },
  fill_blank: { Editor: FillBlankEditor, Response: FillBlankResponse, Key: FillBlankKey },
  numeric: { Editor: NumericEditor, Response: NumericResponse, Key: NumericKey },
  matching: { Editor: MatchingEditor, Response: MatchingResponse, Key: MatchingKey },
  ordering: { Editor: OrderingEditor, Response: OrderingResponse, Key: OrderingKey },
  short_answer: graded,
  essay: graded,
};

export const WEB_QUESTION_TYPES: Readonly<Record<QuestionType, WebQuestionType>> = Object.fromEntries(
  QUESTION_TYPES.map((t) => [t, { ...TYPE_LOGIC[t], ...views[t] }]),
) as Record<QuestionType, WebQuestionType>;

/** The module of a type, or undefined for a name the web app does not know. */
export function webType(type: string): WebQuestionType | undefined {
  return (QUESTION_TYPES as readonly string[]).includes(type) ? WEB_QUESTION_TYPES[type as QuestionType] : undefined;
}

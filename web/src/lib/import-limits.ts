// The imports' limits, from the file the API enforces them from (/import-limits.json), so that what the import
// screens state is what the server refuses past.
import limits from '../../../import-limits.json';

const size = (n: number) => `${+(n / (1024 * 1024)).toFixed(1)} MB`;
const count = (n: number) => n.toLocaleString('en-US');

export const questionImportLimits = {
  maxFileBytes: limits.questions.maxFileBytes,
  text: { size: size(limits.questions.maxFileBytes), rows: count(limits.questions.maxRows), unzipped: size(limits.questions.maxUnzippedBytes) },
};
export const rosterImportLimits = {
  maxFileBytes: limits.roster.maxFileBytes,
  text: { size: size(limits.roster.maxFileBytes), rows: count(limits.roster.maxRows) },
};

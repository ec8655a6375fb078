/**
 * Guesses the delimiter of CSV text: comma, semicolon (spreadsheets in locales with a decimal comma) or tab.
 *
 * For each candidate, the first few records are split (quotes respected); a candidate that gives every one of them
 * the same number of fields, more than one, is plausible, and the plausible one with the most fields wins. Why
 * consistency and not a plain count: "a;b\n1,5;2,5" has as many commas as semicolons, but only ';' splits the
 * header and the rows alike.
 */

export const DELIMITER_CANDIDATES = [',', ';', '\t'] as const;

const SAMPLE_RECORDS = 20;

/** Field counts of the first `limit` non-blank records when split on `delimiter`. */
function fieldCounts(text: string, delimiter: string, limit: number): number[] {
  const counts: number[] = [];
  let fields = 1;
  let inQuotes = false;
  let blank = true;
  for (let i = 0; i < text.length && counts.length < limit; i++) {
    const ch = text[i]!;
    if (ch === '"') {
      inQuotes = !inQuotes; // a doubled quote toggles twice: no change, as it should be
      blank = false;
    } else if (inQuotes) {
      continue;
    } else if (ch === delimiter) {
      fields++;
      blank = false;
    } else if (ch === '\n' || ch === '\r') {
      if (!blank) counts.push(fields);
      fields = 1;
      blank = true;
    } else if (ch !== ' ' && ch !== '\t' && ch !== '\ufeff') {
      blank = false;
    }
  }
  if (!blank && counts.length < limit) counts.push(fields);
  return counts;
}

/** The delimiter of `text` (',' when nothing else fits, e.g. a one-column file). */
export function sniffDelimiter(text: string): string {
  let best: string | undefined;
  let bestWidth = 1;
  let widestFirst: string = ',';
  let widestFirstWidth = 1;
  for (const d of DELIMITER_CANDIDATES) {
    const counts = fieldCounts(text, d, SAMPLE_RECORDS);
    const first = counts[0] ?? 1;
    if (first > widestFirstWidth) {
      widestFirst = d;
      widestFirstWidth = first;
    }
    if (first > bestWidth && counts.every((n) => n === first)) {
      best = d;
      bestWidth = first;
    }
  }
  // A ragged file: split by what widens the header most, so the field-count error names the real problem.
  return best ?? widestFirst;
}

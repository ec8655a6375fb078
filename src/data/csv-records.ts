/**
 * CSV text → records of raw fields, per RFC 4180: fields may be quoted with ", a quote inside a quoted field is
 * written "", and quoted fields may hold delimiters and line breaks. Lines may end in LF, CRLF or CR; blank lines
 * are skipped; a UTF-8 byte order mark is dropped. Browser-safe. parseCsv (csv.ts) interprets the fields.
 */
import { sniffDelimiter } from './csv-sniff.js';

export interface CsvRecord {
  fields: string[];
  /** 1-based line where the record starts (a quoted field can span lines) */
  line: number;
}

/** Split text into records of raw fields (quotes removed, nothing else changed). delimiter 'auto' guesses it. */
export function readCsvRecords(text: string, delimiter = 'auto'): CsvRecord[] {
  if (typeof text !== 'string') throw new TypeError('parseCsv: text must be a string');
  if (delimiter === 'auto') delimiter = sniffDelimiter(text);
  checkDelimiter(delimiter);
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false; // the current field was opened with a quote
  let inQuotes = false; // we are between its quotes
  let line = 1;
  let recordLine = 1;
  let quoteLine = 1;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;

  const endField = () => {
    fields.push(field);
    field = '';
    quoted = false;
  };
  const endRecord = () => {
    // A blank (or whitespace-only) line is a single unquoted field with nothing in it; `""` alone is a value.
    const blank = fields.length === 0 && !quoted && field.trim() === '';
    endField();
    if (!blank) records.push({ fields, line: recordLine });
    fields = [];
  };

  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else {
          inQuotes = false;
        }
      } else {
        if (ch === '\n' || (ch === '\r' && text[i + 1] !== '\n')) line++;
        field += ch;
      }
      continue;
    }
    if (ch === delimiter) {
      endField();
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      recordLine = line;
    } else if (ch === '"' && !quoted && field.trim() === '') {
      // Opening quote (whitespace before it is tolerated and dropped).
      field = '';
      quoted = true;
      inQuotes = true;
      quoteLine = line;
    } else if (quoted) {
      if (ch !== ' ' && ch !== '\t') {
        throw new SyntaxError(`parseCsv: unexpected ${JSON.stringify(ch)} after a closing quote at line ${line}`);
      }
    } else {
      field += ch; // includes a stray quote inside an unquoted field, kept literally
    }
  }
  if (inQuotes) throw new SyntaxError(`parseCsv: quoted field starting at line ${quoteLine} is never closed`);
  if (field !== '' || quoted || fields.length > 0) endRecord();
  return records;
}

export function checkDelimiter(delimiter: unknown): string {
  if (typeof delimiter !== 'string' || delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new RangeError(`parseCsv: options.delimiter must be 'auto' or one character other than a quote or line break, got ${JSON.stringify(delimiter)}`);
  }
  return delimiter;
}


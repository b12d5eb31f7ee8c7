import { readFileSync } from 'node:fs';
import { ExceptionFileError } from './types.js';

/** Value lists larger than this are refused; Kibana applies lists up to 65,536 values inside the search (MAXIMUM_SMALL_VALUE_LIST_SIZE). */
export const MAX_VALUE_LIST_BYTES = 64 << 20;

/** `--value-list ID=FILE`: the values of list ID, one a line (as Kibana's value list upload reads a .txt file). */
export interface ValueListSource {
  id: string;
  file: string;
  values: string[];
}

/** Splits `ID=FILE`; the id is what exception entries name in `list.id`. */
export function parseValueListArg(arg: string): { id: string; file: string } {
  const eq = arg.indexOf('=');
  if (eq <= 0 || eq === arg.length - 1) throw new ExceptionFileError('--value-list', '', `${JSON.stringify(arg)} is not ID=FILE; name the list as exception entries do in list.id, e.g. --value-list allowed_ips.txt=allowed.txt`);
  return { id: arg.slice(0, eq), file: arg.slice(eq + 1) };
}

/**
 * Reads a value list: one value a line, surrounding blanks trimmed and blank lines skipped, as
 * Kibana's importer splits an uploaded file into list items.
 */
export function readValueList(arg: string): ValueListSource {
  const { id, file } = parseValueListArg(arg);
  let text: string;
  try {
    const bytes = readFileSync(file);
    if (bytes.length > MAX_VALUE_LIST_BYTES) throw new ExceptionFileError(file, '', `is larger than ${MAX_VALUE_LIST_BYTES >> 20} MiB`);
    text = bytes.toString('utf8');
  } catch (e) {
    if (e instanceof ExceptionFileError) throw e;
    throw new ExceptionFileError(file, '', `cannot be read for --value-list ${id} (${e instanceof Error ? e.message : String(e)})`);
  }
  const values: string[] = [];
  for (const line of text.split('\n')) {
    const value = line.trim();
    if (value !== '') values.push(value);
  }
  return { id, file, values };
}

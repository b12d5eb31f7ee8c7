import { readFileSync } from 'node:fs';
import TOML from '@iarna/toml';
import { describe, isObject, namespaceType, nonEmptyString, optionalString, readEntries, stringList, type Fail } from './entries.js';
import { ExceptionFileError, type ExceptionFile, type ExceptionItem, type ExceptionListInfo, type Origin } from './types.js';

/** Exception files larger than this are refused: the whole file is held in memory (Kibana's export caps lists at 10,000 items). */
export const MAX_EXCEPTION_FILE_BYTES = 64 << 20;

/**
 * Reads one `--exceptions` file: Kibana's export (NDJSON, one list, item or export summary a line),
 * or the TOML form (README "### Exceptions"), told apart by the first character that is not
 * blank: `{` is NDJSON. Throws ExceptionFileError with the line (NDJSON) or key (TOML).
 */
export function readExceptionFile(path: string): ExceptionFile {
  let text: string;
  try {
    const bytes = readFileSync(path);
    if (bytes.length > MAX_EXCEPTION_FILE_BYTES) throw new ExceptionFileError(path, '', `is larger than ${MAX_EXCEPTION_FILE_BYTES >> 20} MiB; split it into several --exceptions files`);
    text = bytes.toString('utf8');
  } catch (e) {
    if (e instanceof ExceptionFileError) throw e;
    throw new ExceptionFileError(path, '', `cannot be read (${e instanceof Error ? e.message : String(e)})`);
  }
  return parseExceptionText(text, path);
}

export function parseExceptionText(text: string, file: string): ExceptionFile {
  const first = /\S/.exec(text);
  if (first === null) throw new ExceptionFileError(file, '', 'is empty: expected an exception list export (NDJSON) or the TOML form');
  return first[0] === '{' ? parseNdjson(text, file) : parseToml(text, file);
}

/** Kibana's "Export exception list": the list, then its items, then `{"exported_exception_list_count":…}`. */
function parseNdjson(text: string, file: string): ExceptionFile {
  const lists: ExceptionListInfo[] = [];
  const items: ExceptionItem[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/\r$/, '');
    if (line.trim() === '') continue;
    const where = `line ${i + 1}`;
    const fail: Fail = (key, message) => {
      throw new ExceptionFileError(file, key === '' ? where : `${where}, ${key}`, message);
    };
    let doc: unknown;
    try {
      doc = JSON.parse(line);
    } catch (e) {
      return fail('', `is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    if (!isObject(doc)) return fail('', `must be a JSON object, found ${describe(doc)}`);
    const origin = { file, where };
    if ('exported_exception_list_count' in doc || 'exported_exception_list_item_count' in doc) {
      if (typeof doc.missing_exception_lists_count === 'number' && doc.missing_exception_lists_count > 0) {
        fail('missing_exception_lists_count', `is ${doc.missing_exception_lists_count}: Kibana could not export every list; export them again`);
      }
      continue;
    }
    if ('entries' in doc) items.push(readItem(doc, '', origin, fail, []));
    else if ('list_id' in doc) lists.push(readList(doc, '', origin, fail, []));
    else fail('', 'is neither an exception list (with list_id and type), an item (with entries) nor the export summary');
  }
  if (lists.length === 0 && items.length === 0) throw new ExceptionFileError(file, '', 'holds no exception list or item');
  return { lists, items };
}

function readList(doc: { [key: string]: unknown }, at: string, origin: Origin, fail: Fail, rules: string[]): ExceptionListInfo {
  const listId = nonEmptyString(doc, 'list_id', at, fail);
  return {
    listId,
    namespaceType: namespaceType(doc, at, fail),
    name: optionalString(doc, 'name', at, fail) ?? listId,
    type: optionalString(doc, 'type', at, fail) ?? 'detection',
    rules,
    origin,
  };
}

function readItem(doc: { [key: string]: unknown }, at: string, origin: Origin, fail: Fail, rules: string[], defaultListId?: string): ExceptionItem {
  const listId = defaultListId !== undefined && doc.list_id === undefined ? defaultListId : nonEmptyString(doc, 'list_id', at, fail);
  const itemId = optionalString(doc, 'item_id', at, fail) ?? optionalString(doc, 'id', at, fail) ?? `${origin.where}`;
  const expire = optionalString(doc, 'expire_time', at, fail);
  let expireTime: number | undefined;
  if (expire !== undefined) {
    expireTime = Date.parse(expire);
    if (Number.isNaN(expireTime)) fail(at === '' ? 'expire_time' : `${at}.expire_time`, `is ${describe(expire)}, not an ISO 8601 date`);
  }
  const key = (k: string) => (at === '' ? k : `${at}.${k}`);
  return {
    itemId,
    name: optionalString(doc, 'name', at, fail) ?? itemId,
    listId,
    namespaceType: namespaceType(doc, at, fail),
    entries: readEntries(doc.entries, key('entries'), fail),
    osTypes: stringList(doc, 'os_types', at, fail),
    expireTime,
    rules,
    origin,
  };
}

/**
 * The TOML form mirrors the export's fields (README "### Exceptions"):
 *   [[list]]       list_id, name, namespace_type, rules = ["<rule_id>" | "*"]
 *   [[exception]]  item_id, name, list_id (optional), rules, os_types, expire_time,
 *                  [[exception.entries]] field, type, operator, value | list = {id, type} | entries
 */
function parseToml(text: string, file: string): ExceptionFile {
  let doc: { [key: string]: unknown };
  try {
    doc = TOML.parse(text);
  } catch (e) {
    const info: unknown = e;
    const line = typeof info === 'object' && info !== null && 'line' in info && typeof info.line === 'number' ? `line ${info.line + 1}` : '';
    const message = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.replace(/ at row \d+, col \d+, pos \d+:?$/, '');
    throw new ExceptionFileError(file, line, `is neither NDJSON (it does not start with "{") nor valid TOML: ${message}`);
  }
  const fail: Fail = (key, message) => {
    throw new ExceptionFileError(file, `key ${key}`, message);
  };
  for (const key of Object.keys(doc)) {
    if (key !== 'list' && key !== 'exception') fail(key, 'is not part of the exception file form; expected [[list]] and [[exception]] tables');
  }
  const tables = (key: string): { [key: string]: unknown }[] => {
    const v = doc[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) return fail(key, `must be an array of tables ([[${key}]])`);
    return v.map((t, i) => (isObject(t) ? t : fail(`${key}[${i}]`, 'must be a table')));
  };
  const lists = tables('list').map((t, i) => readList(t, `list[${i}]`, { file, where: `key list[${i}]` }, fail, stringList(t, 'rules', `list[${i}]`, fail)));
  const items = tables('exception').map((t, i) => {
    const at = `exception[${i}]`;
    const rules = stringList(t, 'rules', at, fail);
    // An item without list_id stands alone: it applies to the rules it names, so it must name some.
    if (t.list_id === undefined && rules.length === 0) fail(`${at}.rules`, 'is missing: name the rule_ids this exception applies to ("*" for all), or give a list_id that rules reference');
    return readItem(t, at, { file, where: `key ${at}` }, fail, rules, `lkm-scan:${file}:${at}`);
  });
  if (lists.length === 0 && items.length === 0) throw new ExceptionFileError(file, '', 'holds no [[exception]] table');
  return { lists, items };
}

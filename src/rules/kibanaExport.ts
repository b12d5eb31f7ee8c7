import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import TOML from '@iarna/toml';
import { fieldsRead } from '../coverage/fieldsRead.js';
import { parseExceptionsArg } from '../exceptions/index.js';
import { readExceptionFile } from '../exceptions/read.js';
import type { ExceptionEntry, ExceptionFile } from '../exceptions/types.js';
import type { FieldTypeTable } from '../fieldTypes/index.js';
import { BUNDLED_RULES_DIR } from './pack.js';
import type { Rule } from './types.js';

/**
 * The selected rules as the NDJSON that Kibana's rule import takes (`POST
 * /api/detection_engine/rules/_import`, and Rules → Import rules in the UI): one rule object a
 * line, then the exception lists and their items, then the export summary, in the order and shape
 * of Kibana's own rule export (README "From laptop to cluster").
 *
 * A rule object is the rule file's `[rule]` table, which the detection-rules TOML format keeps in
 * the API's field names already (`rule_id`, `from`, `threat`, ...), converted as detection-rules'
 * `to_api_format` does: `[rule.new_terms]` becomes `new_terms_fields` and `history_window_start`,
 * and `version` is set (the repository takes it from its version lock; a file without one is a
 * custom rule's first version, 1). lkm-scan adds `enabled` as it runs the rule, `required_fields`
 * from the fields the rule reads (coverage/fieldsRead.ts) typed by ECS and the integrations (or
 * `--mapping`), and references to the `--exceptions` lists that apply to it.
 */

type JsonObject = { [key: string]: unknown };

/** A rule's `[rule]` table as the file holds it, read again (a Rule keeps only what lkm-scan runs). */
export function readRuleTable(rule: Rule): JsonObject {
  const path = rule.source.bundled ? join(BUNDLED_RULES_DIR, relative('rules', rule.source.file)) : rule.source.file;
  // JSON round trip: TOML dates become ISO strings, as they would on the wire; an integer TOML
  // reads as a bigint (beyond 2^63) becomes the nearest number, as Kibana's JSON parser would read it.
  const json = JSON.stringify(TOML.parse(readFileSync(path, 'utf8')), (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value));
  const doc: unknown = JSON.parse(json);
  const table = isObject(doc) ? doc.rule : undefined;
  if (!isObject(table)) throw new Error(`${rule.source.file} has no [rule] table`);
  return table;
}

/** An exception list of the export: Kibana's list object, and the rules it applies to beyond their own references. */
interface ExportedList {
  key: string;
  listId: string;
  namespaceType: string;
  type: string;
  /** The saved-object id a rule's reference names (Kibana's own when the list came from its export). */
  id: string;
  doc: JsonObject;
  items: JsonObject[];
  /** rule_ids (or `*`) the list applies to by `--exceptions RULES=FILE`, or the TOML form's `rules`. */
  named: Set<string>;
}

/**
 * Reads `--exceptions` arguments into Kibana's list and item objects. A Kibana export (NDJSON) is
 * passed on as Kibana wrote it, its summary line left out; the TOML form is written in the
 * export's shape (`description` is the name: the form has none).
 */
export function exceptionListsForExport(args: readonly string[], exists: (path: string) => boolean): ExportedList[] {
  const lists = new Map<string, ExportedList>();
  const listFor = (listId: string, namespaceType: string, make: () => Omit<ExportedList, 'key' | 'items' | 'named'>): ExportedList => {
    const key = `${namespaceType}\0${listId}`;
    let list = lists.get(key);
    if (list === undefined) {
      list = { ...make(), key, items: [], named: new Set() };
      lists.set(key, list);
    }
    return list;
  };
  for (const arg of args) {
    const { file, rules } = parseExceptionsArg(arg, exists);
    // Read as a scan reads it first: anything Kibana would not import is an ExceptionFileError here.
    const read: ExceptionFile = readExceptionFile(file);
    const text = readFileSync(file, 'utf8');
    if (text.trimStart().startsWith('{')) {
      const docs = text.split('\n').filter((l) => l.trim() !== '').map((l): unknown => JSON.parse(l));
      for (const doc of docs) {
        if (!isObject(doc) || 'exported_exception_list_count' in doc || 'exported_exception_list_item_count' in doc) continue;
        const ns = typeof doc.namespace_type === 'string' ? doc.namespace_type : 'single';
        const listId = String(doc.list_id);
        if ('entries' in doc) {
          const list = listFor(listId, ns, () => tomlListDoc(listId, ns, listId, 'detection', file));
          list.items.push(doc);
        } else {
          const list = listFor(listId, ns, () => ({ listId, namespaceType: ns, type: typeof doc.type === 'string' ? doc.type : 'detection', id: typeof doc.id === 'string' ? doc.id : listId, doc }));
          list.doc = doc;
          list.id = typeof doc.id === 'string' ? doc.id : listId;
        }
        for (const r of rules) listFor(listId, ns, () => tomlListDoc(listId, ns, listId, 'detection', file)).named.add(r);
      }
      continue;
    }
    for (const l of read.lists) {
      const list = listFor(l.listId, l.namespaceType, () => tomlListDoc(l.listId, l.namespaceType, l.name, l.type, file));
      for (const r of [...l.rules, ...rules]) list.named.add(r);
    }
    for (const item of read.items) {
      const list = listFor(item.listId, item.namespaceType, () => tomlListDoc(item.listId, item.namespaceType, item.name, 'detection', file));
      for (const r of [...item.rules, ...rules]) list.named.add(r);
      const doc: JsonObject = {
        item_id: item.itemId,
        list_id: item.listId,
        name: item.name,
        description: item.name,
        type: 'simple',
        namespace_type: item.namespaceType,
        entries: item.entries.map(kibanaEntry),
        os_types: item.osTypes,
        tags: [],
        comments: [],
      };
      if (item.expireTime !== undefined) doc.expire_time = new Date(item.expireTime).toISOString();
      list.items.push(doc);
    }
  }
  return [...lists.values()];
}

function tomlListDoc(listId: string, namespaceType: string, name: string, type: string, file: string): Omit<ExportedList, 'key' | 'items' | 'named'> {
  return {
    listId,
    namespaceType,
    type,
    id: listId,
    doc: { list_id: listId, name, description: `${name} (exported by lkm-scan from ${file})`, type, namespace_type: namespaceType, tags: [], os_types: [] },
  };
}

/** An entry in the field names and order of Kibana's entry schemas (`@kbn/securitysolution-io-ts-list-types`). */
function kibanaEntry(entry: ExceptionEntry): JsonObject {
  switch (entry.type) {
    case 'match':
    case 'match_any':
    case 'wildcard':
      return { field: entry.field, operator: entry.operator, type: entry.type, value: entry.value };
    case 'exists':
      return { field: entry.field, operator: entry.operator, type: 'exists' };
    case 'list':
      return { field: entry.field, operator: entry.operator, type: 'list', list: { id: entry.list.id, type: entry.list.type } };
    case 'nested':
      return { field: entry.field, type: 'nested', entries: entry.entries.map(kibanaEntry) };
  }
}

export interface KibanaExport {
  /** The NDJSON text: rules, exception lists, their items, and the export summary, one a line. */
  ndjson: string;
  rules: number;
  lists: number;
  items: number;
  /** Lists a rule references that no `--exceptions` file holds (Kibana's `missing_exception_lists`). */
  missingLists: string[];
  /** `--exceptions` lists that apply to no exported rule, left out. */
  unusedLists: string[];
}

/**
 * The API object of one rule (see the module comment). `table` is its `[rule]` table
 * (readRuleTable); `lists` the `--exceptions` lists, whose references it gains where they apply.
 */
export function kibanaRuleObject(rule: Rule, table: JsonObject, fieldTypes: FieldTypeTable, lists: readonly ExportedList[] = []): JsonObject {
  const out: JsonObject = { ...table };
  if (rule.type === 'new_terms') {
    delete out.new_terms;
    out.new_terms_fields = rule.newTerms.fields;
    out.history_window_start = rule.newTerms.historyWindowStart;
  }
  if (typeof out.version !== 'number') out.version = 1;
  out.enabled = rule.enabled;
  if (out.required_fields === undefined) out.required_fields = requiredFields(rule, fieldTypes);
  const refs: JsonObject[] = Array.isArray(table.exceptions_list) ? table.exceptions_list.filter(isObject) : [];
  const referenced = new Set(refs.map((r) => `${String(r.namespace_type)}\0${String(r.list_id)}`));
  for (const list of lists) {
    if (referenced.has(list.key) || !(list.named.has('*') || list.named.has(rule.id))) continue;
    refs.push({ id: list.id, list_id: list.listId, type: list.type, namespace_type: list.namespaceType });
    referenced.add(list.key);
  }
  if (refs.length > 0) out.exceptions_list = refs;
  return out;
}

/**
 * `required_fields` ({name, type} as Kibana's RequiredFieldInput): the fields the rule reads whose
 * Elasticsearch type is known. Kibana only shows them ("Required fields" in the rule details);
 * a field no mapping names is left out, as detection-rules leaves out fields outside its schemas.
 */
export function requiredFields(rule: Rule, fieldTypes: FieldTypeTable): Array<{ name: string; type: string }> {
  const out: Array<{ name: string; type: string }> = [];
  for (const name of fieldsRead(rule).fields) {
    const { type } = fieldTypes.resolve(name);
    if (type.type === 'dynamic' || type.type === 'object' || type.type === 'nested') continue;
    out.push({ name, type: type.type === 'unindexed' || type.type === 'other' ? type.esType : type.type });
  }
  return out;
}

/**
 * The whole export: each rule (from `tables`, its `[rule]` table), then each list that applies to
 * one of them followed by its items, then the summary line with Kibana's field names
 * (`getExportDetailsNdjson`: counts of rules, lists and items, and what was missing).
 */
export function kibanaExport(rules: ReadonlyArray<{ rule: Rule; table: JsonObject }>, lists: readonly ExportedList[], fieldTypes: FieldTypeTable): KibanaExport {
  const lines: string[] = [];
  const used = new Set<string>();
  const missing = new Set<string>();
  const known = new Set(lists.map((l) => l.key));
  for (const { rule, table } of rules) {
    const obj = kibanaRuleObject(rule, table, fieldTypes, lists);
    for (const ref of Array.isArray(obj.exceptions_list) ? obj.exceptions_list.filter(isObject) : []) {
      const key = `${String(ref.namespace_type)}\0${String(ref.list_id)}`;
      if (known.has(key)) used.add(key);
      else missing.add(String(ref.list_id));
    }
    lines.push(JSON.stringify(obj));
  }
  const exported = lists.filter((l) => used.has(l.key));
  for (const list of exported) lines.push(JSON.stringify(list.doc));
  let items = 0;
  for (const list of exported) {
    for (const item of list.items) lines.push(JSON.stringify(item));
    items += list.items.length;
  }
  const missingLists = [...missing].sort();
  lines.push(
    JSON.stringify({
      exported_count: rules.length + exported.length + items,
      exported_rules_count: rules.length,
      missing_rules: [],
      missing_rules_count: 0,
      exported_exception_list_count: exported.length,
      exported_exception_list_item_count: items,
      missing_exception_list_item_count: 0,
      missing_exception_list_items: [],
      missing_exception_lists: missingLists.map((list_id) => ({ list_id })),
      missing_exception_lists_count: missingLists.length,
      exported_action_connector_count: 0,
      missing_action_connection_count: 0,
      missing_action_connections: [],
      excluded_action_connection_count: 0,
      excluded_action_connections: [],
    }),
  );
  return {
    ndjson: lines.join('\n') + '\n',
    rules: rules.length,
    lists: exported.length,
    items,
    missingLists,
    unusedLists: lists.filter((l) => !used.has(l.key)).map((l) => l.listId),
  };
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

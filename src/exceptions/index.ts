import type { CompiledRule } from '../engine/compileRule.js';
import type { FieldTypeTable } from '../fieldTypes/index.js';
import type { Rule } from '../rules/types.js';
import { compileItem, ItemCompileError } from './compile.js';
import type { CompiledItem, ExceptionGate } from './gate.js';
import { readExceptionFile } from './read.js';
import { ExceptionFileError, type ExceptionItem, type ExceptionListInfo } from './types.js';
import { readValueList } from './valueLists.js';

export { gateRunner, type ExceptionGate } from './gate.js';
export { ExceptionFileError } from './types.js';
export { exceptionCounts, formatExceptionSummary, type ExceptionItemCounts } from './summary.js';

/**
 * `--exceptions [RULES=]FILE`: RULES (rule_ids separated by commas, or `*`) names rules the file's
 * lists apply to besides those whose `exceptions_list` references them. A path that exists as
 * written is a file even if it holds `=`.
 */
export function parseExceptionsArg(arg: string, exists: (path: string) => boolean): { file: string; rules: string[] } {
  const eq = arg.indexOf('=');
  if (eq <= 0 || exists(arg)) return { file: arg, rules: [] };
  const rules = arg
    .slice(0, eq)
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r !== '');
  return { file: arg.slice(eq + 1), rules };
}

export interface ExceptionOptions {
  /** `--exceptions` arguments, as given. */
  args: readonly string[];
  /** `--value-list ID=FILE` arguments. */
  valueLists: readonly string[];
  fieldTypes: FieldTypeTable;
  /** The scan's start: items whose `expire_time` is before it are not applied, as Kibana's removeExpiredExceptions. */
  now: number;
  exists: (path: string) => boolean;
}

/** The exceptions of a scan: which items apply to which rule, and what each dropped. */
export class ExceptionSet {
  private constructor(
    readonly items: readonly CompiledItem[],
    private readonly gates: ReadonlyMap<string, ExceptionGate>,
    /** Things the user should know that do not stop the scan (items that apply to no rule, expired items). */
    readonly notes: readonly string[],
  ) {}

  static empty(): ExceptionSet {
    return new ExceptionSet([], new Map(), []);
  }

  /**
   * Reads the files and value lists and decides which items apply to which of `rules`. Throws
   * ExceptionFileError (file, line or key, what to change) for anything Kibana would not import or
   * apply.
   */
  static load(options: ExceptionOptions, rules: readonly CompiledRule[]): ExceptionSet {
    if (options.args.length === 0 && options.valueLists.length === 0) return ExceptionSet.empty();
    const valueLists = new Map<string, readonly string[]>();
    for (const arg of options.valueLists) {
      const list = readValueList(arg);
      if (valueLists.has(list.id)) throw new ExceptionFileError('--value-list', '', `names the list "${list.id}" twice`);
      valueLists.set(list.id, list.values);
    }
    const lists: ExceptionListInfo[] = [];
    const items: ExceptionItem[] = [];
    for (const arg of options.args) {
      const { file, rules: named } = parseExceptionsArg(arg, options.exists);
      const read = readExceptionFile(file);
      for (const list of read.lists) lists.push({ ...list, rules: [...list.rules, ...named] });
      for (const item of read.items) items.push({ ...item, rules: [...item.rules, ...named] });
    }
    const notes: string[] = [];
    const ctx = { fieldTypes: options.fieldTypes, valueLists, now: options.now };
    const compiled: Array<{ item: ExceptionItem; compiled: CompiledItem }> = [];
    const seen = new Set<string>();
    for (const item of items) {
      const key = `${item.namespaceType}\0${item.listId}\0${item.itemId}`;
      if (seen.has(key)) throw new ExceptionFileError(item.origin.file, item.origin.where, `repeats item_id "${item.itemId}" of list "${item.listId}"; Kibana keeps one item per item_id`);
      seen.add(key);
      if (item.expireTime !== undefined && item.expireTime < options.now) {
        notes.push(`exception "${item.name}" (${item.origin.file}, ${item.origin.where}) expired ${new Date(item.expireTime).toISOString()}; Kibana no longer applies it, and neither does this scan`);
        continue;
      }
      let matches;
      try {
        matches = compileItem(item, ctx);
      } catch (e) {
        if (e instanceof ItemCompileError) throw new ExceptionFileError(item.origin.file, item.origin.where, e.message);
        throw e;
      }
      compiled.push({ item, compiled: { itemId: item.itemId, name: item.name, listId: item.listId, matches, dropped: new Map() } });
    }

    const listRules = new Map<string, string[]>();
    for (const list of lists) {
      const key = `${list.namespaceType}\0${list.listId}`;
      listRules.set(key, [...(listRules.get(key) ?? []), ...list.rules]);
    }
    const gates = new Map<string, ExceptionGate>();
    const used = new Set<CompiledItem>();
    const ruleIds = new Set(rules.map((r) => r.rule.id));
    for (const { rule } of rules) {
      const referenced = new Set((rule.exceptionsList ?? []).map((ref) => `${ref.namespaceType}\0${ref.listId}`));
      const applying = compiled.filter(({ item }) => {
        const listKey = `${item.namespaceType}\0${item.listId}`;
        const named = [...item.rules, ...(listRules.get(listKey) ?? [])];
        return referenced.has(listKey) || named.includes('*') || named.includes(rule.id);
      });
      if (applying.length === 0) continue;
      for (const a of applying) used.add(a.compiled);
      gates.set(rule.id, { ruleId: rule.id, items: applying.map((a) => a.compiled) });
    }
    for (const { item, compiled: c } of compiled) {
      if (used.has(c)) continue;
      const named = [...item.rules, ...(listRules.get(`${item.namespaceType}\0${item.listId}`) ?? [])];
      const unknown = named.filter((id) => id !== '*' && !ruleIds.has(id));
      notes.push(
        `exception "${item.name}" (${item.origin.file}, ${item.origin.where}) applies to no rule of this scan: ` +
          (unknown.length > 0
            ? `it names ${unknown.map((id) => `"${id}"`).join(', ')}, not among the rules run`
            : `no rule's exceptions_list references list "${item.listId}"; name rules with --exceptions RULE_ID=FILE (or "*=FILE")`),
      );
    }
    return new ExceptionSet(
      compiled.map((c) => c.compiled),
      gates,
      notes,
    );
  }

  /** The items that apply to a rule, or undefined when none does (the rule runs unchanged). */
  gateFor(rule: Rule): ExceptionGate | undefined {
    return this.gates.get(rule.id);
  }
}

/**
 * Exception lists as Kibana's lists plugin keeps them (`@kbn/securitysolution-io-ts-list-types`):
 * a list (`list_id`, `namespace_type`, `type`) holds items; an item is an AND of its entries, the
 * items of a rule are OR-ed, and an event matching any item is left out of the rule's search
 * (README "### Exceptions").
 */

export type EntryOperator = 'included' | 'excluded';

/** `is` / `is not`: a `match_phrase` on the field. */
export interface MatchEntry {
  type: 'match';
  field: string;
  operator: EntryOperator;
  value: string;
}

/** `is one of` / `is not one of`: a `match_phrase` per value, any of them. */
export interface MatchAnyEntry {
  type: 'match_any';
  field: string;
  operator: EntryOperator;
  value: string[];
}

/** `matches` / `does not match`: a `wildcard` query (`*`, `?`, `\` escapes; case-sensitive). */
export interface WildcardEntry {
  type: 'wildcard';
  field: string;
  operator: EntryOperator;
  value: string;
}

/** `exists` / `does not exist`. */
export interface ExistsEntry {
  type: 'exists';
  field: string;
  operator: EntryOperator;
}

/** Value list types Kibana applies inside the rule's search (isListTypeProcessable). */
export const VALUE_LIST_TYPES = ['keyword', 'ip', 'ip_range'] as const;
export type ValueListType = (typeof VALUE_LIST_TYPES)[number];

/** `is in list` / `is not in list`: a `terms` query (ip_range: `range` and CIDR terms) over a value list. */
export interface ListEntry {
  type: 'list';
  field: string;
  operator: EntryOperator;
  list: { id: string; type: ValueListType };
}

/** Entries under a `nested` path: all must hold in the same object of it. */
export type NestedInnerEntry = MatchEntry | MatchAnyEntry | ExistsEntry;

export interface NestedEntry {
  type: 'nested';
  field: string;
  entries: NestedInnerEntry[];
}

export type ExceptionEntry = MatchEntry | MatchAnyEntry | WildcardEntry | ExistsEntry | ListEntry | NestedEntry;

/** Where a list or item was read: the file and a line (NDJSON) or a key path (TOML). */
export interface Origin {
  file: string;
  where: string;
}

export type NamespaceType = 'single' | 'agnostic';

export interface ExceptionItem {
  itemId: string;
  name: string;
  listId: string;
  namespaceType: NamespaceType;
  entries: ExceptionEntry[];
  /** `os_types`: the item holds only on these operating systems (host.os.type or host.os.name.caseless). */
  osTypes: string[];
  /** `expire_time`: past it, Kibana no longer applies the item. */
  expireTime?: number;
  /** Rules the item applies to besides those whose `exceptions_list` names its list: rule_ids, `*` for all. */
  rules: string[];
  origin: Origin;
}

export interface ExceptionListInfo {
  listId: string;
  namespaceType: NamespaceType;
  name: string;
  type: string;
  /** Rules the list applies to besides those whose `exceptions_list` names it (TOML `rules`, or `RULES=FILE`). */
  rules: string[];
  origin: Origin;
}

/** One `--exceptions` file, read. */
export interface ExceptionFile {
  lists: ExceptionListInfo[];
  items: ExceptionItem[];
}

/** An exception file or value list Kibana would not import, or that lkm-scan cannot apply: where, and what to change. */
export class ExceptionFileError extends Error {
  override readonly name = 'ExceptionFileError';
  constructor(
    readonly file: string,
    /** `line 3` (NDJSON), `key exception[1].entries[0].value` (TOML), or empty for the whole file. */
    readonly where: string,
    message: string,
  ) {
    super(message);
  }

  format(): string {
    return `${this.file}${this.where === '' ? '' : ` (${this.where})`}: ${this.message}`;
  }
}

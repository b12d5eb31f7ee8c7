import { ECS_FIELD_CODES, ECS_KEYWORDS } from './ecsTable.generated.js';
import type { DynamicTemplate, LoadedMapping } from './mapping.js';
import { DEFAULT_DATE_FORMAT, DYNAMIC, isNumericKind } from './types.js';
import type { FieldType, ResolvedField } from './types.js';

/**
 * Fields of Elastic integrations that detection rules query and ECS does not define, with the
 * type their package maps (elastic/integrations `packages/<pkg>/data_stream/<ds>/fields/*.yml`).
 * Keywords are left out: an unknown field is mapped by its value's JSON type, and their values
 * are strings, which that maps as keywords (winlog.event_data.* is an `object_type: keyword`
 * object in packages/system/data_stream/security/fields/winlog.yml).
 */
const INTEGRATION_FIELDS: Readonly<Record<string, string>> = {
  // packages/windows/data_stream/powershell_operational/fields/fields.yml: text with the
  // package's `powershell_script_analyzer`, a pattern analyzer on `[\W&&[^-]]+` (manifest.yml).
  'powershell.file.script_block_text': 'text/pattern_word_hyphen',
  'powershell.command.value': 'text',
  'powershell.command.invocation_details.value': 'text',
  'powershell.file.script_block_entropy_bits': 'float',
  'powershell.file.script_block_surprisal_stdev': 'float',
  'powershell.file.script_block_length': 'long',
  'powershell.file.script_block_unique_symbols': 'long',
  'powershell.sequence': 'long',
  'powershell.total': 'long',
  // packages/aws/data_stream/cloudtrail/fields/fields.yml
  'aws.cloudtrail.request_parameters': 'keyword:8191|text:text',
  'aws.cloudtrail.response_elements': 'keyword:8191|text:text',
  'aws.cloudtrail.additional_eventdata': 'keyword|text:text',
  'aws.cloudtrail.service_event_details': 'keyword|text:text',
  'aws.cloudtrail.flattened.additional_eventdata': 'flattened',
  'aws.cloudtrail.flattened.request_parameters': 'flattened',
  'aws.cloudtrail.flattened.response_elements': 'flattened',
  'aws.cloudtrail.flattened.service_event_details': 'flattened',
  'aws.cloudtrail.flattened.digest': 'flattened',
  'aws.cloudtrail.flattened.insight_details': 'flattened',
  'aws.cloudtrail.read_only': 'boolean',
  'aws.cloudtrail.console_login.additional_eventdata.mobile_version': 'boolean',
  'aws.cloudtrail.console_login.additional_eventdata.mfa_used': 'boolean',
  'aws.cloudtrail.user_identity.session_context.creation_date': 'date',
  // packages/gcp/data_stream/audit/fields/fields.yml
  'gcp.audit.request': 'flattened',
  'gcp.audit.response': 'flattened',
  'gcp.audit.labels': 'flattened',
  'gcp.audit.flattened': 'flattened',
  'gcp.audit.authentication_info.service_account_delegation_info': 'flattened',
  'gcp.audit.authentication_info.third_party_principal': 'flattened',
  'gcp.audit.authorization_info': 'nested',
  'gcp.audit.authorization_info.granted': 'boolean',
  'gcp.audit.logentry_operation.first': 'boolean',
  'gcp.audit.logentry_operation.last': 'boolean',
  'gcp.audit.num_response_items': 'long',
  'gcp.audit.request_metadata.caller_ip': 'ip',
  'gcp.audit.status.code': 'integer',
};

/**
 * Decodes a table code: `type[:param][/analyzer]` (for a keyword `/lowercase` is its normalizer),
 * then `|name:type` per multi-field.
 */
export function decodeFieldCode(code: string): { type: FieldType; multi: [string, FieldType][] } {
  const [main = 'keyword', ...rest] = code.split('|');
  return {
    type: decodeType(main),
    multi: rest.map((m) => {
      const colon = m.indexOf(':');
      return [m.slice(0, colon), decodeType(m.slice(colon + 1))];
    }),
  };
}

function decodeType(code: string): FieldType {
  const [head = 'keyword', analyzer] = code.split('/');
  const colon = head.indexOf(':');
  const name = colon < 0 ? head : head.slice(0, colon);
  const param = colon < 0 ? undefined : head.slice(colon + 1);
  switch (name) {
    case 'keyword': {
      const normalizer = analyzer === 'lowercase' ? { normalizer: 'lowercase' as const } : {};
      if (param === '-') return { type: 'keyword', ...normalizer };
      return { type: 'keyword', ignoreAbove: param === undefined ? 1024 : Number(param), ...normalizer };
    }
    case 'text':
    case 'match_only_text':
      return { type: name, analyzer: analyzer === 'pattern_word_hyphen' ? 'pattern_word_hyphen' : 'standard' };
    case 'date':
    case 'date_nanos':
      return { type: 'date', format: DEFAULT_DATE_FORMAT };
    case 'scaled_float':
      return { type: 'scaled_float', scalingFactor: Number(param) };
    case 'unindexed':
      return { type: 'unindexed', esType: param ?? 'keyword' };
    case 'wildcard':
    case 'constant_keyword':
    case 'ip':
    case 'boolean':
    case 'flattened':
    case 'object':
    case 'nested':
      return { type: name };
    default:
      // scaled_float has its own case above: it carries its scaling factor.
      if (isNumericKind(name) && name !== 'scaled_float') return { type: name };
      return { type: 'other', esType: name };
  }
}

/**
 * The Elastic Defend (endpoint) package adds a `caseless` multi-field (keyword, normalizer
 * lowercase, ignore_above 1024) to the process name, executable, command line and working
 * directory of the process, its parent and its leaders (elastic/endpoint-package
 * `package/endpoint/data_stream/process/fields/fields.yml`); rules query `process.name.caseless`.
 */
const ENDPOINT_CASELESS_PARENTS = ['process', 'process.parent', 'process.entry_leader', 'process.session_leader', 'process.group_leader'].flatMap(
  (p) => ['name', 'executable', 'command_line', 'working_directory'].map((f) => `${p}.${f}`),
);

type Entry = { type: FieldType; valuePath: string; origin: ResolvedField['origin'] };

function addCoded(into: Map<string, Entry>, codes: Readonly<Record<string, string>>, origin: ResolvedField['origin']): void {
  for (const [path, code] of Object.entries(codes)) {
    const { type, multi } = decodeFieldCode(code);
    into.set(path, { type, valuePath: path, origin });
    for (const [name, sub] of multi) into.set(`${path}.${name}`, { type: sub, valuePath: path, origin });
  }
}

const ECS_KEYWORD = decodeType('keyword');

let builtin: Map<string, Entry> | undefined;

/** Every builtin field, decoded: ECS, then the integration fields and Defend's caseless multi-fields over it. */
export function builtinEntries(): ReadonlyMap<string, Entry> {
  if (builtin === undefined) {
    builtin = new Map();
    for (const path of ECS_KEYWORDS) builtin.set(path, { type: ECS_KEYWORD, valuePath: path, origin: 'ecs' });
    addCoded(builtin, ECS_FIELD_CODES, 'ecs');
    addCoded(builtin, INTEGRATION_FIELDS, 'integration');
    for (const path of ENDPOINT_CASELESS_PARENTS) {
      builtin.set(`${path}.caseless`, { type: decodeType('keyword/lowercase'), valuePath: path, origin: 'integration' });
    }
  }
  return builtin;
}

/**
 * One builtin field, as builtinEntries() has it, decoded on its first lookup: a scan looks up the
 * few dozen fields its rules read, and decoding all ~4,000 cost ~6 ms of CPU at every start.
 * Later sources win, as in builtinEntries(); within one, a field over a multi-field of the same
 * name (the table is sorted: `a` comes before `a.text`). Multi-field names hold no dot.
 */
function builtinEntry(path: string): Entry | undefined {
  let entry = decoded.get(path);
  if (entry === undefined && !decoded.has(path)) {
    const dot = path.lastIndexOf('.');
    const parent = path.slice(0, Math.max(dot, 0));
    const caseless = dot > 0 && path.slice(dot + 1) === 'caseless' && ENDPOINT_CASELESS_PARENTS.includes(parent);
    entry = caseless
      ? { type: decodeType('keyword/lowercase'), valuePath: parent, origin: 'integration' }
      : (codedEntry(INTEGRATION_FIELDS, path, 'integration') ??
        codedEntry(ECS_FIELD_CODES, path, 'ecs') ??
        (ecsKeywords().has(path) ? { type: ECS_KEYWORD, valuePath: path, origin: 'ecs' } : undefined));
    decoded.set(path, entry);
  }
  return entry;
}

/** Builtin fields looked up so far, and those that are none (undefined). */
const decoded = new Map<string, Entry | undefined>();

let ecsKeywordSet: ReadonlySet<string> | undefined;
function ecsKeywords(): ReadonlySet<string> {
  return (ecsKeywordSet ??= new Set(ECS_KEYWORDS));
}

/** `path` in one table of codes: a field of its own, else a multi-field of its parent. */
function codedEntry(codes: Readonly<Record<string, string>>, path: string, origin: ResolvedField['origin']): Entry | undefined {
  const own = Object.hasOwn(codes, path) ? codes[path] : undefined;
  if (own !== undefined) return { type: decodeFieldCode(own).type, valuePath: path, origin };
  const dot = path.lastIndexOf('.');
  const parent = path.slice(0, Math.max(dot, 0));
  const parentCode = dot > 0 && Object.hasOwn(codes, parent) ? codes[parent] : undefined;
  if (parentCode === undefined) return undefined;
  const name = path.slice(dot + 1);
  const multi = decodeFieldCode(parentCode).multi.find(([n]) => n === name);
  return multi === undefined ? undefined : { type: multi[1], valuePath: parent, origin };
}

/**
 * Which type each field has: a user's mapping (`--mapping FILE`) first, then ECS and the
 * integration fields above, then the mapping's dynamic templates, then `dynamic`: the event
 * value's JSON type decides, as ECS's `ecs@mappings` templates map a field on first sight (a
 * string a keyword with ignore_above 1024, a number a long or float, a boolean a boolean).
 */
export class FieldTypeTable {
  private readonly cache = new Map<string, ResolvedField>();
  /** valuePath → the multi-fields that index it (`process.command_line` → `.text`, `.caseless`). */
  private multiFields: Map<string, ResolvedField[]> | undefined;

  private constructor(
    private readonly user: ReadonlyMap<string, Entry>,
    private readonly templates: readonly DynamicTemplate[],
  ) {}

  /** ECS and the integration fields only. */
  static builtin(): FieldTypeTable {
    return new FieldTypeTable(new Map(), []);
  }

  /** With a loaded mapping on top (mapping.ts). */
  static withMapping(mapping: LoadedMapping): FieldTypeTable {
    const user = new Map<string, Entry>();
    for (const [path, f] of mapping.fields) user.set(path, { type: f.type, valuePath: f.valuePath, origin: 'mapping' });
    return new FieldTypeTable(user, mapping.dynamicTemplates);
  }

  resolve(path: string): ResolvedField {
    const cached = this.cache.get(path);
    if (cached !== undefined) return cached;
    const found = this.lookup(path);
    this.cache.set(path, found);
    return found;
  }

  private lookup(path: string): ResolvedField {
    const exact = this.user.get(path) ?? builtinEntry(path);
    if (exact !== undefined) return exact;
    // Below a flattened field every leaf is a keyword of that field (`gcp.audit.request.spec.hostPID`).
    for (let dot = path.lastIndexOf('.'); dot > 0; dot = path.lastIndexOf('.', dot - 1)) {
      const parent = this.user.get(path.slice(0, dot)) ?? builtinEntry(path.slice(0, dot));
      if (parent?.type.type === 'flattened') {
        return { type: { type: 'keyword', ignoreAbove: parent.type.ignoreAbove }, valuePath: path, origin: parent.origin };
      }
    }
    for (const t of this.templates) if (t.matches(path)) return { type: t.type, valuePath: path, origin: 'mapping' };
    return { type: DYNAMIC, valuePath: path, origin: 'default' };
  }

  /**
   * Every field that indexes the event field at `path`: the field itself and its multi-fields.
   * Free text (a `multi_match` over all fields) matches when any of them does, so `segfault`
   * finds `process.command_line` through its analysed `.text`.
   */
  indexing(path: string): readonly ResolvedField[] {
    if (this.multiFields === undefined) {
      const byParent = new Map<string, ResolvedField[]>();
      const add = (name: string, entry: Entry): void => {
        if (entry.valuePath === name) return;
        let list = byParent.get(entry.valuePath);
        if (list === undefined) byParent.set(entry.valuePath, (list = []));
        list.push(this.resolve(name));
      };
      for (const [name, entry] of builtinEntries()) if (!this.user.has(name)) add(name, entry);
      for (const [name, entry] of this.user) add(name, entry);
      this.multiFields = byParent;
    }
    const own = this.resolve(path);
    const multi = this.multiFields.get(path);
    return multi === undefined ? [own] : [own, ...multi];
  }
}

import { compileDateFormat, DateFormatError } from './dates.js';
import { DEFAULT_DATE_FORMAT, isNumericKind } from './types.js';
import type { AnalyzerName, FieldType } from './types.js';

/**
 * Reads an Elasticsearch mapping as users have one (`--mapping FILE`), in any of these shapes:
 * - `{"mappings": {...}}` (a create-index body) or a bare `{"properties": ...}`;
 * - a GET `_mapping` response `{"<index>": {"mappings": ...}, ...}`: indices merge, and a field
 *   two indices map differently is an error naming both;
 * - an index or component template `{"template": {"mappings": ...}}`, and the GET
 *   `_index_template` / `_component_template` responses (`index_templates[].index_template`,
 *   `component_templates[].component_template`).
 * Inside: nested `properties`, dotted property names, `fields` (multi-fields), `type: object` /
 * `nested`, `runtime` fields (read as their type, from the event field of the same name), and
 * `dynamic_templates` whose `match_mapping_type` is absent, `*` or `string` (the only values a
 * query's field can be told apart by offline), with `match` / `unmatch` / `path_match` /
 * `path_unmatch` as simple `*` patterns (`match_pattern: regex` is refused). Other dynamic
 * templates are skipped and listed in `skipped`.
 */

export interface MappedField {
  type: FieldType;
  /** The event field the value comes from (the parent's, for a multi-field). */
  valuePath: string;
}

export interface DynamicTemplate {
  readonly name: string;
  readonly type: FieldType;
  matches(path: string): boolean;
}

export interface LoadedMapping {
  fields: Map<string, MappedField>;
  dynamicTemplates: DynamicTemplate[];
  /** Dynamic templates not applied, with why (for a warning line). */
  skipped: string[];
}

/** A mapping lkm-scan cannot read: `jsonPath` points at the bad entry. */
export class MappingError extends Error {
  override readonly name = 'MappingError';
  constructor(
    readonly jsonPath: string,
    problem: string,
    readonly file?: string,
  ) {
    super(`${file === undefined ? '' : `${file}: `}${jsonPath}: ${problem}`);
  }
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface Source {
  /** Where its mappings sit, for messages (`$.my-index.mappings`). */
  path: string;
  /** Which index or template it is, for conflicts. */
  name: string;
  mappings: Json;
  analysis: Json | undefined;
  /** An index template's component templates, which lkm-scan cannot fetch. */
  composedOf?: unknown;
}

/** Parses the text of a mapping file; `file` names it in errors. */
export function parseMappingText(text: string, file?: string): LoadedMapping {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new MappingError('$', `not JSON (${e instanceof Error ? e.message : String(e)}); give an Elasticsearch mapping or index template as JSON`, file);
  }
  return loadMapping(json, file);
}

export function loadMapping(json: unknown, file?: string): LoadedMapping {
  const sources = findSources(json, file);
  const out: LoadedMapping = { fields: new Map(), dynamicTemplates: [], skipped: [] };
  const owner = new Map<string, string>();
  for (const s of sources) {
    const fields = new Map<string, MappedField>();
    const ctx: Ctx = { analysis: s.analysis, file, aliases: [] };
    const props = s.mappings.properties;
    if (props !== undefined) readProperties(props, '', `${s.path}.properties`, fields, ctx);
    for (const alias of ctx.aliases) {
      const target = fields.get(alias.target);
      if (target === undefined) throw new MappingError(`${alias.at}.path`, `alias target "${alias.target}" is not a field of this mapping`, file);
      fields.set(alias.path, target);
    }
    if (Array.isArray(s.composedOf) && s.composedOf.length > 0) {
      out.skipped.push(`${s.name} is composed of ${JSON.stringify(s.composedOf)}: give their mappings too (GET _component_template) for those fields`);
    }
    const runtime = s.mappings.runtime;
    if (runtime !== undefined) {
      if (!isObject(runtime)) throw new MappingError(`${s.path}.runtime`, 'must be an object of runtime fields', file);
      for (const [name, def] of Object.entries(runtime)) {
        const at = `${s.path}.runtime.${name}`;
        if (!isObject(def) || typeof def.type !== 'string') throw new MappingError(at, 'a runtime field needs a "type"', file);
        fields.set(name, { type: fieldType(def, at, ctx), valuePath: name });
      }
    }
    for (const [path, f] of fields) {
      const before = out.fields.get(path);
      if (before?.type.type === 'date' && f.type.type === 'date' && before.type.format !== f.type.format) {
        // Each index reads its documents with its own format, and an offline event does not say
        // which index it belongs to: read it with any of them, in the order the indices came.
        out.fields.set(path, { ...before, type: { type: 'date', format: mergeDateFormats(before.type.format, f.type.format) } });
        continue;
      }
      if (before !== undefined && !sameType(before.type, f.type)) {
        throw new MappingError(
          `${s.path}`,
          `field "${path}" is ${describe(f.type, before.type)} in ${s.name} but ${describe(before.type, f.type)} in ${owner.get(path) ?? 'another index'}; give one mapping per --mapping file, or make them agree`,
          file,
        );
      }
      out.fields.set(path, f);
      owner.set(path, s.name);
    }
    readDynamicTemplates(s, out, ctx);
  }
  return out;
}

function describe(t: FieldType, other: FieldType): string {
  return t.type === other.type ? JSON.stringify(t) : `"${t.type}"`;
}

/** `a||b` without repeating a format `a` already lists. */
function mergeDateFormats(a: string, b: string): string {
  const have = a.split('||').map((f) => f.trim());
  const extra = b.split('||').map((f) => f.trim()).filter((f) => !have.includes(f));
  return [...have, ...extra].join('||');
}

function sameType(a: FieldType, b: FieldType): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function findSources(json: unknown, file: string | undefined): Source[] {
  if (!isObject(json)) throw new MappingError('$', 'must be a JSON object (an Elasticsearch mapping, a GET _mapping response or an index template)', file);
  const settingsAnalysis = (settings: unknown): Json | undefined => {
    if (!isObject(settings)) return undefined;
    const index = isObject(settings.index) ? settings.index : settings;
    return isObject(index.analysis) ? index.analysis : isObject(settings.analysis) ? settings.analysis : undefined;
  };
  const fromTemplate = (t: unknown, path: string, name: string): Source[] => {
    if (!isObject(t)) throw new MappingError(path, 'must be an object', file);
    const tpl = isObject(t.template) ? t.template : t;
    const m = tpl.mappings ?? {};
    if (!isObject(m)) throw new MappingError(`${path}.mappings`, 'must be an object', file);
    return [{ path: `${path}${tpl === t ? '' : '.template'}.mappings`, name, mappings: unwrapType(m), analysis: settingsAnalysis(tpl.settings), composedOf: t.composed_of }];
  };
  if (Array.isArray(json.index_templates)) {
    return json.index_templates.flatMap((e: unknown, i) => {
      const at = `$.index_templates[${i}]`;
      if (!isObject(e)) throw new MappingError(at, 'must be an object', file);
      return fromTemplate(e.index_template, `${at}.index_template`, `index template "${String(e.name)}"`);
    });
  }
  if (Array.isArray(json.component_templates)) {
    return json.component_templates.flatMap((e: unknown, i) => {
      const at = `$.component_templates[${i}]`;
      if (!isObject(e)) throw new MappingError(at, 'must be an object', file);
      return fromTemplate(e.component_template, `${at}.component_template`, `component template "${String(e.name)}"`);
    });
  }
  if (isObject(json.template)) return fromTemplate(json, '$', 'the template');
  if (isObject(json.mappings)) return [{ path: '$.mappings', name: 'the mapping', mappings: unwrapType(json.mappings), analysis: settingsAnalysis(json.settings) }];
  if (isObject(json.properties) || json.dynamic_templates !== undefined || isObject(json.runtime)) {
    return [{ path: '$', name: 'the mapping', mappings: json, analysis: undefined }];
  }
  const entries = Object.entries(json);
  if (entries.length > 0 && entries.every(([, v]) => isObject(v) && isObject(v.mappings))) {
    return entries.flatMap(([index, v]) =>
      isObject(v) && isObject(v.mappings)
        ? [{ path: `$.${index}.mappings`, name: `index "${index}"`, mappings: unwrapType(v.mappings), analysis: settingsAnalysis(v.settings) }]
        : [],
    );
  }
  throw new MappingError(
    '$',
    'found no mappings: expected {"mappings": {"properties": ...}}, a GET _mapping response, an index template ({"template": {"mappings": ...}}) or a GET _index_template response',
    file,
  );
}

/** Pre-7.0 typed mappings (`{"_doc": {"properties": ...}}`) hold one type's mapping. */
function unwrapType(m: Json): Json {
  if (m.properties !== undefined || m.dynamic_templates !== undefined || m.runtime !== undefined) return m;
  const keys = Object.keys(m).filter((k) => k !== '_meta' && k !== '_source' && k !== 'dynamic');
  const only = keys.length === 1 ? m[keys[0]!] : undefined;
  return isObject(only) && isObject(only.properties) ? only : m;
}

interface Ctx {
  analysis: Json | undefined;
  file: string | undefined;
  aliases: { path: string; target: string; at: string }[];
}

const MAX_DEPTH = 100;

function readProperties(props: unknown, prefix: string, at: string, out: Map<string, MappedField>, ctx: Ctx, depth = 0): void {
  if (!isObject(props)) throw new MappingError(at, '"properties" must be an object of field definitions', ctx.file);
  if (depth > MAX_DEPTH) throw new MappingError(at, `objects nest deeper than ${MAX_DEPTH} levels`, ctx.file);
  for (const [name, def] of Object.entries(props)) {
    const path = prefix + name;
    const here = `${at}.${name}`;
    if (!isObject(def)) throw new MappingError(here, 'a field definition must be an object', ctx.file);
    if (def.properties !== undefined || def.type === undefined || def.type === 'object' || def.type === 'nested') {
      const kind = def.type === 'nested' ? 'nested' : 'object';
      out.set(path, { type: { type: kind }, valuePath: path });
      if (def.properties !== undefined) readProperties(def.properties, `${path}.`, `${here}.properties`, out, ctx, depth + 1);
      continue;
    }
    if (def.type === 'alias') {
      // An alias queries its target: resolved once every field is read (resolveAliases).
      if (typeof def.path !== 'string') throw new MappingError(`${here}.path`, 'an alias needs the "path" of the field it stands for', ctx.file);
      ctx.aliases.push({ path, target: def.path, at: here });
      continue;
    }
    out.set(path, { type: fieldType(def, here, ctx), valuePath: path });
    if (def.fields !== undefined) {
      if (!isObject(def.fields)) throw new MappingError(`${here}.fields`, '"fields" (multi-fields) must be an object', ctx.file);
      for (const [sub, subDef] of Object.entries(def.fields)) {
        const subAt = `${here}.fields.${sub}`;
        if (!isObject(subDef)) throw new MappingError(subAt, 'a multi-field definition must be an object', ctx.file);
        out.set(`${path}.${sub}`, { type: fieldType(subDef, subAt, ctx), valuePath: path });
      }
    }
  }
}

const OTHER_TYPES = new Set([
  'geo_point', 'geo_shape', 'shape', 'point', 'binary', 'completion', 'search_as_you_type', 'token_count', 'dense_vector',
  'sparse_vector', 'rank_feature', 'rank_features', 'histogram', 'aggregate_metric_double', 'percolator', 'join',
  'integer_range', 'long_range', 'float_range', 'double_range', 'date_range', 'ip_range', 'version', 'semantic_text', 'counted_keyword',
]);

function fieldType(def: Json, at: string, ctx: Ctx): FieldType {
  const t = def.type;
  if (typeof t !== 'string') throw new MappingError(`${at}.type`, '"type" must be a string', ctx.file);
  const notIndexed = def.index === false && (def.doc_values === false || t === 'text' || t === 'match_only_text');
  if (notIndexed) return { type: 'unindexed', esType: t };
  switch (t) {
    case 'keyword': {
      const ignoreAbove = def.ignore_above;
      if (ignoreAbove !== undefined && !(typeof ignoreAbove === 'number' && Number.isInteger(ignoreAbove) && ignoreAbove >= 0)) {
        throw new MappingError(`${at}.ignore_above`, 'must be a non-negative integer', ctx.file);
      }
      const normalizer = readNormalizer(def.normalizer, `${at}.normalizer`, ctx);
      const nullValue = def.null_value;
      if (nullValue !== undefined && nullValue !== null && typeof nullValue !== 'string') {
        throw new MappingError(`${at}.null_value`, 'a keyword\'s null_value must be a string', ctx.file);
      }
      return {
        type: 'keyword',
        ...(ignoreAbove === undefined ? {} : { ignoreAbove }),
        ...(normalizer === undefined ? {} : { normalizer }),
        ...(typeof nullValue === 'string' ? { nullValue } : {}),
      };
    }
    case 'flattened': {
      const ignoreAbove = def.ignore_above;
      if (ignoreAbove !== undefined && !(typeof ignoreAbove === 'number' && Number.isInteger(ignoreAbove) && ignoreAbove >= 0)) {
        throw new MappingError(`${at}.ignore_above`, 'must be a non-negative integer', ctx.file);
      }
      return { type: 'flattened', ...(ignoreAbove === undefined ? {} : { ignoreAbove }) };
    }
    case 'text':
    case 'match_only_text': {
      const analyzer = readAnalyzer(def.analyzer, `${at}.analyzer`, ctx);
      if (def.search_analyzer !== undefined && readAnalyzer(def.search_analyzer, `${at}.search_analyzer`, ctx) !== analyzer) {
        throw new MappingError(`${at}.search_analyzer`, 'a search_analyzer other than the analyzer is not supported; remove it', ctx.file);
      }
      return { type: t, analyzer };
    }
    case 'date':
    case 'date_nanos': {
      const format = def.format ?? DEFAULT_DATE_FORMAT;
      if (typeof format !== 'string') throw new MappingError(`${at}.format`, 'must be a string', ctx.file);
      try {
        compileDateFormat(format);
      } catch (e) {
        if (e instanceof DateFormatError) throw new MappingError(`${at}.format`, `${e.message}; use a built-in format such as strict_date_optional_time||epoch_millis`, ctx.file);
        throw e;
      }
      return { type: 'date', format };
    }
    case 'scaled_float': {
      const f = def.scaling_factor;
      if (typeof f !== 'number' || !(f > 0)) throw new MappingError(`${at}.scaling_factor`, 'a scaled_float needs a positive "scaling_factor"', ctx.file);
      return { type: 'scaled_float', scalingFactor: f };
    }
    case 'wildcard':
    case 'constant_keyword':
    case 'ip':
    case 'boolean':
      return { type: t };
    case 'object':
    case 'nested':
      return { type: t };
    default:
      // scaled_float has its own case above: it needs its scaling_factor.
      if (isNumericKind(t) && t !== 'scaled_float') return { type: t };
      if (OTHER_TYPES.has(t)) return { type: 'other', esType: t };
      throw new MappingError(`${at}.type`, `unknown field type "${t}"; check the spelling against the Elasticsearch field types`, ctx.file);
  }
}

function readNormalizer(v: unknown, at: string, ctx: Ctx): 'lowercase' | undefined {
  if (v === undefined) return undefined;
  if (v === 'lowercase') return 'lowercase';
  if (typeof v === 'string') {
    const custom = isObject(ctx.analysis) && isObject(ctx.analysis.normalizer) ? ctx.analysis.normalizer[v] : undefined;
    if (isObject(custom) && Array.isArray(custom.filter) && custom.filter.length === 1 && custom.filter[0] === 'lowercase' && custom.char_filter === undefined) {
      return 'lowercase';
    }
  }
  throw new MappingError(at, `normalizer ${JSON.stringify(v)} is not supported: lkm-scan knows "lowercase" (or a custom normalizer whose only filter is lowercase)`, ctx.file);
}

function readAnalyzer(v: unknown, at: string, ctx: Ctx): AnalyzerName {
  if (v === undefined || v === 'standard' || v === 'default') return 'standard';
  if (v === 'simple' || v === 'whitespace' || v === 'keyword') return v;
  if (typeof v === 'string') {
    const custom = isObject(ctx.analysis) && isObject(ctx.analysis.analyzer) ? ctx.analysis.analyzer[v] : undefined;
    if (isObject(custom)) {
      const lower = custom.lowercase !== false;
      const noStop = custom.stopwords === undefined || custom.stopwords === '_none_';
      if (custom.type === 'pattern' && lower && noStop && custom.flags === undefined) {
        const pattern = custom.pattern ?? '\\W+';
        if (pattern === '\\W+') return 'pattern_word';
        if (pattern === '[\\W&&[^-]]+') return 'pattern_word_hyphen';
      }
      if (custom.type === 'standard' && noStop && (custom.max_token_length === undefined || custom.max_token_length === 255)) return 'standard';
    }
  }
  throw new MappingError(
    at,
    `analyzer ${JSON.stringify(v)} is not supported: lkm-scan runs standard, simple, whitespace, keyword, and pattern analyzers on \\W+ or [\\W&&[^-]]+; map the field as keyword to match it exactly`,
    ctx.file,
  );
}

function globToMatcher(pattern: unknown, at: string, ctx: Ctx): ((s: string) => boolean) | undefined {
  if (pattern === undefined) return undefined;
  const list = Array.isArray(pattern) ? pattern : [pattern];
  const tests = list.map((p, i) => {
    if (typeof p !== 'string') throw new MappingError(Array.isArray(pattern) ? `${at}[${i}]` : at, 'must be a string or a list of strings', ctx.file);
    const parts = p.split('*');
    return (s: string): boolean => {
      if (parts.length === 1) return s === p;
      const first = parts[0]!;
      const last = parts[parts.length - 1]!;
      if (!s.startsWith(first) || !s.endsWith(last) || s.length < first.length + last.length) return false;
      let pos = first.length;
      const end = s.length - last.length;
      for (const mid of parts.slice(1, -1)) {
        const found = s.indexOf(mid, pos);
        if (found < 0 || found + mid.length > end) return false;
        pos = found + mid.length;
      }
      return true;
    };
  });
  return (s) => tests.some((t) => t(s));
}

function readDynamicTemplates(s: Source, out: LoadedMapping, ctx: Ctx): void {
  const list = s.mappings.dynamic_templates;
  if (list === undefined) return;
  const at = `${s.path}.dynamic_templates`;
  if (!Array.isArray(list)) throw new MappingError(at, 'must be a list of {"name": {...}} objects', ctx.file);
  list.forEach((entry: unknown, i) => {
    const here = `${at}[${i}]`;
    if (!isObject(entry) || Object.keys(entry).length !== 1) throw new MappingError(here, 'each dynamic template is an object with one named entry', ctx.file);
    const [name, body] = Object.entries(entry)[0]!;
    const bodyAt = `${here}.${name}`;
    if (!isObject(body)) throw new MappingError(bodyAt, 'must be an object', ctx.file);
    const mmt = body.match_mapping_type;
    const types = Array.isArray(mmt) ? mmt : [mmt];
    if (mmt !== undefined && !types.some((x) => x === 'string' || x === '*')) {
      out.skipped.push(`${name}: match_mapping_type ${JSON.stringify(mmt)} (only string templates apply to query fields offline)`);
      return;
    }
    if (body.match_pattern === 'regex') throw new MappingError(`${bodyAt}.match_pattern`, 'regex dynamic templates are not supported; write match/path_match with * patterns', ctx.file);
    if (!isObject(body.mapping) && body.runtime === undefined) throw new MappingError(`${bodyAt}.mapping`, 'a dynamic template needs a "mapping"', ctx.file);
    const mappingDef: Json = isObject(body.mapping) ? { ...body.mapping } : isObject(body.runtime) ? { ...body.runtime } : {};
    // `{dynamic_type}` of a string value is what a query field holds offline: a keyword.
    if (mappingDef.type === undefined || mappingDef.type === '{dynamic_type}') mappingDef.type = 'keyword';
    const type = fieldType(mappingDef, `${bodyAt}.mapping`, ctx);
    const match = globToMatcher(body.match, `${bodyAt}.match`, ctx);
    const unmatch = globToMatcher(body.unmatch, `${bodyAt}.unmatch`, ctx);
    const pathMatch = globToMatcher(body.path_match, `${bodyAt}.path_match`, ctx);
    const pathUnmatch = globToMatcher(body.path_unmatch, `${bodyAt}.path_unmatch`, ctx);
    out.dynamicTemplates.push({
      name,
      type,
      matches(path: string): boolean {
        const leaf = path.slice(path.lastIndexOf('.') + 1);
        if (match !== undefined && !match(leaf)) return false;
        if (unmatch?.(leaf) === true) return false;
        if (pathMatch !== undefined && !pathMatch(path)) return false;
        return pathUnmatch?.(path) !== true;
      },
    });
  });
}

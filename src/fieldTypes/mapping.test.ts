import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadMapping, MappingError, parseMappingText } from './mapping.js';
import { FieldTypeTable } from './table.js';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/mappings/${name}`, import.meta.url), 'utf8');

function mappingError(run: () => unknown): MappingError {
  try {
    run();
  } catch (e) {
    if (e instanceof MappingError) return e;
    throw e;
  }
  throw new Error('expected a MappingError');
}

describe('--mapping loader', () => {
  it('reads a GET _index_template response: analyzers, normalizers, multi-fields, nested, runtime, dotted names', () => {
    const loaded = parseMappingText(fixture('index-template.json'), 'index-template.json');
    const get = (p: string) => loaded.fields.get(p);
    expect(get('message')).toEqual({ type: { type: 'keyword' }, valuePath: 'message' });
    expect(get('myapp.script')?.type).toEqual({ type: 'text', analyzer: 'pattern_word_hyphen' });
    expect(get('myapp.user')?.type).toEqual({ type: 'keyword', normalizer: 'lowercase' });
    expect(get('myapp.user.text')).toEqual({ type: { type: 'match_only_text', analyzer: 'standard' }, valuePath: 'myapp.user' });
    expect(get('myapp.took.ms')?.type).toEqual({ type: 'long' });
    expect(get('myapp.seen')?.type).toEqual({ type: 'date', format: 'yyyy-MM-dd HH:mm:ss||epoch_second' });
    expect(get('myapp.events')?.type).toEqual({ type: 'nested' });
    expect(get('myapp.events.code')?.type).toEqual({ type: 'integer' });
    expect(get('myapp.score')?.type).toEqual({ type: 'double' });
    expect(loaded.skipped).toEqual([expect.stringContaining('longs_as_strings')]);
  });

  it('user mappings override ECS; dynamic templates apply to fields nothing else maps', () => {
    const table = FieldTypeTable.withMapping(parseMappingText(fixture('index-template.json')));
    expect(table.resolve('message')).toEqual({ type: { type: 'keyword' }, valuePath: 'message', origin: 'mapping' });
    expect(table.resolve('myapp.client.address').type).toEqual({ type: 'ip' });
    expect(table.resolve('myapp.free_text').type).toEqual({ type: 'match_only_text', analyzer: 'standard' });
    // ECS still answers for the fields the mapping does not name.
    expect(table.resolve('source.ip')).toMatchObject({ type: { type: 'ip' }, origin: 'ecs' });
    expect(table.resolve('myapp.labels.team').type).toEqual({ type: 'keyword' });
  });

  it('merges the indices of a GET _mapping response (nested and dotted forms are one field)', () => {
    const loaded = parseMappingText(fixture('get-mapping-two-indices.json'));
    expect(loaded.fields.get('source.ip')?.type).toEqual({ type: 'ip' });
    expect(loaded.fields.get('app.note')?.type).toEqual({ type: 'text', analyzer: 'standard' });
    expect(loaded.fields.get('app.count')?.type).toEqual({ type: 'long' });
  });

  it('a field two indices map differently is an error naming both', () => {
    const e = mappingError(() => parseMappingText(fixture('get-mapping-conflict.json'), 'm.json'));
    expect(e.message).toMatch(/^m\.json: \$\.logs-b-000001\.mappings: field "app\.count" is "keyword" in index "logs-b-000001" but "long" in index "logs-a-000001"/);
  });

  it.each([
    ['a create-index body', { mappings: { properties: { a: { type: 'ip' } } } }],
    ['a bare mapping', { properties: { a: { type: 'ip' } } }],
    ['an index template body', { index_patterns: ['x'], template: { mappings: { properties: { a: { type: 'ip' } } } } }],
    ['a GET _component_template response', { component_templates: [{ name: 'c', component_template: { template: { mappings: { properties: { a: { type: 'ip' } } } } } }] }],
    ['a pre-7.0 typed mapping', { mappings: { _doc: { properties: { a: { type: 'ip' } } } } }],
  ])('accepts %s', (_name, json) => {
    expect(loadMapping(json).fields.get('a')?.type).toEqual({ type: 'ip' });
  });

  it.each([
    ['not JSON', '{', '$', /not JSON/],
    ['no mappings', '{"a": 1}', '$', /found no mappings/],
    ['an unknown type', '{"properties": {"a": {"properties": {"b": {"type": "txt"}}}}}', '$.properties.a.properties.b.type', /unknown field type "txt"/],
    ['a bad ignore_above', '{"properties": {"a": {"type": "keyword", "ignore_above": -1}}}', '$.properties.a.ignore_above', /non-negative integer/],
    ['an unsupported analyzer', '{"properties": {"a": {"type": "text", "analyzer": "english"}}}', '$.properties.a.analyzer', /analyzer "english" is not supported.*map the field as keyword/],
    ['an unsupported normalizer', '{"properties": {"a": {"type": "keyword", "normalizer": "asciifold"}}}', '$.properties.a.normalizer', /normalizer "asciifold"/],
    ['an unreadable date format', '{"properties": {"a": {"type": "date", "format": "EEE, dd MMM"}}}', '$.properties.a.format', /pattern letter 'E'/],
    ['a scaled_float without factor', '{"properties": {"a": {"type": "scaled_float"}}}', '$.properties.a.scaling_factor', /scaling_factor/],
    ['a regex dynamic template', '{"dynamic_templates": [{"t": {"match_pattern": "regex", "match": "a.*", "mapping": {"type": "ip"}}}]}', '$.dynamic_templates[0].t.match_pattern', /regex/],
    ['multi-fields that are not an object', '{"properties": {"a": {"type": "keyword", "fields": []}}}', '$.properties.a.fields', /multi-fields/],
  ])('points at %s with its JSON path', (_name, text, jsonPath, message) => {
    const e = mappingError(() => parseMappingText(text, 'bad.json'));
    expect(e.jsonPath).toBe(jsonPath);
    expect(e.file).toBe('bad.json');
    expect(e.message).toMatch(message);
  });

  it('resolves an alias to its target field', () => {
    const loaded = loadMapping({ properties: { host: { properties: { hostname: { type: 'alias', path: 'host.name' }, name: { type: 'keyword', fields: { text: { type: 'text' } } } } } } });
    expect(loaded.fields.get('host.hostname')).toEqual({ type: { type: 'keyword' }, valuePath: 'host.name' });
    expect(mappingError(() => loadMapping({ properties: { a: { type: 'alias', path: 'b' } } })).message).toMatch(/alias target "b"/);
    expect(mappingError(() => loadMapping({ properties: { a: { type: 'alias' } } })).jsonPath).toBe('$.properties.a.path');
  });

  it('notes component templates it was not given', () => {
    const loaded = loadMapping({ index_templates: [{ name: 'logs', index_template: { composed_of: ['logs@mappings'], template: {} } }] });
    expect(loaded.skipped).toEqual([expect.stringContaining('composed of ["logs@mappings"]')]);
  });

  it('a date two indices format differently reads either format, in index order (an event does not say its index)', () => {
    const loaded = loadMapping({
      sample1: { mappings: { properties: { d: { type: 'date', format: 'dd-MM-yyyy' } } } },
      sample2: { mappings: { properties: { d: { type: 'date', format: 'yyyy-MM-dd||dd-MM-yyyy' } } } },
      sample3: { mappings: { properties: { d: { type: 'date' } } } },
    });
    expect(loaded.fields.get('d')?.type).toEqual({ type: 'date', format: 'dd-MM-yyyy||yyyy-MM-dd||strict_date_optional_time||epoch_millis' });
  });

  it('reads a keyword\'s null_value, and refuses one that is not a string', () => {
    expect(loadMapping({ properties: { f: { type: 'keyword', null_value: 'NULL' } } }).fields.get('f')?.type).toEqual({ type: 'keyword', nullValue: 'NULL' });
    expect(() => loadMapping({ properties: { f: { type: 'keyword', null_value: 5 } } })).toThrow(/\$\.properties\.f\.null_value: a keyword's null_value must be a string/);
  });

  it('names the differing settings when two indices map a field to the same type differently', () => {
    const e = mappingError(() =>
      loadMapping({ a: { mappings: { properties: { f: { type: 'keyword', ignore_above: 10 } } } }, b: { mappings: { properties: { f: { type: 'keyword' } } } } }),
    );
    expect(e.message).toContain('field "f" is {"type":"keyword"} in index "b" but {"type":"keyword","ignoreAbove":10} in index "a"');
  });

  it('applies dynamic templates in order: match lists, unmatch, path_unmatch, {dynamic_type}', () => {
    const table = FieldTypeTable.withMapping(
      loadMapping({
        mappings: {
          dynamic_templates: [
            { skip: { path_match: 'app.*', path_unmatch: 'app.keep.*', mapping: { type: 'long' } } },
            { names: { match: ['*_ip', 'addr'], unmatch: 'bad_ip', mapping: { type: 'ip' } } },
            { strings: { match_mapping_type: ['string'], mapping: { type: '{dynamic_type}' } } },
          ],
        },
      }),
    );
    expect(table.resolve('app.count').type).toEqual({ type: 'long' });
    expect(table.resolve('app.keep.client_ip').type).toEqual({ type: 'ip' });
    expect(table.resolve('x.addr').type).toEqual({ type: 'ip' });
    expect(table.resolve('x.bad_ip').type).toEqual({ type: 'keyword' });
  });

  it('reads analysis from settings.analysis as well as settings.index.analysis', () => {
    const loaded = loadMapping({
      settings: { analysis: { analyzer: { words: { type: 'pattern' }, std: { type: 'standard' } } } },
      mappings: { properties: { a: { type: 'text', analyzer: 'words' }, b: { type: 'match_only_text', analyzer: 'std', search_analyzer: 'standard' } } },
    });
    expect(loaded.fields.get('a')?.type).toEqual({ type: 'text', analyzer: 'pattern_word' });
    expect(loaded.fields.get('b')?.type).toEqual({ type: 'match_only_text', analyzer: 'standard' });
  });

  it('reads fields Elasticsearch does not index, and types it does not model', () => {
    const loaded = loadMapping({ properties: { raw: { type: 'keyword', index: false, doc_values: false }, loc: { type: 'geo_point' }, f: { type: 'flattened', ignore_above: 20 } } });
    expect(loaded.fields.get('raw')?.type).toEqual({ type: 'unindexed', esType: 'keyword' });
    expect(loaded.fields.get('loc')?.type).toEqual({ type: 'other', esType: 'geo_point' });
    expect(loaded.fields.get('f')?.type).toEqual({ type: 'flattened', ignoreAbove: 20 });
  });

  it.each([
    ['a runtime field without type', { runtime: { r: { script: 'x' } } }, '$.runtime.r', /needs a "type"/],
    ['a search_analyzer that differs', { properties: { a: { type: 'text', search_analyzer: 'whitespace' } } }, '$.properties.a.search_analyzer', /search_analyzer/],
    ['dynamic templates that are not a list', { dynamic_templates: {} }, '$.dynamic_templates', /must be a list/],
    ['a dynamic template without mapping', { dynamic_templates: [{ t: { match: 'x' } }] }, '$.dynamic_templates[0].t.mapping', /needs a "mapping"/],
    ['a dynamic template match that is not a string', { dynamic_templates: [{ t: { match: [1], mapping: { type: 'ip' } } }] }, '$.dynamic_templates[0].t.match[0]', /string/],
    ['a field that is not an object', { properties: { a: 'keyword' } }, '$.properties.a', /must be an object/],
    ['a type that is not a string', { properties: { a: { type: 5 } } }, '$.properties.a.type', /must be a string/],
  ])('points at %s', (_name, json, jsonPath, message) => {
    const e = mappingError(() => loadMapping(json));
    expect(e.jsonPath).toBe(jsonPath);
    expect(e.message).toMatch(message);
  });

  it('refuses objects nested deeper than it reads', () => {
    let props: Record<string, unknown> = { leaf: { type: 'keyword' } };
    for (let i = 0; i < 150; i++) props = { o: { properties: props } };
    expect(mappingError(() => loadMapping({ properties: props })).message).toMatch(/nest deeper/);
  });
});

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

  it('refuses objects nested deeper than it reads', () => {
    let props: Record<string, unknown> = { leaf: { type: 'keyword' } };
    for (let i = 0; i < 150; i++) props = { o: { properties: props } };
    expect(mappingError(() => loadMapping({ properties: props })).message).toMatch(/nest deeper/);
  });
});

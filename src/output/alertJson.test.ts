import { describe, expect, it } from 'vitest';
import { loadRulePack } from '../rules/pack.js';
import type { Alert } from '../engine/alert.js';
import { toAlertDocument } from './alertDocument.js';
import { alertJsonLine } from './alertJson.js';
import { parseJson } from '../event/json.js';
import type { EcsEvent } from '../event/types.js';

const [rule] = loadRulePack({ bundled: true, paths: [] }).rules;
const event = { '@timestamp': '2024-05-01T10:00:00Z', process: { name: 'x "quoted" \u2028' } };
const base: Alert = { rule: rule!, timeMs: Date.parse('2024-05-01T10:00:00Z'), event, location: { file: 'a.ndjson', line: 3 } };

describe('alertJsonLine', () => {
  it('writes the same text as stringifying the documented shape', () => {
    for (const alert of [
      base,
      { ...base, newTerms: { 'process.executable': '/bin/x' } },
      { ...base, threshold: { fields: { 'user.name': 'root' }, count: 3 } },
      { ...base, events: [{ event, location: { file: 'a.ndjson', line: 1 } }] },
      { ...base, timeMs: undefined },
    ]) {
      expect(alertJsonLine(alert)).toBe(JSON.stringify(toAlertDocument(alert)) + '\n');
    }
  });

  it('writes integers beyond 2^53 with all their digits: terms, groups, sequence events and documents', () => {
    const exact = parseJson('{"@timestamp":"2024-05-01T10:00:00Z","process":{"pid":9007199254740993}}') as EcsEvent;
    const pid = 9007199254740993n;
    const line = alertJsonLine({
      ...base,
      event: exact,
      newTerms: { 'process.pid': pid },
      threshold: { fields: { 'process.pid': pid }, count: 2 },
      events: [{ event: exact, location: { file: 'a.ndjson', line: 1 } }],
    });
    expect(line).toContain('"new_terms":{"process.pid":9007199254740993}');
    expect(line).toContain('"threshold":{"fields":{"process.pid":9007199254740993},"count":2}');
    expect(line).toContain('"document":{"@timestamp":"2024-05-01T10:00:00Z","process":{"pid":9007199254740993}}');
    expect(line.match(/9007199254740993/g)).toHaveLength(4);
    expect(line).not.toContain('9007199254740992');
  });

  it('writes the event’s own line as the document when it has it', () => {
    const raw = '{"@timestamp":"2024-05-01T10:00:00Z",  "process":{"name":"x"}}';
    const line = alertJsonLine({ ...base, raw });
    expect(line.endsWith(`,"document":${raw}}\n`)).toBe(true);
    expect(JSON.parse(line).document).toEqual(JSON.parse(raw));
  });
});

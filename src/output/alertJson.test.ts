import { describe, expect, it } from 'vitest';
import { loadRulePack } from '../rules/pack.js';
import type { Alert } from '../engine/alert.js';
import { toAlertDocument } from './alertDocument.js';
import { alertJsonLine } from './alertJson.js';

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

  it('writes the event’s own line as the document when it has it', () => {
    const raw = '{"@timestamp":"2024-05-01T10:00:00Z",  "process":{"name":"x"}}';
    const line = alertJsonLine({ ...base, raw });
    expect(line.endsWith(`,"document":${raw}}\n`)).toBe(true);
    expect(JSON.parse(line).document).toEqual(JSON.parse(raw));
  });
});

import { describe, expect, it } from 'vitest';
import { parseJson } from '../../event/json.js';
import type { EcsEvent } from '../../event/types.js';
import { toAlertDocument } from '../../output/alertDocument.js';
import { testRule } from '../../../test/support/testRules.js';
import type { Alert } from '../alert.js';
import { createScanner } from '../scanner.js';

describe('query rule alerts', () => {
  it('hold their line, and give the same event from it when an output asks (long integers exact)', () => {
    const line = '{"@timestamp":"2024-05-01T00:00:00Z","process":{"name":"sh","pid":9007199254740993,"args":["-c","x"]}}';
    const event = parseJson(line) as EcsEvent;
    for (const live of [false, true]) {
      const alerts: Alert[] = [];
      const scanner = createScanner([testRule('q', 'eql', 'any where process.name == "sh"')], (a) => alerts.push(a), { live });
      scanner.event(event, { file: 'f', line: 1 }, line);
      scanner.finish();
      expect(alerts).toHaveLength(1);
      expect(alerts[0]!.raw).toBe(line);
      expect(alerts[0]!.event).toEqual(event);
      expect(toAlertDocument(alerts[0]!)).toMatchObject({ location: { file: 'f', line: 1 }, document: { process: { pid: 9007199254740993n } } });
    }
  });
});

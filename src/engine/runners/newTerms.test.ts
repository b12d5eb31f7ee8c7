import { describe, expect, it } from 'vitest';
import { parseJson } from '../../event/json.js';
import type { EcsEvent } from '../../event/types.js';
import { testRule } from '../../../test/support/testRules.js';
import type { Alert } from '../alert.js';
import { createScanner } from '../scanner.js';

const newTerms = '[rule.new_terms]\nfield = "new_terms_fields"\nvalue = ["user.name"]\n[[rule.new_terms.history_window_start]]\nfield = "history_window_start"\nvalue = "now-7d"\n';

describe('new_terms alerts over files', () => {
  it('keep each event\'s file and line, whatever the file is called, and its line or event', () => {
    const files = ['a.ndjson', 'with, commas],1.ndjson', 'tab\tand "quotes"\\.ndjson', 'a.ndjson'];
    const alerts: Alert[] = [];
    const scanner = createScanner([testRule('nt', 'new_terms', 'user.name: *', newTerms)], (a) => alerts.push(a), { live: false });
    const sent: Array<{ file: string; line: number; raw: string | undefined; event: EcsEvent }> = [];
    files.forEach((file, i) => {
      const raw = `{"@timestamp":"2024-05-01T00:00:0${i}Z","user":{"name":"u${i}"},"n":9007199254740993}`;
      const event = parseJson(raw) as EcsEvent;
      // The last event comes without its line (the scanner then keeps the event's JSON).
      const line = i === files.length - 1 ? undefined : raw;
      sent.push({ file, line: 10 + i, raw: line, event });
      scanner.event(event, { file, line: 10 + i }, line);
    });
    scanner.finish();
    expect(alerts.map((a) => ({ file: a.location.file, line: a.location.line, raw: a.raw, event: a.event }))).toEqual(sent);
  });
});

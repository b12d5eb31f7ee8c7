import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../engine/alert.js';
import type { QueryRule } from '../../rules/types.js';
import { ReportModel } from './model.js';
import { renderReport, scriptJson } from './template.js';

const R: QueryRule = {
  type: 'query', language: 'kuery', id: 'r-1', name: 'Rule </script><script>alert(1)</script>', description: '', severity: 'high', riskScore: 73, tags: [], threat: [], author: [], references: [], falsePositives: [],
  index: [], buildingBlock: false, deprecated: false, query: 'a:b', filters: [], enabled: true, source: { file: 'r.toml', queryStart: { line: 1, column: 1 }, bundled: false },
};
const outcome = { inputErrors: [], malformed: 0, interrupted: false };
function report(alerts: Alert[]): string {
  const m = new ReportModel();
  for (const a of alerts) m.add(a);
  return renderReport(m.data({ version: '1', now: new Date(0), rules: [R], outcome }));
}
const alert = (line: number, event: Record<string, unknown>): Alert => ({ rule: R, timeMs: line * 1000, event, location: { file: 'a.ndjson', line } });

describe('HTML report document', () => {
  it('writes JSON for a script element with no <, >, & or line separators, which JSON.parse reads back', () => {
    const value = { a: '</script><!-- & -->', b: 'x\u2028y\u2029z' };
    const text = scriptJson(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/);
    expect(JSON.parse(text)).toEqual(value);
  });

  it('holds hostile values only inside its JSON block: two script elements, both its own', () => {
    const html = report([alert(1, { host: { name: '</script><script>alert(2)</script><img src=x onerror=alert(3)>' }, user: { name: '<!--' } })]);
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).not.toMatch(/<img|<!--/);
    const json = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)?.[1] ?? '';
    expect(JSON.parse(json).rows[0].h).toBe('</script><script>alert(2)</script><img src=x onerror=alert(3)>');
  });

  it('allows only its own script and styles by hash, and no request of any kind', () => {
    const html = report([]);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1] ?? '';
    expect(csp.split('; ')).toEqual(expect.arrayContaining(["default-src 'none'", "img-src 'none'", "base-uri 'none'", "form-action 'none'"]));
    const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
    const script = /<script>(.*?)<\/script>/s.exec(html)?.[1] ?? '';
    const style = /<style>(.*?)<\/style>/s.exec(html)?.[1] ?? '';
    expect(csp).toContain(`script-src ${hash(script)}`);
    expect(csp).toContain(`style-src ${hash(style)}`);
    expect(script).not.toMatch(/^export |sourceMappingURL|\.(innerHTML|outerHTML|insertAdjacentHTML)\b|document\.write/m);
    expect(html).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
  });

  it('stays within its bounds however many alerts: 20,000 alerts with 2 kB events make a report of a few MB', () => {
    const event = { host: { name: 'web-01' }, process: { name: 'bash', command_line: 'c'.repeat(2000) }, user: { name: 'root' } };
    const alerts = Array.from({ length: 20_000 }, (_, i) => alert(i, event));
    const html = report(alerts);
    expect(html.length).toBeLessThan(7_000_000);
    const data = JSON.parse(/id="report-data">(.*?)<\/script>/s.exec(html)?.[1] ?? '');
    expect(data.rows).toHaveLength(10_000);
    expect(data.omitted.rows).toBe(10_000);
    expect(data.totals.alerts).toBe(20_000);
  });
});

export interface ScanSummary {
  files: number;
  lines: number;
  events: number;
  /** Lines the prefilter ruled out without parsing them (object-shaped, no needle of any rule). */
  skipped: number;
  malformed: number;
  blank: number;
  warnings: number;
  bytes: number;
  inputErrors: number;
  elapsedMs: number;
  /** Alerts per rule, in rule order: name → count (rules with no alert included, for clarity). */
  alertsByRule: Array<{ name: string; id: string; alerts: number; untimed: number; dropped?: number; droppedWhat?: 'threshold group' }>;
}

const n = (x: number) => x.toLocaleString('en-US');

/** The stderr summary: what was read, what was wrong with it, what fired, how fast. */
export function formatSummary(s: ScanSummary): string {
  const seconds = s.elapsedMs / 1000;
  const mbps = seconds > 0 ? s.bytes / 1e6 / seconds : 0;
  const total = s.alertsByRule.reduce((a, r) => a + r.alerts, 0);
  const parts = [`${n(s.events + s.skipped)} events`];
  if (s.skipped) parts[0] += ` of which ${n(s.skipped)} ruled out unparsed`;
  if (s.malformed) parts.push(`${n(s.malformed)} malformed`);
  if (s.blank) parts.push(`${n(s.blank)} blank`);
  const lines = [
    `lkm-scan: ${n(s.files)} input${s.files === 1 ? '' : 's'}, ${n(s.lines)} lines (${parts.join(', ')}), ` +
      `${formatBytes(s.bytes)} in ${seconds.toFixed(2)} s (${mbps.toFixed(1)} MB/s)`,
  ];
  if (s.warnings) lines.push(`  ${n(s.warnings)} line${s.warnings === 1 ? '' : 's'} with warnings (invalid UTF-8 replaced)`);
  if (s.inputErrors) lines.push(`  ${n(s.inputErrors)} input${s.inputErrors === 1 ? '' : 's'} could not be read (see errors above)`);
  lines.push(`  ${n(total)} alert${total === 1 ? '' : 's'}`);
  for (const r of s.alertsByRule) {
    let line = `    ${String(n(r.alerts)).padStart(6)}  ${r.name}`;
    if (r.untimed) line += `  (${n(r.untimed)} matching events without a usable timestamp skipped)`;
    if (r.dropped) {
      const [one, many] = r.droppedWhat === 'threshold group' ? ['threshold group', 'threshold groups'] : ['partial match', 'partial matches'];
      line += `  (${n(r.dropped)} ${r.dropped === 1 ? one : many} dropped at the state cap)`;
    }
    lines.push(line);
  }
  return lines.join('\n') + '\n';
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1e9) return `${(bytes / 1e9).toFixed(2)} GB`;
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(1)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

// Rule `filters` (Kibana filter objects) and `enabled = false`, end to end with real rules of the
// Elastic pack (README "Rule filters", "Rule packs"): a filter ANDs with the query, a negated one
// excludes, a disabled one is left out; a disabled rule runs only when --rule names it.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extractPackRules, jsonLines, runCli as runBinary, runInProcess as runCli } from './run.js';

const PSREFLECT = 'rules/windows/execution_posh_psreflect.toml';
const WEB_CONFIG = 'rules/windows/credential_access_web_config_file_access.toml';
const SPOOLER = 'rules/_deprecated/privilege_escalation_printspooler_service_suspicious_file.toml';
const APM = 'rules/_deprecated/apm_null_user_agent.toml';
const ONBOARDING = 'rules/cross-platform/guided_onboarding_sample_rule.toml';
/** Every rule of the pack that has `[[rule.filters]]` (18 active, 3 deprecated; 4 more only mention filters in their notes). */
const WITH_FILTERS = [
  'rules/_deprecated/apm_null_user_agent.toml',
  'rules/_deprecated/defense_evasion_posh_obfuscation.toml',
  'rules/_deprecated/privilege_escalation_printspooler_service_suspicious_file.toml',
  'rules/threat_intel/threat_intel_rapid7_threat_command.toml',
  'rules/windows/collection_posh_clipboard_capture.toml',
  'rules/windows/credential_access_lsass_memdump_handle_access.toml',
  'rules/windows/credential_access_web_config_file_access.toml',
  'rules/windows/defense_evasion_posh_assembly_load.toml',
  'rules/windows/defense_evasion_posh_compressed.toml',
  'rules/windows/defense_evasion_posh_high_entropy.toml',
  'rules/windows/defense_evasion_posh_process_injection.toml',
  'rules/windows/discovery_posh_suspicious_api_functions.toml',
  'rules/windows/discovery_privileged_localgroup_membership.toml',
  'rules/windows/execution_posh_hacktool_functions.toml',
  'rules/windows/execution_posh_psreflect.toml',
  'rules/windows/persistence_webshell_detection.toml',
  'rules_building_block/collection_posh_compression.toml',
  'rules_building_block/defense_evasion_powershell_clear_logs_script.toml',
  'rules_building_block/discovery_posh_generic.toml',
  'rules_building_block/lateral_movement_posh_winrm_activity.toml',
  'rules_building_block/persistence_transport_agent_exchange.toml',
];

const tmp = mkdtempSync(join(tmpdir(), 'lkm-scan-rule-filters-'));
beforeAll(() => {
  extractPackRules(tmp, [...new Set([...WITH_FILTERS, ONBOARDING])]);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const rulePath = (file: string) => join(tmp, file);
/** The rule's text with every `[[rule.filters]]` block removed: what lkm-scan ran before it read filters. */
function withoutFilters(file: string): string {
  return withoutFiltersText(readFileSync(rulePath(file), 'utf8'));
}
function withoutFiltersText(text: string): string {
  const out: string[] = [];
  let inFilter = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('[[rule.filters]]')) inFilter = true;
    else if (line.startsWith('[') && !line.startsWith('[rule.filters')) inFilter = false;
    if (!inFilter) out.push(line);
  }
  return out.join('\n');
}
function writeRule(name: string, text: string): string {
  const path = join(tmp, name);
  writeFileSync(path, text);
  return path;
}
function writeEvents(name: string, events: object[]): string {
  const path = join(tmp, name);
  writeFileSync(path, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  return path;
}
async function scan(rule: string, events: string, extra: string[] = []) {
  const r = await runCli(['--no-bundled', '--rules', rule, '--format', 'json', ...extra, events]);
  expect(r.stderr).not.toMatch(/error/i);
  return { ...r, lines: jsonLines(r.stdout).map((a) => (a.location ?? a.events[0].location).line as number) };
}

/** A PowerShell script block the psreflect query matches, from `path`. */
const scriptBlock = (path: string | undefined, n: number) => ({
  '@timestamp': `2024-05-01T10:00:${String(n).padStart(2, '0')}Z`,
  event: { category: ['process'] },
  host: { os: { type: 'windows' } },
  user: { id: 'S-1-5-21-1000' },
  powershell: { file: { script_block_text: '$Mod = New-InMemoryModule -ModuleName Win32' } },
  ...(path === undefined ? {} : { file: { path } }),
});

describe('rule filters (real rules of the pack)', () => {
  it('a negated case-insensitive wildcard filter drops the events it names, and only those (query rule)', async () => {
    const events = writeEvents('psreflect.ndjson', [
      scriptBlock('C:\\ProgramData\\MaaS360\\Cloud Extender\\AR\\Scripts\\ASModuleCommon.ps1', 1),
      scriptBlock('d:\\programdata\\maas360\\cloud extender\\ar\\scripts\\asmodulecommon.PS1', 2),
      scriptBlock('C:\\Users\\bob\\evil.ps1', 3),
      scriptBlock(undefined, 4),
      // `?:` is exactly one character: a longer drive name is not excluded.
      scriptBlock('CD:\\ProgramData\\MaaS360\\Cloud Extender\\AR\\Scripts\\ASModuleCommon.ps1', 5),
    ]);
    const before = await scan(writeRule('psreflect-nofilters.toml', withoutFilters(PSREFLECT)), events);
    expect(before.lines).toEqual([1, 2, 3, 4, 5]);
    const after = await scan(rulePath(PSREFLECT), events);
    // A negated filter holds where the field is missing (must_not), so line 4 still alerts.
    expect(after.lines).toEqual([3, 4, 5]);
    // The prefilter never changes results.
    expect((await scan(rulePath(PSREFLECT), events, ['--no-prefilter'])).lines).toEqual([3, 4, 5]);
  });

  it('a disabled filter is left out of the search (meta.disabled)', async () => {
    const text = readFileSync(rulePath(PSREFLECT), 'utf8').replace('[rule.filters.meta]\nnegate = true', '[rule.filters.meta]\nnegate = true\ndisabled = true');
    expect(text).toContain('disabled = true');
    const events = writeEvents('psreflect-disabled.ndjson', [scriptBlock('C:\\ProgramData\\MaaS360\\Cloud Extender\\AR\\Scripts\\ASModuleCommon.ps1', 1)]);
    expect((await scan(writeRule('psreflect-disabled.toml', text), events)).lines).toEqual([1]);
  });

  it('a filter applies to a new_terms rule before terms are decided', async () => {
    const open = (executable: string, user: string, n: number) => ({
      '@timestamp': `2024-05-01T10:00:${String(n).padStart(2, '0')}Z`,
      event: { category: ['file'], action: 'open' },
      host: { os: { type: 'windows' } },
      file: { name: 'web.config', path: 'C:\\inetpub\\VirtualDirectories\\site\\web.config' },
      process: { executable },
      user: { id: user },
    });
    const events = writeEvents('webconfig.ndjson', [
      open('C:\\Program Files\\Common Files\\microsoft shared\\Web Server Extensions\\16\\BIN\\stsadm.exe', 'u1', 1),
      open('c:\\PROGRAM FILES\\Common Files\\Microsoft Shared\\Web Server Extensions\\15\\bin\\psconfig.exe', 'u2', 2),
      open('C:\\Users\\bob\\AppData\\Local\\Temp\\dump.exe', 'u3', 3),
    ]);
    expect((await scan(writeRule('webconfig-nofilters.toml', withoutFilters(WEB_CONFIG)), events)).lines).toEqual([1, 2, 3]);
    expect((await scan(rulePath(WEB_CONFIG), events)).lines).toEqual([3]);
  });

  it('a filter that is not negated must hold too, beside negated ones (deprecated spooler rule)', async () => {
    const dll = (path: string, n: number) => ({
      '@timestamp': `2024-05-01T10:00:${String(n).padStart(2, '0')}Z`,
      event: { category: ['file'], type: ['creation'] },
      host: { os: { type: 'windows' }, id: `h${n}` },
      process: { name: 'spoolsv.exe' },
      file: { extension: 'dll', name: `f${n}.dll`, path },
    });
    const events = writeEvents('spooler.ndjson', [
      dll('C:\\Windows\\System32\\evil.dll', 1),
      dll('C:\\Windows\\System32\\PrintConfig.dll', 2),
      dll('D:\\temp\\evil.dll', 3),
      dll('C:\\Windows\\system32\\spool\\DRIVERS\\x64\\3\\x.dll', 4),
    ]);
    expect((await scan(writeRule('spooler-nofilters.toml', withoutFilters(SPOOLER)), events)).lines).toEqual([1, 2, 3, 4]);
    // Line 2 is a named exception; line 3 fails the positive filter (`?:\Windows\Sys?????\*`);
    // line 4 is under system32 but `spool\DRIVERS\x64\*.dll` drops it (`*` spans `3\x`).
    expect((await scan(rulePath(SPOOLER), events)).lines).toEqual([1]);
  });

  it('reads the older filter shape with its DSL at the top level (exists beside meta)', async () => {
    const tx = (agent: string | undefined, n: number) => ({
      '@timestamp': `2024-05-01T10:00:${String(n).padStart(2, '0')}Z`,
      url: { path: '/api' },
      ...(agent === undefined ? {} : { user_agent: { original: agent } }),
    });
    const events = writeEvents('apm.ndjson', [tx('curl/8.0', 1), tx(undefined, 2), { ...tx(undefined, 3), user_agent: { original: null } }]);
    expect((await scan(rulePath(APM), events)).lines).toEqual([2, 3]);
  });

  it('a pattern with single backslashes escapes the next letter, as Lucene reads it: one of the pack\'s filters excludes nothing', async () => {
    const load = (path: string, n: number) => ({
      ...scriptBlock(path, n),
      powershell: { file: { script_block_text: '[Reflection.Assembly]::Load([Convert]::FromBase64String($b))' } },
    });
    const events = writeEvents('assembly.ndjson', [
      // The first filter, "C:\\Program Files\\Microsoft Monitoring Agent\\...", is the pattern C:Program FilesMicrosoft...
      load('C:\\Program Files\\Microsoft Monitoring Agent\\Agent\\Health Service State\\Monitoring Host Temporary Files 7\\AvailabilityGroupMonitoring.ps1', 1),
      load('C:\\ProgramData\\Microsoft\\Windows Defender Advanced Threat Protection\\DataCollection\\x.ps1', 2),
      load('C:\\Users\\bob\\x.ps1', 3),
    ]);
    expect((await scan(rulePath('rules/windows/defense_evasion_posh_assembly_load.toml'), events)).lines).toEqual([1, 3]);
  });

  it('gives the same alerts with worker threads (workers compile the filters too)', async () => {
    const paths = ['C:\\ProgramData\\MaaS360\\Cloud Extender\\AR\\Scripts\\ASModuleCommon.ps1', 'C:\\Users\\bob\\evil.ps1', undefined];
    const events = writeEvents('psreflect-many.ndjson', Array.from({ length: 300 }, (_, i) => scriptBlock(paths[i % 3], i % 60)));
    // 200 alerts within one rule execution: beyond max_signals (100), which this test is not about.
    const args = ['--no-bundled', '--rules', rulePath(PSREFLECT), '--no-max-signals', '--format', 'json', events];
    const env = { LKM_SCAN_RANGE_BYTES: '4096' };
    const [one, two] = await Promise.all([runBinary([...args, '--workers', '1'], { env }), runBinary([...args, '--workers', '2'], { env })]);
    expect(jsonLines(one.stdout)).toHaveLength(200);
    expect(two.stdout).toBe(one.stdout);
  });

  it('every rule of the pack with filters compiles (validate)', async () => {
    const r = await runCli(['validate', ...WITH_FILTERS.map(rulePath)]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/: 20 ok, 0 failed; 1 skipped/);
    expect(r.code).toBe(0);
  });
});

describe('rule filters on other rule kinds', () => {
  const header = (type: string, language: string, query: string) =>
    `[rule]\nrule_id = "f-${type}"\nname = "filtered ${type}"\ndescription = "d"\nrisk_score = 21\nseverity = "low"\ntype = "${type}"\nlanguage = "${language}"\nquery = '''\n${query}\n'''\n`;

  it('apply to every event of an EQL sequence (the EQL search request filter)', async () => {
    const rule = writeRule(
      'seq.toml',
      header('eql', 'eql', 'sequence by host.id [process where process.name == "a"] [process where process.name == "b"]') +
        '\n[[rule.filters]]\n[rule.filters.meta]\nnegate = true\n[rule.filters.query.term]\n"user.name" = "svc"\n',
    );
    const ev = (name: string, user: string, host: string, n: number) => ({
      '@timestamp': `2024-05-01T10:00:${String(n).padStart(2, '0')}Z`,
      event: { category: ['process'] },
      host: { id: host },
      process: { name },
      user: { name: user },
    });
    const events = writeEvents('seq.ndjson', [ev('a', 'svc', 'h1', 1), ev('b', 'bob', 'h1', 2), ev('a', 'bob', 'h2', 3), ev('b', 'svc', 'h2', 4), ev('a', 'bob', 'h3', 5), ev('b', 'bob', 'h3', 6)]);
    const r = await runCli(['--no-bundled', '--rules', rule, '--format', 'json', events]);
    // h1's first event and h2's second are filtered out; only h3 completes.
    expect(jsonLines(r.stdout).map((a) => a.events.map((e: { location: { line: number } }) => e.location.line))).toEqual([[5, 6]]);
    // Without the filter all three hosts complete.
    const open = await runCli(['--no-bundled', '--rules', writeRule('seq-open.toml', withoutFiltersText(readFileSync(rule, 'utf8'))), '--format', 'json', events]);
    expect(jsonLines(open.stdout)).toHaveLength(3);
  });

  it('a positive term filter gives needles and categories without changing results', async () => {
    const rule = writeRule(
      'term.toml',
      header('query', 'kuery', 'host.os.type:linux') + '\n[[rule.filters]]\n[rule.filters.query.bool]\nfilter = [{ term = { "event.category" = "process" } }, { match_phrase = { "process.name" = "bash" } }]\n',
    );
    const ev = (category: string, name: string) => ({ event: { category: [category] }, host: { os: { type: 'linux' } }, process: { name } });
    const events = writeEvents('term.ndjson', [ev('process', 'bash'), ev('file', 'bash'), ev('process', 'zsh'), { ...ev('process', 'bash'), 'process.name': 'sh' }]);
    const fast = await scan(rule, events);
    expect(fast.lines).toEqual([1, 4]);
    expect((await scan(rule, events, ['--no-prefilter'])).lines).toEqual(fast.lines);
  });

  it('refuse a DSL clause lkm-scan does not evaluate, pointing into the .toml', async () => {
    const text = header('query', 'kuery', 'host.os.type:linux') + '\n[[rule.filters]]\n[rule.filters.query.query_string]\nquery = "bash"\n';
    const rule = writeRule('bad.toml', text);
    const r = await runCli(['--no-bundled', '--rules', rule, writeEvents('bad.ndjson', [{}])]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('rule field `rule.filters[0].query.query_string` is a `query_string` query, which lkm-scan does not evaluate');
    expect(r.stderr).toContain(`bad.toml:${text.split('\n').indexOf('[rule.filters.query.query_string]') + 1}:1`);
  });

  it('refuse a clause Elasticsearch would refuse for the field type (wildcard on a long)', async () => {
    const text = header('query', 'kuery', 'host.os.type:linux') + '\n[[rule.filters]]\n[rule.filters.query.wildcard]\n"process.pid" = "1*"\n';
    const r = await runCli(['validate', writeRule('badtype.toml', text)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('Elasticsearch would refuse this filter on the long field process.pid');
    expect(r.stdout).toContain(`badtype.toml:${text.split('\n').indexOf('[[rule.filters]]') + 1}:1`);
  });
});

describe('enabled = false (the onboarding sample rule)', () => {
  const events = () => writeEvents('onboarding.ndjson', [{ '@timestamp': '2024-05-01T10:00:00Z', event: { kind: 'event' }, host: { name: 'h1' } }]);

  it('is not run by default, and the note counts it', async () => {
    const r = await runCli(['--no-bundled', '--rules', rulePath(ONBOARDING), '--rules', rulePath(PSREFLECT), '--format', 'json', events()]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('1 disabled rule (enabled = false) not run; name one with --rule ID to run it');
    expect(r.code).toBe(0);
  });

  it('runs when --rule names it', async () => {
    const r = await runCli(['--no-bundled', '--rules', rulePath(ONBOARDING), '--rule', 'a198fbbd-9413-45ec-a269-47ae4ccf59ce', '--format', 'json', events()]);
    expect(jsonLines(r.stdout).map((a) => a.rule.id)).toEqual(['a198fbbd-9413-45ec-a269-47ae4ccf59ce']);
    expect(r.stderr).not.toContain('disabled');
    expect(r.code).toBe(1);
  });

  it('is listed by `rules` as disabled', async () => {
    const r = await runCli(['rules', '--no-bundled', '--rules', rulePath(ONBOARDING), '--rules', rulePath(PSREFLECT)]);
    expect(r.stdout).toMatch(/a198fbbd-9413-45ec-a269-47ae4ccf59ce {2}My First Rule\n.*\[disabled\]/);
    expect(r.stderr).toContain('2 rules, 1 disabled (enabled = false: run only when named with --rule)');
    const json = await runCli(['rules', '--no-bundled', '--rules', rulePath(ONBOARDING), '--format', 'json']);
    expect(jsonLines(json.stdout)[0]).toMatchObject({ id: 'a198fbbd-9413-45ec-a269-47ae4ccf59ce', enabled: false });
  });
});

import { describe, expect, it } from 'vitest';
import { parseEql } from '../eql/index.js';
import { parseKql } from '../kql/index.js';
import { eqlNeed } from './fromEql.js';
import { kqlNeed } from '../kql/nodes/index.js';
import { ANY, needleAlternatives, defaultNeedles, exactStringNeed, lit, MAX_ALTERNATIVES, or } from './needles.js';
import { candidateLineStarts, compilePrefilter, searchNeedle } from './compile.js';

const R1 = `file where host.os.type == "linux" and event.type in ("change", "creation") and file.path : "/lib/modules/*" and
file.extension == "ko" and not process.name : ("dpkg", "systemd", "falcon-sensor*", "dnf", "yum", "rpm", "cp")`;
const R2 = `host.os.type:linux and event.category:file and event.action:"opened-file" and file.path:"/proc/modules" and
not (process.name:(python* or chef-client) or process.executable:(/opt/eset/*/esets_eia or /opt/Elastic/Agent/*))`;

describe('needles from rule queries', () => {
  it('takes case-sensitive exact comparisons of R1 and ignores `:` and `not`', () => {
    expect(eqlNeed(parseEql(R1))).toEqual({
      kind: 'and',
      of: [
        { kind: 'lit', text: '"file"' },
        { kind: 'lit', text: '"linux"' },
        { kind: 'or', of: [{ kind: 'lit', text: '"change"' }, { kind: 'lit', text: '"creation"' }] },
        { kind: 'lit', text: '"ko"' },
      ],
    });
  });

  it('offers each conjunct of R1 as a set of needles', () => {
    expect(needleAlternatives(eqlNeed(parseEql(R1)))).toEqual([['"file"'], ['"linux"'], ['"change"', '"creation"'], ['"ko"']]);
  });

  it('gives no needle for case-insensitive, negated or computed conditions (more beside each operator in src/eql/operators/)', () => {
    expect(eqlNeed(parseEql('process where process.name : "cmd.exe"'))).toEqual({ kind: 'lit', text: '"process"' });
    expect(defaultNeedles(eqlNeed(parseEql('any where process.name : "cmd.exe"')))).toBeUndefined();
    expect(defaultNeedles(eqlNeed(parseEql('any where process.name in~ ("a")')))).toBeUndefined();
    expect(defaultNeedles(eqlNeed(parseEql('any where process.name != "a"')))).toBeUndefined();
    expect(defaultNeedles(eqlNeed(parseEql('any where startsWith(process.name, "a")')))).toBeUndefined();
  });

  it('gives no quoted needle for literals that may match a JSON number or boolean', () => {
    expect(exactStringNeed('5')).toEqual({ kind: 'any' });
    expect(exactStringNeed('true')).toEqual({ kind: 'any' });
  });

  it('writes needles the way JSON writes the value', () => {
    expect(exactStringNeed('C:\\temp "x"')).toEqual({ kind: 'lit', text: '"C:\\\\temp \\"x\\""' });
  });
});

describe('line prefilter over a buffer', () => {
  const lines = [
    '{"host":{"os":{"type":"linux"}},"event":{"category":"file","action":"opened-file"},"file":{"path":"/proc/modules"}}',
    '{"host":{"os":{"type":"linux"}},"event":{"type":"creation"},"file":{"path":"/etc/passwd"}}',
    '{"file":{"path":"\\/proc\\/modules"}}',
    '{"file":{"extension":"\\u006bo"}}',
    '{"a":"ko","b":"linux","c":"file","d":"creation"}',
    '{"d":"creation","b":"linux"}',
  ];
  const buf = Buffer.from(lines.join('\n') + '\n');
  const lineOf = (s: number) => buf.subarray(0, s).toString().split('\n').length;
  const check = (prefilter: ReturnType<typeof compilePrefilter>, i: number) => {
    const start = buf.indexOf(lines[i]!);
    return prefilter!.mayMatch(buf, start, start + Buffer.byteLength(lines[i]!));
  };

  // Calibration and buffer-wide searches of the per-needle way; the one pass (chosen when many lines
  // of a sample pass, as here) is compared with it in onePass.test.ts.
  it('calibrates to the rarest set of needles in a sample of the input', () => {
    const prefilter = compilePrefilter([eqlNeed(parseEql(R1))], { mode: 'per-needle' })!;
    prefilter.calibrate(buf);
    // Searched as `ko"`: the rarest first byte of the needle `"ko"` (quotes are everywhere).
    expect(prefilter.needles.map(String)).toEqual(['ko"']);
  });

  it('searches slash-free pieces of needles, so `\\/` needs no buffer-wide search', () => {
    const frequency = new Uint32Array(256).fill(1);
    frequency['p'.charCodeAt(0)] = 0;
    expect(searchNeedle('"/proc/modules"', frequency)).toBe('proc');
    expect(searchNeedle('"/"', frequency)).toBe('"/"');
    const prefilter = compilePrefilter([kqlNeed(parseKql('file.path:"/proc/modules"'))], { mode: 'per-needle' })!;
    expect(prefilter.escapes.map(String)).toEqual(['\\u', '\\/']);
    prefilter.calibrate(buf);
    expect(prefilter.needles.map(String).some((a) => a.includes('/'))).toBe(false);
    expect(prefilter.escapes.map(String)).toEqual(['\\u']);
    // A line that writes the path with `\/` still holds the piece, and the line check lets it through.
    const escaped = Buffer.from('{"file":{"path":"\\/proc\\/modules"}}\n');
    expect(candidateLineStarts(escaped, 0, escaped.length, prefilter)).toEqual([0]);
    expect(prefilter.mayMatch(escaped, 0, escaped.length - 1)).toBe(true);
  });

  it('finds the lines holding a needle or an escape, in order', () => {
    const prefilter = compilePrefilter([kqlNeed(parseKql(R2)), eqlNeed(parseEql(R1))], { mode: 'per-needle' })!;
    prefilter.calibrate(buf);
    expect(prefilter.needles.map(String)).toContain('ko"');
    expect(prefilter.needles).toHaveLength(2);
    // Line 3 writes /proc/modules with `\/` but lacks the rest of R2 (`opened-file`): no candidate.
    expect(candidateLineStarts(buf, 0, buf.length, prefilter).map(lineOf)).toEqual([1, 4, 5]);
  });

  it('keeps a candidate only when some rule’s whole need holds or an escape could hide a needle', () => {
    const prefilter = compilePrefilter([kqlNeed(parseKql(R2)), eqlNeed(parseEql(R1))])!;
    // Line 3 writes /proc/modules with `\\/`; it could only match R2, which needs opened-file too.
    expect([0, 1, 2, 3, 4, 5].map((i) => check(prefilter, i))).toEqual([true, false, false, true, true, false]);
  });

  it('parses the same lines whatever sample it was tuned on (workers tune on their own ranges)', () => {
    const needs = [kqlNeed(parseKql(R2)), eqlNeed(parseEql(R1))];
    const lines2 = [...lines, '{"b":"linux","e":"opened-file","p":"\\/proc\\/modules","c":"file"}', '{"x":"\\/proc\\/modules"}'];
    const text = Buffer.from(lines2.join('\n') + '\n');
    const parsed = (sample: Buffer) => {
      const prefilter = compilePrefilter(needs)!;
      prefilter.calibrate(sample);
      const starts = new Set(candidateLineStarts(text, 0, text.length, prefilter));
      let at = 0;
      return lines2.map((l) => {
        const start = at;
        at += Buffer.byteLength(l) + 1;
        return starts.has(start) && prefilter.mayMatch(text, start, start + Buffer.byteLength(l));
      });
    };
    const a = parsed(Buffer.from('"ko" "ko" "ko" opened-file /proc/modules'));
    const b = parsed(Buffer.from('opened-file opened-file "ko" /proc/modules /proc/modules'));
    expect(a).toEqual(b);
    expect(a).toEqual([true, false, false, true, true, false, true, false]);
  });

  it('does not treat `\\/` as an escape when no needle has a slash', () => {
    const prefilter = compilePrefilter([eqlNeed(parseEql(R1))])!;
    expect(prefilter.escapes.map(String)).toEqual(['\\u']);
    expect(check(prefilter, 2)).toBe(false);
  });

  it('is off only when no rule has a safe needle', () => {
    const needleless = eqlNeed(parseEql('any where process.name : "x"'));
    expect(compilePrefilter([needleless, needleless])).toBeUndefined();
  });

  it('stays on beside a rule without a needle: every line is parsed, and offered to the others only with their needles', () => {
    const prefilter = compilePrefilter([kqlNeed(parseKql(R2)), eqlNeed(parseEql('any where process.name : "x"')), eqlNeed(parseEql(R1))])!;
    expect(prefilter.parseAll).toBe(true);
    expect([...prefilter.freeOnly.free]).toEqual([0, 1, 0]);
    expect(prefilter.freeOnly.listed).toEqual([]);
    const at = (i: number) => {
      const start = lines.slice(0, i).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
      return prefilter.lineRules(buf, start, start + Buffer.byteLength(lines[i]!));
    };
    // Line 0 holds R2's needles, line 4 R1's; line 1 none (only the rule without a needle takes it).
    expect(at(0)?.listed).toEqual([0]);
    expect(at(4)?.listed).toEqual([2]);
    expect(at(1)).toBeNull();
  });
});

describe('huge lists of alternatives (issue 7, defect 6)', () => {
  const lits = (n: number) => Array.from({ length: n }, (_, i) => lit(`"v${i}"`));

  it('keeps an OR of up to MAX_ALTERNATIVES needles and gives none beyond', () => {
    expect(or(lits(MAX_ALTERNATIVES))).toMatchObject({ kind: 'or' });
    expect(or(lits(MAX_ALTERNATIVES + 1))).toEqual(ANY);
    // Flattened first: two ORs that together are too many give none either.
    expect(or([or(lits(MAX_ALTERNATIVES)), or(lits(2))])).toEqual(ANY);
  });

  it('builds a prefilter for a rule with a huge list, searched by what else it needs', () => {
    const list = Array.from({ length: 5_000 }, (_, i) => `"p${i}"`).join(', ');
    const need = kqlNeed(parseKql(`event.category:process and process.name:(${list.replaceAll(', ', ' or ')})`));
    expect(defaultNeedles(need)).toEqual(['"process"']);
    // Anchors chosen by a static score over a list too long to spread as arguments.
    expect(defaultNeedles({ kind: 'or', of: lits(200_000) })).toHaveLength(200_000);
    expect(compilePrefilter([need])!.needles.map(String)).toEqual(['"process"']);
  });
});

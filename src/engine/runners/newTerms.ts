import { stringifyJson } from '../../event/json.js';
import type { EcsEvent, Scalar } from '../../event/types.js';
import { fileNameJson, readFileNameJson, lazyAlert, lineEvent, type Alert, type Location } from '../alert.js';
import type { CompiledNewTermsRule } from '../compileRule.js';
import { compileTermsOf, NewTermsReplay, NewTermsState, type Term } from '../newTerms.js';
import type { RuleKindHandler } from './runner.js';

/**
 * What the replay keeps of a possibly-new event until the end of the files, as one line (it goes
 * to a sort that spills to disk): `r` if the rest ends with the event's input line, `e` if with
 * its JSON (no line known), then its location as a JSON array `[file,line]`, a tab, and that line.
 */
function keptText(location: Location, raw: string | undefined, event: () => EcsEvent): string {
  return `${raw === undefined ? 'e' : 'r'}[${fileNameJson(location.file)},${location.line}]\t${raw ?? stringifyJson(event())}`;
}


function fromKept(text: string): { location: Location; raw: string | undefined; line: string } {
  // JSON escapes a tab inside a string: the first one ends the location; the line number
  // (digits) follows its last comma.
  const tab = text.indexOf('\t');
  const comma = text.lastIndexOf(',', tab);
  const fileText = text.slice(2, comma);
  const file = readFileNameJson(fileText);
  const lineNumber = Number(text.slice(comma + 1, tab - 1));
  if (text[1] !== '[' || text[tab - 1] !== ']' || typeof file !== 'string' || !Number.isInteger(lineNumber)) throw new Error(`internal: a held new_terms event has no location`);
  const line = text.slice(tab + 1);
  return { location: { file, line: lineNumber }, raw: text.startsWith('r') ? line : undefined, line };
}

/** Decides on the terms of one matching event at its time; `event` gives the parsed event. */
type Decide = (terms: Term[], timeMs: number, location: Location, seq: number, raw: string | undefined, event: () => EcsEvent) => void;

/** A new_terms rule: a matching event alerts for each of its terms not seen within the history window (SPEC §D). */
export const newTermsRules: RuleKindHandler<CompiledNewTermsRule> = {
  start({ rule, matches, eventTime }, { emit, count, options, spill }) {
    const { fields, historyWindowMs } = rule.newTerms;
    const termsOf = compileTermsOf(fields);
    const newTermsOf = (term: Term) => {
      const newTerms: Record<string, Scalar> = {};
      fields.forEach((f, i) => (newTerms[f] = term[i]!));
      return newTerms;
    };
    const alert = (term: Term, timeMs: number, location: Location, event: () => EcsEvent, raw: string | undefined): Alert =>
      lazyAlert({ rule, timeMs, location, raw, newTerms: newTermsOf(term) }, event);

    // Live: decided as events come. Files: a replay in event time once the input ends.
    const lastSeen = options.termHistory?.get(rule.id);
    let decide: Decide;
    let finish: () => void;
    if (options.live) {
      const state = new NewTermsState(historyWindowMs, lastSeen);
      decide = (terms, timeMs, location, _seq, raw, event) => {
        for (const term of state.observe(terms, timeMs)) emit(alert(term, timeMs, location, event, raw));
      };
      finish = () => {};
    } else {
      const replay = new NewTermsReplay(historyWindowMs, lastSeen, spill);
      decide = (terms, timeMs, location, seq, raw, event) => replay.add(terms, timeMs, seq, () => keptText(location, raw, event));
      finish = () => {
        for (const { term, timeMs, doc } of replay.finish()) {
          const { location, raw, line } = fromKept(doc);
          emit(alert(term, timeMs, location, () => lineEvent(line), raw));
        }
      };
    }
    const take = (terms: Term[], timeMs: number | undefined, location: Location, seq: number, raw: string | undefined, event: () => EcsEvent) => {
      if (timeMs === undefined) count.untimed++;
      else decide(terms, timeMs, location, seq, raw, event);
    };
    return {
      event(event, location, seq, raw) {
        if (!matches(event)) return;
        const terms = termsOf(event);
        if (terms.length > 0) take(terms, eventTime(event), location, seq, raw, () => event);
      },
      accept(hit, location, seq, raw, event) {
        if (!('terms' in hit)) throw new Error(`new_terms rule "${rule.name}" was sent a hit without terms: the worker's rules differ from the main thread's`);
        if (hit.terms.length > 0) take(hit.terms, hit.t ?? undefined, location, seq, raw, event);
      },
      finish: () => finish(),
    };
  },
  extractor({ rule, matches, eventTime }, index) {
    const termsOf = compileTermsOf(rule.newTerms.fields);
    return (event) => {
      if (!matches(event)) return null;
      // Sent even without terms: every event a rule's `matches` accepts reaches the main thread.
      return { rule: index, t: eventTime(event) ?? null, terms: termsOf(event) };
    };
  },
};

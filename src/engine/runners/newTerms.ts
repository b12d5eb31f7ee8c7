import { stringifyJson } from '../../event/json.js';
import type { EcsEvent, Scalar } from '../../event/types.js';
import type { SpillRef } from '../../state/spillFile.js';
import { lazyAlert, type Alert, type Location } from '../alert.js';
import { alertOfSpilledLine } from '../alertStages/spill.js';
import type { CompiledNewTermsRule } from '../compileRule.js';
import { compileTermsOf, NewTermsReplay, NewTermsState, type Term } from '../newTerms.js';
import type { RuleKindHandler } from './runner.js';

/**
 * What the replay keeps of a possibly-new event until the end of the files: where its line (or,
 * when the reader has none, its event's JSON) lies in the spill file. Out-of-order input makes
 * most sightings possibly new until the end; their lines stay out of the heap.
 */
interface Kept {
  location: Location;
  ref: SpillRef;
  isRaw: boolean;
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
      const replay = new NewTermsReplay<Kept>(historyWindowMs, lastSeen);
      decide = (terms, timeMs, location, seq, raw, event) =>
        replay.add(terms, timeMs, seq, () => ({ location, ref: spill.put(raw ?? stringifyJson(event())), isRaw: raw !== undefined }));
      finish = () => {
        for (const { term, timeMs, doc } of replay.finish()) {
          emit(alertOfSpilledLine({ rule, timeMs, location: doc.location, newTerms: newTermsOf(term) }, spill, doc.ref, doc.isRaw));
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

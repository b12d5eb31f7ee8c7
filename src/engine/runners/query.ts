import { lazyAlert, lineEvent, type Alert } from '../alert.js';
import type { CompiledQueryRule } from '../compileRule.js';
import { createPipeline } from '../pipes.js';
import type { RuleKindHandler } from './runner.js';

/** A query rule: every matching event is an alert at once, unless `| head`/`| tail` pipes hold it. */
export const queryRules: RuleKindHandler<CompiledQueryRule> = {
  start({ rule, matches, eventTime, pipes }, { emit, options }) {
    const piped = pipes.length === 0 ? undefined : createPipeline(pipes, options.live, emit);
    const take = (alert: Alert, seq: number) => (piped ? piped.push(alert, alert.timeMs, seq) : emit(alert));
    return {
      event(event, location, seq, raw) {
        if (!matches(event)) return;
        const timeMs = eventTime(event);
        // An alert may be held until the input ends (alertStages): with its line it holds only
        // that, not the parsed event's many objects, which the garbage collector would copy again
        // and again while it waits. JSON output writes the line; other formats parse it again.
        if (raw === undefined) take({ rule, timeMs, event, location }, seq);
        else take(lazyAlert({ rule, timeMs, raw, location }, () => lineEvent(raw)), seq);
      },
      accept(hit, location, seq, raw, event) {
        take(lazyAlert({ rule, timeMs: hit.t ?? undefined, raw, location }, event), seq);
      },
      finish: () => piped?.finish(),
    };
  },
  extractor({ matches, eventTime }, index) {
    return (event) => (matches(event) ? { rule: index, t: eventTime(event) ?? null } : null);
  },
};

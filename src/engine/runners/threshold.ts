import { relativeWindowMs } from '../../rules/duration.js';
import type { CompiledThresholdRule } from '../compileRule.js';
import { ThresholdState } from '../threshold.js';
import { wholeEventExtractor, type RuleKindHandler } from './runner.js';
import { timeOrdered, type HeldEvent } from './timeOrder.js';

/** Elastic's default look-back when a rule has no `from` (now-6m). */
const DEFAULT_SPAN_MS = 6 * 60_000;

/** A threshold rule: matching events counted per group in event-time order; a group alerts when it reaches the threshold. */
export const thresholdRules: RuleKindHandler<CompiledThresholdRule> = {
  start({ rule, matches, eventTime }, { emit, count, options, hold }) {
    const state = new ThresholdState(rule.threshold, (rule.from && relativeWindowMs(rule.from)) || DEFAULT_SPAN_MS);
    count.droppedWhat = 'threshold group';
    const order = timeOrdered(options.live, (h: HeldEvent) => {
      for (const threshold of state.observe(h.event, h.timeMs)) {
        emit({ rule, timeMs: h.timeMs, event: h.event, location: h.location, threshold });
      }
      count.dropped = state.dropped;
    }, hold);
    return {
      event(event, location, seq, raw) {
        if (!matches(event)) return;
        const timeMs = eventTime(event);
        if (timeMs === undefined) {
          count.untimed++;
          return;
        }
        order.add({ timeMs, seq, event, location }, raw);
      },
      finish: () => order.flush(),
    };
  },
  extractor: wholeEventExtractor,
};

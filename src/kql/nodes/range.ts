import { NO_REQUIREMENTS } from '../../event/requirements.js';
import { parseIp } from '../../event/cidr.js';
import { compareExact, numberOfText } from '../../event/exactNumber.js';
import { ANY } from '../../prefilter/needles.js';
import type { KqlRangeOperator, KqlValue } from '../ast.js';
import { valueText } from '../ast.js';
import { parseDateMath, parseDefaultDate, parseIsoDate } from '../../time/dates.js';
import { parseDecimal } from '../decimal.js';
import { compileRangeMatcher } from '../../fieldTypes/index.js';
import { asIpv6, compareCodePoints, compareIpBytes } from '../../event/order.js';
import { compileTypedFieldClause } from '../fieldAccess.js';
import type { ValueTest } from '../fieldAccess.js';
import type { KqlNodeKind, KqlNodeOf } from './kind.js';

/**
 * `field < v`, `<=`, `>`, `>=`. A bound promises no bytes (the value in the line is some other
 * number, date or word) and no category.
 */
/** Code point order (a keyword's UTF-8 byte order), the one comparison of keywords both paths use. */

export const rangeKind: KqlNodeKind<KqlNodeOf<'range'>> = {
  compile(node, ctx) {
    return compileTypedFieldClause(node.field, ctx, ({ type }) => {
      if (type.type === 'dynamic') return compileRangeTest(node.operator, node.value, ctx.now);
      const text = valueText(node.value);
      // `f < null`: Kibana's range query with a null bound; no event value lies beyond it.
      if (text === null) return () => false;
      return compileRangeMatcher(type, node.operator, text, { nowMs: ctx.now });
    });
  },
  need: () => ANY,
  requirements: () => NO_REQUIREMENTS,
};

/**
 * `field < v`, `<=`, `>`, `>=` (SPEC §B.3) on a field no mapping knows. Kibana sends an
 * Elasticsearch `range` query and the mapping decides how `v` is read (src/fieldTypes for a known
 * field); for an unmapped one, `v` and the event value's JSON type stand in for it:
 * - when `v` reads only as a date (an ISO date with its dashes, or date math: `now-1d`,
 *   `1600000000000||+1d`), the field is a date field, and the event value is read as one reads it
 *   (`parseDefaultDate`: ISO, else epoch millis; numbers by their text);
 * - otherwise a number compares numerically with `v` as a number (epoch millis for a date);
 * - a string that is a full ISO-8601 date compares as a date when `v` is a date or a number;
 * - any other string compares lexicographically by code point (a keyword's UTF-8 byte order);
 * - booleans and objects never match.
 * Dates without a zone are UTC, as in Elasticsearch. `now`, `now-1d`, `now/d`, `2024-05-01||+1M`
 * are Elasticsearch date math, evaluated once, when the query is compiled.
 */
function compileRangeTest(operator: KqlRangeOperator, value: KqlValue, nowMs: number): ValueTest {
  const text = valueText(value);
  if (text === null) return () => false;
  const holds = comparison(operator);
  const bound = parseDecimal(text);
  // gt and lte round a partial date or `/unit` up to the unit's last millisecond, as Elasticsearch does.
  const roundUp = operator === 'gt' || operator === 'lte';
  const dateBound = text.startsWith('now') || text.includes('||') ? parseDateMath(text, nowMs, roundUp, readAnchor) : parseIsoDate(text, roundUp, LENIENT);
  if (dateBound !== undefined && bound === undefined) return compileDateRangeTest(holds, dateBound, text);
  const dateOrEpoch = dateBound ?? bound;
  const ipBound = dateOrEpoch === undefined ? parseIp(text) : null;
  const ipBound16 = ipBound === null ? null : asIpv6(ipBound);
  // Exact against integers beyond 2^53 (bigints, event/exactNumber.ts), as a long compares them.
  const exactBound = bound === undefined ? undefined : numberOfText(text);

  return (v) => {
    switch (typeof v) {
      case 'number':
      case 'bigint':
        return exactBound !== undefined && holds(compareExact(v, exactBound));
      case 'string': {
        // `v` may be a number or a year (`2024`): only a full calendar date in the event reads as
        // a date, so a keyword such as "2024" keeps comparing as text.
        if (dateOrEpoch !== undefined && v.length >= 10 && v.charCodeAt(4) === 45 /* - */) {
          const ms = parseIsoDate(v, false, LENIENT);
          if (ms !== undefined) return holds(ms - dateOrEpoch);
        }
        // An address against an address compares as an ip field does (SPEC §B.3: ranges on IPs).
        if (ipBound16 !== null) {
          const ip = parseIp(v);
          if (ip !== null) return holds(compareIpBytes(asIpv6(ip), ipBound16));
        }
        return holds(compareCodePoints(v, text));
      }
      default:
        return false;
    }
  };
}

/**
 * A range whose bound is a date: the event value as a date field holds it. A value the date
 * format cannot read would not be indexed on a date field; it compares as a keyword would.
 */
function compileDateRangeTest(holds: (difference: number) => boolean, dateBound: number, text: string): ValueTest {
  return (v) => {
    switch (typeof v) {
      case 'number':
      case 'bigint': {
        const ms = parseDefaultDate(String(v), false, LENIENT);
        return holds(ms !== undefined ? ms - dateBound : compareExact(v, dateBound));
      }
      case 'string': {
        const ms = parseDefaultDate(v, false, LENIENT);
        return ms !== undefined ? holds(ms - dateBound) : holds(compareCodePoints(v, text));
      }
      default:
        return false;
    }
  };
}



/** KQL bounds and event values on unmapped fields take a space for the `T`, as event times do. */
const LENIENT = { lenient: true } as const;

/** The anchor of `<date>||<math>`: an ISO date, or epoch millis written as a number. */
function readAnchor(text: string): number | undefined {
  return parseIsoDate(text, false, LENIENT) ?? parseDecimal(text);
}

function comparison(operator: KqlRangeOperator): (difference: number) => boolean {
  switch (operator) {
    case 'lt':
      return (d) => d < 0;
    case 'lte':
      return (d) => d <= 0;
    case 'gt':
      return (d) => d > 0;
    case 'gte':
      return (d) => d >= 0;
  }
}

import { createHash } from 'node:crypto';
import { compileFieldReader, isScalar, MAX_NESTING } from '../event/fields.js';
import { stringifyJson } from '../event/json.js';
import { isJsonObject, type EcsEvent } from '../event/types.js';
import { formatTimestamp, parseTimestamp } from '../time/timestamp.js';
import type { Alert } from './alert.js';
import { ALERTS_INDEX, eventIndexNames } from './indexPattern.js';

/**
 * An alert as Kibana's detection engine writes it to `.alerts-security.alerts-default` (README
 * "Elastic alert documents"): the source event's fields, its `event.*` fields as flat keys (also
 * copied under `kibana.alert.original_event.*`), and the `kibana.alert.*` fields of the alert.
 * Field names and what they hold follow Kibana's security_solution
 * `rule_types/factories/utils/build_alert.ts`, `build_bulk_body.ts` and `filter_source.ts`, and
 * the names of `@kbn/rule-data-utils`. Where Kibana reads the clock or its saved objects, an
 * offline scan has a documented stand-in, so the same input gives the same documents.
 */
export type AlertIndexDocument = Record<string, unknown>;

/** One entry of `kibana.alert.ancestors`: a document an alert was built from (Kibana's `buildParent`). */
export interface AlertAncestor {
  id: string;
  type: 'event' | 'signal';
  index: string;
  depth: number;
  rule?: string;
}

const readTimestamp = compileFieldReader('@timestamp');
const readId = compileFieldReader('_id');

/** Builds the alert document of an alert. `now` stands in for the time of alerts whose event has none. */
export function toAlertIndexDocument(alert: Alert, now: () => number = Date.now): AlertIndexDocument {
  const { rule } = alert;
  // A threshold alert stands for a group, not an event: Kibana builds it from the group's terms
  // and time alone (`bulk_create_threshold_signals.ts`, transformThresholdResultsToEcs).
  const event = alert.threshold ? thresholdSource(alert, alert.threshold.fields) : alert.event;
  const source: EcsEvent = {};
  const eventFields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event)) {
    // Kibana's filterSource drops the parent's own `event`, `kibana` and `signal` objects (and the
    // metadata of a search hit); the event's fields come back flat below, the alert's are new.
    if (key === 'event' && isJsonObject(value)) flattenInto(eventFields, 'event', value, 0);
    else if (key.startsWith('event.')) setOwn(eventFields, key, value);
    else if (key === 'kibana' || key === 'signal' || key.startsWith('kibana.') || key.startsWith('signal.')) continue;
    else if (key === '_id' || key === '_index' || key === '_source' || key === '_score') continue;
    else setOwn(source, key, value);
  }
  const originalTimeMs = parseTimestamp(readTimestamp(event).find(isScalar));
  const timeMs = alert.timeMs ?? originalTimeMs ?? now();
  // A sequence's alert stands for all its events (Kibana's shell alert lists them as ancestors).
  const ancestors = alert.threshold
    ? [thresholdParent(alert, event)]
    : alert.events
      ? alert.events.flatMap((e) => ancestorsOf(e.event))
      : ancestorsOf(event);
  const depth = Math.max(...ancestors.map((a) => a.depth)) + 1;
  const ruleUuid = rule.id;
  const originalEvent: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(eventFields)) setOwn(originalEvent, `kibana.alert.original_event.${key.slice('event.'.length)}`, value);
  const doc: AlertIndexDocument = {
    ...source,
    ...eventFields,
    '@timestamp': formatTimestamp(timeMs),
    'kibana.space_ids': ['default'],
    'event.kind': 'signal',
    ...(originalTimeMs !== undefined && { 'kibana.alert.original_time': formatTimestamp(originalTimeMs) }),
    'kibana.alert.rule.consumer': 'siem',
    'kibana.alert.ancestors': ancestors,
    'kibana.alert.status': 'active',
    'kibana.alert.workflow_status': 'open',
    'kibana.alert.depth': depth,
    'kibana.alert.reason': reasonOf(alert, source, eventFields),
    ...(rule.buildingBlock && { 'kibana.alert.building_block_type': 'default' }),
    'kibana.alert.severity': rule.severity,
    'kibana.alert.risk_score': rule.riskScore,
    'kibana.alert.rule.author': rule.author,
    'kibana.alert.rule.description': rule.description,
    'kibana.alert.rule.enabled': true,
    'kibana.alert.rule.false_positives': rule.falsePositives,
    ...(rule.from !== undefined && { 'kibana.alert.rule.from': rule.from }),
    'kibana.alert.rule.immutable': rule.source.bundled,
    ...(rule.interval !== undefined && { 'kibana.alert.rule.interval': rule.interval }),
    'kibana.alert.rule.indices': rule.index,
    ...(rule.license !== undefined && { 'kibana.alert.rule.license': rule.license }),
    'kibana.alert.rule.name': rule.name,
    ...(rule.note !== undefined && { 'kibana.alert.rule.note': rule.note }),
    'kibana.alert.rule.references': rule.references,
    'kibana.alert.rule.rule_id': rule.id,
    'kibana.alert.rule.tags': rule.tags,
    'kibana.alert.rule.threat': rule.threat,
    ...(rule.timestampOverride !== undefined && { 'kibana.alert.rule.timestamp_override': rule.timestampOverride }),
    'kibana.alert.rule.type': rule.type,
    'kibana.alert.rule.uuid': ruleUuid,
    'kibana.alert.rule.risk_score': rule.riskScore,
    'kibana.alert.rule.severity': rule.severity,
    ...(rule.buildingBlock && { 'kibana.alert.rule.building_block_type': 'default' }),
    ...(alert.newTerms && { 'kibana.alert.new_terms': Object.values(alert.newTerms) }),
    ...(alert.threshold && {
      'kibana.alert.threshold_result': {
        terms: Object.entries(alert.threshold.fields).map(([field, value]) => ({ field, value })),
        count: alert.threshold.count,
        ...(alert.threshold.cardinality && { cardinality: [alert.threshold.cardinality] }),
      },
    }),
    ...originalEvent,
    'kibana.alert.uuid': alertUuid(ancestors, ruleUuid),
  };
  return doc;
}

/**
 * The document's id as Kibana derives it (`generateAlertId`): SHA-256, in hex, of each
 * ancestor's id and index, then the rule's uuid. The same event and rule give the same id, so
 * loading the output twice with `_id` set to it does not double the alerts.
 */
export function alertUuid(ancestors: readonly AlertAncestor[], ruleUuid: string): string {
  const hash = createHash('sha256');
  for (const a of ancestors) hash.update(a.id).update(a.index);
  return hash.update(ruleUuid).digest('hex');
}

/**
 * The ancestry of an alert on `event` (Kibana's `buildAncestors`). A parent alert (this scan's
 * own, for a higher-order rule) is named by its `kibana.alert.uuid` and extends its ancestry;
 * an input event by its `_id` when an export kept it, else by the SHA-256 of its JSON text (an
 * offline event has no document id: identical events get the same id, as a re-indexed copy would
 * not), and its index by `_index` or its data stream, else the empty string.
 */
function ancestorsOf(event: EcsEvent): AlertAncestor[] {
  const parentUuid = event['kibana.alert.uuid'];
  if (typeof parentUuid === 'string') {
    const parentDepth = event['kibana.alert.depth'];
    const parentRule = event['kibana.alert.rule.uuid'];
    const earlier = event['kibana.alert.ancestors'];
    return [
      ...(Array.isArray(earlier) ? earlier.filter(isAncestor) : []),
      { id: parentUuid, type: 'signal', index: ALERTS_INDEX, depth: typeof parentDepth === 'number' ? parentDepth : 1, ...(typeof parentRule === 'string' && { rule: parentRule }) },
    ];
  }
  const id = readId(event).find((v): v is string => typeof v === 'string') ?? createHash('sha256').update(stringifyJson(event)).digest('hex');
  return [{ id, type: 'event', index: eventIndexNames(event)?.[0] ?? '', depth: 0 }];
}

/** The group's fields as an event (nested, as lodash `set` writes them), at the time the group reached the threshold. */
function thresholdSource(alert: Alert, fields: Record<string, unknown>): EcsEvent {
  const source: EcsEvent = {};
  const time = formatTimestamp(alert.timeMs);
  if (time !== null) source['@timestamp'] = time;
  for (const [path, value] of Object.entries(fields)) {
    const keys = path.split('.');
    let at = source;
    for (const key of keys.slice(0, -1)) {
      const inner = Object.hasOwn(at, key) ? at[key] : undefined;
      if (isJsonObject(inner)) at = inner;
      else {
        const created: EcsEvent = {};
        setOwn(at, key, created);
        at = created;
      }
    }
    setOwn(at, keys[keys.length - 1] ?? path, value);
  }
  return source;
}

/**
 * The one parent of a threshold alert. Kibana names the group's synthetic document by a uuid of
 * the rule, the execution and the group, in the rule's indices; offline: SHA-256 of the rule id,
 * the group's terms and the alert's time, in the rule's `index` joined by commas.
 */
function thresholdParent(alert: Alert, source: EcsEvent): AlertAncestor {
  const id = createHash('sha256')
    .update(alert.rule.id)
    .update(stringifyJson(source))
    .digest('hex');
  return { id, type: 'event', index: alert.rule.index.join(','), depth: 0 };
}

function isAncestor(value: unknown): value is AlertAncestor {
  return isJsonObject(value) && typeof value.id === 'string' && typeof value.index === 'string' && typeof value.depth === 'number' && (value.type === 'event' || value.type === 'signal');
}

/**
 * Sets an own property, whatever its name: plain assignment of `__proto__` (a hostile event's key,
 * or a rule's field path) would replace the object's prototype instead of adding a field.
 */
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Kibana's `flattenWithPrefix`: nested objects become dotted keys; arrays and leaves stay values. */
function flattenInto(out: Record<string, unknown>, prefix: string, value: EcsEvent, depth: number): void {
  for (const [key, inner] of Object.entries(value)) {
    const path = `${prefix}.${key}`;
    if (isJsonObject(inner) && depth < MAX_NESTING) flattenInto(out, path, inner, depth + 1);
    else setOwn(out, path, inner);
  }
}

const REASON_FIELDS: ReadonlyArray<[string, string]> = [
  ['process.name', 'process'],
  ['process.parent.name', 'parent process'],
  ['file.name', 'file'],
  ['source.ip', 'source'],
  ['destination.ip', 'destination'],
  ['user.name', 'by'],
  ['host.name', 'on'],
];
const reasonReaders = REASON_FIELDS.map(([path, label]) => ({ read: compileFieldReader(path), label }));
const readCategory = compileFieldReader('event.category');

/**
 * `kibana.alert.reason` in the words of Kibana's `buildReasonMessageUtil`
 * (`signals/reason_formatters.ts`): the event's category, the fields of interest it has, then
 * "created <severity> alert <rule name>."
 */
function reasonOf(alert: Alert, source: EcsEvent, eventFields: Record<string, unknown>): string {
  const doc: EcsEvent = { ...source, ...eventFields };
  const category = readCategory(doc).filter(isScalar).map(String).join(', ');
  const parts: string[] = [];
  for (const { read, label } of reasonReaders) {
    const values = read(doc).filter(isScalar);
    if (values.length > 0) parts.push(`${label} ${values.map(String).join(', ')}`);
  }
  const head = `${category === '' ? '' : `${category} `}event${parts.length > 0 ? ` with ${parts.join(', ')},` : ''}`;
  return `${head} created ${alert.rule.severity} alert ${alert.rule.name}.`;
}

const built = new WeakMap<Alert, AlertIndexDocument>();

/**
 * The alert document of an alert, built once however many readers ask (the chain's second stage
 * and `--format elastic` both do), so both see the same document.
 */
export function alertIndexDocumentOf(alert: Alert): AlertIndexDocument {
  let doc = built.get(alert);
  if (doc === undefined) {
    doc = toAlertIndexDocument(alert);
    built.set(alert, doc);
  }
  return doc;
}

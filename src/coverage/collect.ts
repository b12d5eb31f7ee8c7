import type { CompiledRule } from '../engine/compileRule.js';
import { compileDispatch, type Dispatch } from '../engine/dispatch.js';
import { eventIndexNames, namesAlertsOnly } from '../engine/indexPattern.js';
import { compileFieldReader, listFieldNames, type FieldReader } from '../event/fields.js';
import type { EcsEvent } from '../event/types.js';
import { requiredField, type Requirements } from '../event/requirements.js';
import { asciiFold } from '../event/wildcard.js';
import { eqlRequirements } from '../eql/categories.js';
import { parseEql } from '../eql/index.js';
import type { FieldTypeTable } from '../fieldTypes/index.js';
import { fieldsRead } from './fieldsRead.js';

/**
 * What `lkm-scan coverage` learns from the events, in memory bounded by the caps below whatever
 * the input's size: which fields the data holds, which values the fields the rules require have,
 * where the events come from, and per rule how many events meet every requirement the rule index
 * derives for it (event/requirements.ts, engine/dispatch.ts) and its index patterns
 * (engine/indexPattern.ts). The requirements are necessary conditions of the query: a rule no
 * event meets them for cannot fire on this data, whatever the rest of its query says.
 */

/** Distinct field names counted; more are counted together as `otherFields` (a hostile input may invent keys). */
export const MAX_FIELDS = 10_000;
/** Distinct values kept per required field (to show what the data has instead); the required values themselves are always counted exactly. */
export const MAX_VALUES_PER_FIELD = 1_000;
/** Distinct data sources and index names kept; more are counted as other. */
export const MAX_SOURCES = 1_000;

/** The fields that say where an event comes from, in the order a source is named by. */
export const SOURCE_FIELDS = ['agent.type', 'event.module', 'data_stream.dataset', 'event.dataset'] as const;

/** Longest key kept whole: a hostile event's 1 MB value or field name is counted by its first characters. */
export const MAX_KEY_CHARS = 200;

/**
 * Counts of a bounded set of keys (each at most MAX_KEY_CHARS long): once `cap` keys are known, counts of new keys are summed in
 * `other` (how many distinct keys that was is not known: knowing it would take the memory the cap saves).
 */
export class CappedCounts {
  readonly counts = new Map<string, number>();
  other = 0;
  constructor(readonly cap: number) {}

  add(full: string, n = 1): void {
    const key = full.length > MAX_KEY_CHARS ? `${full.slice(0, MAX_KEY_CHARS)}…` : full;
    const known = this.counts.get(key);
    if (known !== undefined) this.counts.set(key, known + n);
    else if (this.counts.size < this.cap) this.counts.set(key, n);
    else this.other += n;
  }

  /** Keys by count, most first (ties by key, so reports are reproducible). */
  sorted(): Array<[string, number]> {
    return [...this.counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
}

/** One requirement of a rule: a field and the values an event must have one of (ASCII-folded when `folded`). */
export interface RequirementCount {
  field: string;
  folded: boolean;
  values: readonly string[];
  /** Events with one of the values in the field. */
  events: number;
}

/** What the events showed about one rule. */
export interface RuleCoverage {
  compiled: CompiledRule;
  /** Rules over `.alerts-security.*` read the alerts of other rules, never events. */
  readsAlerts: boolean;
  /** Events that meet every requirement and the index patterns: those the rule can match. */
  eligible: number;
  requirements: RequirementCount[];
  /** The fields the rule reads (coverage/fieldsRead.ts) and how many eligible events hold each. */
  fields: Array<{ field: string; events: number }>;
  /** Field name patterns the rule reads (KQL `process.*:x`). */
  patterns: string[];
  /** The data sources of the eligible events. */
  sources: CappedCounts;
  /**
   * A sequence's steps (but `![...]` missing events) or a sample's: each must be met by some event
   * for the rule to fire, so each has its own requirements (eql/categories.ts on the step alone).
   */
  steps: StepCoverage[];
}

export interface StepCoverage {
  /** `step 2 of 3 (process where …)`. */
  label: string;
  requirements: RequirementCount[];
  /** Eligible events of the rule that also meet this step's requirements. */
  eligible: number;
}

function requirementCounts(requirements: Requirements): RequirementCount[] {
  return [...requirements].map(([key, values]) => ({ ...requiredField(key), values, events: 0 }));
}

/** The steps an EQL sequence or sample needs an event for, with their requirements. */
function stepsOf(compiled: CompiledRule, fieldTypes: FieldTypeTable | undefined): Array<{ label: string; requirements: Requirements }> {
  if (compiled.kind !== 'sequence' && compiled.kind !== 'sample') return [];
  const ast = parseEql(compiled.rule.query);
  if (ast.type !== 'sequence' && ast.type !== 'sample') return [];
  const all = ast.steps;
  const overridden = compiled.rule.eventCategoryOverride !== undefined;
  return all.flatMap((step, k) => {
    if ('missing' in step && step.missing) return [];
    const category = step.filter.category.kind === 'name' ? step.filter.category.name : 'any';
    const requirements = eqlRequirements({ type: 'event', filter: step.filter, pipes: [], at: step.at }, overridden, fieldTypes);
    return [{ label: `step ${k + 1} of ${all.length} (${category} where …)`, requirements }];
  });
}

export interface DataProfile {
  events: number;
  /** Events holding each field (a non-null leaf value under the dotted name). */
  fields: CappedCounts;
  /** Events per data source (SOURCE_FIELDS joined with ` / `, `-` for a missing one). */
  sources: CappedCounts;
  /** Events per index name they say they belong to (`_index`, or data_stream type-dataset-namespace). */
  indices: CappedCounts;
  /** Events that do not say which index they belong to: every rule's index patterns take them in. */
  withoutIndex: number;
  /** Values seen in each field some rule requires values of. */
  values: Map<string, CappedCounts>;
  rules: RuleCoverage[];
}

const sourceReaders = SOURCE_FIELDS.map((f) => compileFieldReader(f));

/** The data source of an event: `agent.type / event.module / dataset`, each `-` when absent. */
export function sourceOf(event: EcsEvent): string {
  const [agent, module, stream, dataset] = sourceReaders.map((read) => {
    const v = read(event)[0];
    return typeof v === 'string' && v !== '' ? v : undefined;
  });
  return `${agent ?? '-'} / ${module ?? '-'} / ${stream ?? dataset ?? '-'}`;
}

/**
 * Collects a DataProfile event by event. The work per event is the fields it holds and the
 * required values it has (an inverted index from value to requirement), never a pass over all
 * rules: the rule index (engine/dispatch.ts) picks the rules to look at, as in a scan.
 */
export class CoverageCollector {
  private readonly dispatch: Dispatch;
  /** Per required field (and whether folded): its reader, and for each required value the requirements (ids) it meets. */
  private readonly required = new Map<string, { field: string; folded: boolean; read: FieldReader; byValue: Map<string, number[]> }>();
  /** Per requirement id: the events that met it; `met[id] === stamp` while the current event meets it. */
  private readonly requirementEvents: number[] = [];
  private met = new Uint32Array(0);
  private stamp = 0;
  /** Per rule, the ids of its requirements, and of each step's. */
  private readonly ruleRequirementIds: number[][];
  private readonly stepRequirementIds: number[][][];
  readonly profile: DataProfile;

  /** `fieldTypes`: the table the rules were compiled with (`--mapping`), for the steps' requirements. */
  constructor(rules: readonly CompiledRule[], fieldTypes?: FieldTypeTable) {
    this.dispatch = compileDispatch(rules);
    this.profile = {
      events: 0,
      fields: new CappedCounts(MAX_FIELDS),
      sources: new CappedCounts(MAX_SOURCES),
      indices: new CappedCounts(MAX_SOURCES),
      withoutIndex: 0,
      values: new Map(),
      rules: rules.map((compiled) => {
        const read = fieldsRead(compiled.rule);
        return {
          compiled,
          readsAlerts: namesAlertsOnly(compiled.rule.index),
          eligible: 0,
          requirements: requirementCounts(compiled.requirements),
          fields: read.fields.map((field) => ({ field, events: 0 })),
          patterns: read.patterns,
          sources: new CappedCounts(20),
          steps: stepsOf(compiled, fieldTypes).map((step) => ({
            label: step.label,
            requirements: requirementCounts(step.requirements),
            eligible: 0,
          })),
        };
      }),
    };
    // Requirements with the same field and values share an id: a pack repeats `event.category: process` hundreds of times.
    const ids = new Map<string, number>();
    const idOf = (req: RequirementCount): number => {
      const key = `${req.field}\0${req.folded}\0${[...req.values].sort().join('\0')}`;
      let id = ids.get(key);
      if (id === undefined) {
        id = this.requirementEvents.length;
        ids.set(key, id);
        this.requirementEvents.push(0);
        const fieldKey = `${req.field}\0${req.folded}`;
        let field = this.required.get(fieldKey);
        if (field === undefined) {
          field = { field: req.field, folded: req.folded, read: compileFieldReader(req.field), byValue: new Map() };
          this.required.set(fieldKey, field);
          if (!this.profile.values.has(req.field)) this.profile.values.set(req.field, new CappedCounts(MAX_VALUES_PER_FIELD));
        }
        for (const v of new Set(req.values)) {
          const list = field.byValue.get(v);
          if (list === undefined) field.byValue.set(v, [id]);
          else list.push(id);
        }
      }
      return id;
    };
    this.ruleRequirementIds = this.profile.rules.map((r) => r.requirements.map(idOf));
    this.stepRequirementIds = this.profile.rules.map((r) => r.steps.map((step) => step.requirements.map(idOf)));
    this.met = new Uint32Array(this.requirementEvents.length);
  }

  event(event: EcsEvent): void {
    const p = this.profile;
    p.events++;
    const present = new Set(listFieldNames(event));
    for (const f of present) p.fields.add(f);
    const source = sourceOf(event);
    p.sources.add(source);
    const names = eventIndexNames(event);
    if (names === undefined) p.withoutIndex++;
    else for (const n of names) p.indices.add(n);

    this.stamp = this.stamp === 0xffffffff ? (this.met.fill(0), 1) : this.stamp + 1;
    const seenValues = new Set<string>();
    for (const { field, folded, read, byValue } of this.required.values()) {
      // A field required both exactly and folded shows its values once.
      const seen = seenValues.has(field) ? undefined : p.values.get(field);
      seenValues.add(field);
      // A value repeated in an array is one value of the event.
      const strings = new Set<string>();
      for (const v of read(event)) if (typeof v === 'string') strings.add(v);
      for (const v of strings) {
        seen?.add(v);
        for (const id of byValue.get(folded ? asciiFold(v) : v) ?? []) {
          if (this.met[id] === this.stamp) continue;
          this.met[id] = this.stamp;
          this.requirementEvents[id] = (this.requirementEvents[id] ?? 0) + 1;
        }
      }
    }
    // The rules the rule index offers this event (its chosen requirement and the index patterns),
    // then the rest of their requirements.
    for (const i of this.dispatch(event)) {
      const r = p.rules[i];
      const reqIds = this.ruleRequirementIds[i];
      if (r === undefined || reqIds === undefined || !reqIds.every((id) => this.met[id] === this.stamp)) continue;
      r.eligible++;
      r.sources.add(source);
      for (const f of r.fields) if (present.has(f.field)) f.events++;
      this.stepRequirementIds[i]?.forEach((stepIds, k) => {
        const step = r.steps[k];
        if (step !== undefined && stepIds.every((id) => this.met[id] === this.stamp)) step.eligible++;
      });
    }
  }

  /** The profile, with each requirement's count of events filled in. */
  result(): DataProfile {
    const fill = (reqs: RequirementCount[], reqIds: readonly number[] = []) =>
      reqs.forEach((req, k) => {
        req.events = this.requirementEvents[reqIds[k] ?? -1] ?? 0;
      });
    this.profile.rules.forEach((r, i) => {
      fill(r.requirements, this.ruleRequirementIds[i]);
      r.steps.forEach((step, k) => fill(step.requirements, this.stepRequirementIds[i]?.[k]));
    });
    return this.profile;
  }
}

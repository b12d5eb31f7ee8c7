import type { Rule } from '../rules/types.js';

/**
 * ATT&CK Navigator layers (layer format 4.5, mitre-attack/attack-navigator
 * `layers/spec/v4.5/layerformat.md`): a JSON document the Navigator opens ("Open Existing Layer")
 * and colours technique by technique. `lkm-scan rules --format navigator` scores each technique
 * by the selected rules that map it; a scan's `--navigator FILE` by the rules that fired.
 */

export interface NavigatorMetadata {
  name: string;
  value: string;
}

export interface NavigatorTechnique {
  techniqueID: string;
  /** The tactic's short name (`defense-evasion`): the score applies under this tactic only. */
  tactic?: string;
  score: number;
  comment: string;
  metadata: NavigatorMetadata[];
  showSubtechniques?: boolean;
}

export interface NavigatorLayer {
  name: string;
  versions: { navigator: string; layer: string };
  domain: 'enterprise-attack';
  description: string;
  sorting: number;
  layout: { layout: 'side'; showID: boolean; showName: boolean; showAggregateScores: boolean; aggregateFunction: 'max'; expandedSubtechniques: 'annotated' };
  hideDisabled: boolean;
  techniques: NavigatorTechnique[];
  gradient: { colors: string[]; minValue: number; maxValue: number };
  legendItems: Array<{ label: string; color: string }>;
  metadata: NavigatorMetadata[];
}

/** The layer format this module writes, and the oldest Navigator that reads it (the spec's "at least 4.9.0"). */
export const LAYER_VERSION = '4.5';
export const NAVIGATOR_VERSION = '4.9.0';

/**
 * ATT&CK's tactic short names (`x_mitre_shortname` of the enterprise tactics), by id: what a
 * layer's `tactic` names. A tactic not here is named from its name, lower-cased with hyphens,
 * which is how every enterprise short name is formed.
 */
const TACTIC_SHORT_NAMES: Readonly<Record<string, string>> = {
  TA0043: 'reconnaissance',
  TA0042: 'resource-development',
  TA0001: 'initial-access',
  TA0002: 'execution',
  TA0003: 'persistence',
  TA0004: 'privilege-escalation',
  TA0005: 'defense-evasion',
  TA0006: 'credential-access',
  TA0007: 'discovery',
  TA0008: 'lateral-movement',
  TA0009: 'collection',
  TA0011: 'command-and-control',
  TA0010: 'exfiltration',
  TA0040: 'impact',
};

export function tacticShortName(tactic: { id: string; name: string }): string {
  return TACTIC_SHORT_NAMES[tactic.id] ?? tactic.name.trim().toLowerCase().replace(/\s+/g, '-');
}

/** What one rule brings to a layer: the rule, and for a scan layer the alerts it made. */
export interface LayerRule {
  rule: Rule;
  alerts?: number;
}

export interface LayerOptions {
  name: string;
  description: string;
  /** `rules`: every given rule scores its techniques; `alerts`: only rules with alerts do (a scan's layer). */
  mode: 'rules' | 'alerts';
}

/** Technique ids as ATT&CK writes them: T1234 or T1234.001. Others (a typo, another framework) are left out. */
const TECHNIQUE_ID = /^T\d{4}(\.\d{3})?$/;

/**
 * The layer of `rules`: one entry per technique and tactic a rule's `threat` maps it to (a
 * sub-technique is an entry of its own, and its parent technique one too, as the rule lists it),
 * scored by the number of distinct rules. Only `MITRE ATT&CK` mappings count.
 */
export function navigatorLayer(rules: readonly LayerRule[], options: LayerOptions): NavigatorLayer {
  const entries = new Map<string, { techniqueID: string; tactic?: string; rules: Map<string, LayerRule> }>();
  const add = (techniqueID: string, tactic: string | undefined, r: LayerRule) => {
    if (!TECHNIQUE_ID.test(techniqueID)) return;
    const key = `${techniqueID}\0${tactic ?? ''}`;
    let entry = entries.get(key);
    if (entry === undefined) {
      entry = { techniqueID, tactic, rules: new Map() };
      entries.set(key, entry);
    }
    entry.rules.set(r.rule.id, r);
  };
  for (const r of rules) {
    if (options.mode === 'alerts' && (r.alerts ?? 0) === 0) continue;
    for (const threat of r.rule.threat) {
      if (threat.framework !== 'MITRE ATT&CK') continue;
      const tactic = threat.tactic === undefined ? undefined : tacticShortName(threat.tactic);
      for (const technique of threat.technique ?? []) {
        add(technique.id, tactic, r);
        for (const sub of technique.subtechnique ?? []) add(sub.id, tactic, r);
      }
    }
  }
  const techniques: NavigatorTechnique[] = [...entries.values()]
    .sort((a, b) => (a.techniqueID === b.techniqueID ? (a.tactic ?? '').localeCompare(b.tactic ?? '') : a.techniqueID < b.techniqueID ? -1 : 1))
    .map((e) => {
      const listed = [...e.rules.values()].sort((a, b) => a.rule.name.localeCompare(b.rule.name));
      const alerts = listed.reduce((n, r) => n + (r.alerts ?? 0), 0);
      const count = `${listed.length} rule${listed.length === 1 ? '' : 's'}${options.mode === 'alerts' ? ' fired' : ''}`;
      const comment = options.mode === 'alerts' ? `${count}, ${alerts} alert${alerts === 1 ? '' : 's'}` : count;
      const technique: NavigatorTechnique = {
        techniqueID: e.techniqueID,
        ...(e.tactic === undefined ? {} : { tactic: e.tactic }),
        score: listed.length,
        comment,
        metadata: listed.map((r) => ({ name: options.mode === 'alerts' ? `${r.alerts ?? 0} alerts` : 'rule', value: `${r.rule.name} (${r.rule.id})` })),
      };
      if (!e.techniqueID.includes('.')) technique.showSubtechniques = true;
      return technique;
    });
  const max = techniques.reduce((m, t) => Math.max(m, t.score), 0);
  const low = '#dbeafe';
  const high = options.mode === 'alerts' ? '#dc2626' : '#1d4ed8';
  const unit = options.mode === 'alerts' ? 'rule fired' : 'rule';
  return {
    name: options.name,
    versions: { navigator: NAVIGATOR_VERSION, layer: LAYER_VERSION },
    domain: 'enterprise-attack',
    description: options.description,
    // 3: descending by score, so the best-covered techniques come first in each tactic.
    sorting: 3,
    layout: { layout: 'side', showID: true, showName: true, showAggregateScores: true, aggregateFunction: 'max', expandedSubtechniques: 'annotated' },
    hideDisabled: false,
    techniques,
    // The spec wants maxValue > minValue: a layer of no technique still gets a gradient from 0 to 1.
    gradient: { colors: [low, high], minValue: 1, maxValue: Math.max(2, max) },
    legendItems: [
      { label: `1 ${unit}`, color: low },
      { label: `${Math.max(2, max)} ${unit === 'rule' ? 'rules' : 'rules fired'}`, color: high },
    ],
    metadata: [
      { name: 'generated by', value: 'lkm-scan' },
      { name: 'score', value: options.mode === 'alerts' ? 'rules that fired, per technique and tactic' : 'rules mapping the technique, per technique and tactic' },
      { name: 'rules', value: String(rules.length) },
    ],
  };
}

/** The layer as the file the Navigator opens: pretty-printed JSON with a final newline. */
export function renderNavigatorLayer(layer: NavigatorLayer): string {
  return JSON.stringify(layer, null, 2) + '\n';
}

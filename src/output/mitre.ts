import type { Threat } from '../rules/types.js';

/** One line per technique: `T1547.006 Kernel Modules and Extensions (T1547 …, tactic TA0003 Persistence)`. */
export interface MitreLine {
  tactic?: string;
  technique: string;
}

/** Flattens a rule's threat mapping to short `ID Name` phrases, most specific first. */
export function mitreSummary(threats: readonly Threat[]): string[] {
  const out: string[] = [];
  for (const t of threats) {
    const tactic = t.tactic ? `${t.tactic.id} ${t.tactic.name}` : undefined;
    for (const tech of t.technique ?? []) {
      const subs = tech.subtechnique ?? [];
      const techText = `${tech.id} ${tech.name}`;
      if (subs.length === 0) out.push(tactic ? `${techText} (${tactic})` : techText);
      for (const s of subs) out.push(`${s.id} ${s.name} (${techText}${tactic ? `; ${tactic}` : ''})`);
    }
    if ((t.technique ?? []).length === 0 && tactic) out.push(tactic);
  }
  return out;
}

/** Every MITRE id of a rule (tactics, techniques, subtechniques), for compact listings. */
export function mitreIds(threats: readonly Threat[]): string[] {
  const ids: string[] = [];
  for (const t of threats) {
    if (t.tactic) ids.push(t.tactic.id);
    for (const tech of t.technique ?? []) {
      ids.push(tech.id);
      for (const s of tech.subtechnique ?? []) ids.push(s.id);
    }
  }
  return ids;
}

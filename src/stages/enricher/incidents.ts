import { createHash } from 'node:crypto';
import type { NormalizedEvent } from '../../schemas/events.js';
import type { Incident, IncidentReason, IncidentStatus } from '../../schemas/incident.js';
import type { IncidentsConfig } from './config.js';
import type { Template } from './drain.js';
import type { FeatureDeviation } from './feature-deviation.js';

/** Why and how an event was flagged, as the incident counts it. */
export interface FlaggedEvent {
  reason: IncidentReason;
  score: number;
  deviations: readonly FeatureDeviation[];
  modelVersion: string;
}

/** An open incident as held in memory and in the changelog (`i:<IncidentId>`). */
interface OpenIncident {
  id: string;
  entity: string;
  eventSchema: string;
  logType: string;
  templateId: string;
  template: string;
  windowStart: number;
  windowEnd: number;
  firstSeen: number;
  lastSeen: number;
  count: number;
  reasons: IncidentReason[];
  maxScore: number;
  /** per feature, its largest deviation among the counted events and the value it had there */
  features: Record<string, [value: number, deviation: number]>;
  examples: string[];
  modelVersion: string;
  revision: number;
  /** Count of the last record written; the next `updated` one is due when Count has doubled */
  emittedCount: number;
}

export const INCIDENT_KEY_PREFIX = 'i:';

/** Same entity, template and window: the same id, whoever computes it and however often. */
export function incidentId(entity: string, templateId: string, windowStart: number): string {
  return createHash('sha256').update(`${entity}\u0000${templateId}\u0000${windowStart}`).digest('hex').slice(0, 32);
}

/**
 * The incidents of one input partition. Called for every event in partition order, so what it
 * writes depends only on the input, not on how the input was cut into transactions: a record on
 * an incident's first anomaly (`open`), one each time its count doubles (`updated`: at most
 * log2(count) of them for a burst), and a final one (`closed`) once the partition's retention
 * watermark — the point after which no active source can add to a window — passes its end.
 */
export class IncidentTracker {
  private readonly open = new Map<string, OpenIncident>();
  private readonly changed = new Set<string>();
  /** the earliest window end of an open incident: closing work is only done once a watermark reaches it */
  private nextClose = Number.POSITIVE_INFINITY;
  refused = 0;

  constructor(private readonly config: IncidentsConfig) {}

  get openCount(): number {
    return this.open.size;
  }

  /**
   * One observed event: closes what its watermark closed, then counts the event if it was flagged.
   * An anomaly whose own window is already closed joins the oldest window still open (its
   * FirstSeen/LastSeen still say when it happened), so a late anomaly is neither lost nor
   * written under the id of an incident that was already final.
   */
  track(
    event: NormalizedEvent,
    closeWatermark: number,
    template: Template,
    flagged: FlaggedEvent | null,
  ): Array<{ incident: Incident; status: IncidentStatus }> {
    const out = this.closeUpTo(closeWatermark);
    if (!flagged || !this.config.enabled) return out;
    const size = this.config.windowMs;
    const ownStart = Math.floor(event.TimeGenerated / size) * size;
    const windowStart = ownStart + size <= closeWatermark ? Math.floor(closeWatermark / size) * size : ownStart;
    const id = incidentId(event.EntityKey, template.id, windowStart);
    const existing = this.open.get(id);
    if (existing) {
      this.add(existing, event, flagged);
      if (existing.count >= 2 * existing.emittedCount) out.push(this.emit(existing, 'updated'));
      return out;
    }
    if (this.open.size >= this.config.maxOpenPerPartition) {
      this.refused++;
      return out;
    }
    const incident: OpenIncident = {
      id,
      entity: event.EntityKey,
      eventSchema: event.EventSchema,
      logType: event.LogType,
      templateId: template.id,
      template: template.tokens.join(' '),
      windowStart,
      windowEnd: windowStart + size,
      firstSeen: event.TimeGenerated,
      lastSeen: event.TimeGenerated,
      count: 0,
      reasons: [],
      maxScore: Number.NEGATIVE_INFINITY,
      features: {},
      examples: [],
      modelVersion: flagged.modelVersion,
      revision: 0,
      emittedCount: 0,
    };
    this.add(incident, event, flagged);
    this.open.set(id, incident);
    this.nextClose = Math.min(this.nextClose, incident.windowEnd);
    out.push(this.emit(incident, 'open'));
    return out;
  }

  /** Changed incidents as changelog entries: the open ones' state, a tombstone for the closed. */
  takeChanges(): Array<[key: string, value: string | null]> {
    const out: Array<[string, string | null]> = [];
    for (const id of this.changed) {
      const incident = this.open.get(id);
      out.push([INCIDENT_KEY_PREFIX + id, incident ? JSON.stringify(incident) : null]);
    }
    this.changed.clear();
    return out;
  }

  /** One `i:` changelog value, as takeChanges wrote it. */
  restore(value: string): void {
    const incident = JSON.parse(value) as OpenIncident;
    this.open.set(incident.id, incident);
    this.nextClose = Math.min(this.nextClose, incident.windowEnd);
  }

  private closeUpTo(watermark: number): Array<{ incident: Incident; status: IncidentStatus }> {
    if (watermark < this.nextClose) return [];
    const out: Array<{ incident: Incident; status: IncidentStatus }> = [];
    let next = Number.POSITIVE_INFINITY;
    // in window order, so an incident's close comes out the same whatever the map's order
    for (const incident of [...this.open.values()].sort(byWindowThenId)) {
      if (incident.windowEnd > watermark) {
        next = Math.min(next, incident.windowEnd);
        continue;
      }
      out.push(this.emit(incident, 'closed'));
      this.open.delete(incident.id);
    }
    this.nextClose = next;
    return out;
  }

  private add(incident: OpenIncident, event: NormalizedEvent, flagged: FlaggedEvent): void {
    incident.count++;
    incident.firstSeen = Math.min(incident.firstSeen, event.TimeGenerated);
    incident.lastSeen = Math.max(incident.lastSeen, event.TimeGenerated);
    if (!incident.reasons.includes(flagged.reason)) incident.reasons.push(flagged.reason);
    incident.maxScore = Math.max(incident.maxScore, flagged.score);
    for (const { name, value, deviation } of flagged.deviations) {
      const held = incident.features[name];
      if (!held || deviation > held[1]) incident.features[name] = [value, deviation];
    }
    if (incident.examples.length < this.config.maxExamples) incident.examples.push(event.EventId);
    incident.modelVersion = flagged.modelVersion;
    this.changed.add(incident.id);
  }

  private emit(incident: OpenIncident, status: IncidentStatus): { incident: Incident; status: IncidentStatus } {
    incident.revision++;
    incident.emittedCount = incident.count;
    this.changed.add(incident.id);
    return { incident: this.record(incident, status), status };
  }

  private record(i: OpenIncident, status: IncidentStatus): Incident {
    const top = Object.entries(i.features)
      .sort((a, b) => b[1][1] - a[1][1] || a[0].localeCompare(b[0]))
      .slice(0, this.config.topFeatures)
      .map(([Name, [Value, Deviation]]) => ({ Name, Value, Deviation }));
    return {
      IncidentId: i.id,
      Revision: i.revision,
      EventId: `${i.id}-${i.revision}`,
      Status: status,
      TimeGenerated: i.lastSeen,
      EntityKey: i.entity,
      EventSchema: i.eventSchema,
      LogType: i.logType,
      TemplateId: i.templateId,
      Template: i.template,
      WindowStart: i.windowStart,
      WindowEnd: i.windowEnd,
      FirstSeen: i.firstSeen,
      LastSeen: i.lastSeen,
      Count: i.count,
      Reasons: [...i.reasons],
      MaxScore: i.maxScore,
      TopFeatures: top,
      ExampleEventIds: [...i.examples],
      ModelVersion: i.modelVersion,
    };
  }
}

function byWindowThenId(a: OpenIncident, b: OpenIncident): number {
  return a.windowEnd - b.windowEnd || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

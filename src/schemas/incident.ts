/** TypeScript shape of schemas/incident.avsc (tests/unit/schemas keeps the two in step). */
export interface Incident {
  IncidentId: string;
  Revision: number;
  /** `<IncidentId>-<Revision>` */
  EventId: string;
  Status: IncidentStatus;
  TimeGenerated: number;
  EntityKey: string;
  EventSchema: string;
  LogType: string;
  TemplateId: string;
  Template: string;
  WindowStart: number;
  WindowEnd: number;
  FirstSeen: number;
  LastSeen: number;
  Count: number;
  Reasons: IncidentReason[];
  MaxScore: number;
  TopFeatures: IncidentFeature[];
  ExampleEventIds: string[];
  ModelVersion: string;
}

export type IncidentStatus = 'open' | 'updated' | 'closed';
export type IncidentReason = 'score' | 'new-sensitive-template';

export interface IncidentFeature {
  Name: string;
  Value: number;
  Deviation: number;
}

/** Every field of the incident schema, in its order. */
export const INCIDENT_FIELDS: ReadonlyArray<keyof Incident> = [
  'IncidentId',
  'Revision',
  'EventId',
  'Status',
  'TimeGenerated',
  'EntityKey',
  'EventSchema',
  'LogType',
  'TemplateId',
  'Template',
  'WindowStart',
  'WindowEnd',
  'FirstSeen',
  'LastSeen',
  'Count',
  'Reasons',
  'MaxScore',
  'TopFeatures',
  'ExampleEventIds',
  'ModelVersion',
];

/** The attack kinds the evaluation corpus injects (one label per anomalous record). */
export const ATTACK_KINDS = ['port-scan', 'brute-force', 'exfiltration', 'rare-destructive'] as const;
export type AttackKind = (typeof ATTACK_KINDS)[number];

/** The log types the corpus writes, named as the eval topology's logTypes. */
export const EVAL_LOG_TYPES = ['cloudtrail', 'vpcflow', 'syslog', 'cef'] as const;
export type EvalLogType = (typeof EVAL_LOG_TYPES)[number];

export interface Label {
  kind: AttackKind;
  incident: string;
}

/** One log record before it is put into an object: a line, or one CloudTrail record as JSON. */
export interface CorpusRecord {
  logType: EvalLogType;
  /** event time (epoch ms): what the parser reads as TimeGenerated */
  time: number;
  /** which delivery stream writes it: an account/region for AWS logs, a collector or device otherwise */
  stream: string;
  text: string;
  label?: Label;
}

/** One S3 object as its writer lays it out, with when that writer would have delivered it. */
export interface CorpusObject {
  key: string;
  logType: EvalLogType;
  /** simulated delivery time (epoch ms) */
  deliveredAt: number;
  /** the records in file order */
  records: CorpusRecord[];
  /** lines before the first record (the VPC flow log header line): record numbers start after them */
  headerLines: string[];
}

/** `<S3 key>#<record number>`: what SourceKey and SourceRecordNumber of the normalized event give back. */
export function recordId(key: string, recordNumber: number): string {
  return `${key}#${recordNumber}`;
}

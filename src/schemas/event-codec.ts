import { type SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
// the validation error is not re-exported from the package index
import { ConfluentSchemaRegistryValidationError } from '@kafkajs/confluent-schema-registry/dist/errors.js';
import { SiemStreamError } from '../errors.js';
import { type RetryPolicy, withRetry } from '../util/retry.js';
import { loadSchema, type SchemaName } from './catalog.js';
import { setSubjectCompatibility } from './registry-client.js';

const REGISTER_RETRY: RetryPolicy = { attempts: 5, baseMs: 250, capMs: 2_000 };

/** The client's refusal of a subject whose compatibility is the registry's default rather than BACKWARD. */
function unconfiguredSubject(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConfluentSchemaRegistryCompatibilityError' && /\(BACKWARD != NONE\)/.test(error.message);
}

/**
 * Encodes one topic's values in the Confluent wire format (magic byte + schema id + Avro),
 * with the schema registered under the TopicNameStrategy subject `<topic>-value`.
 */
export class EventCodec<T extends object> {
  private schemaId: number | undefined;

  constructor(
    private readonly registry: SchemaRegistry,
    readonly topic: string,
    private readonly schemaName: SchemaName,
  ) {}

  get subject(): string {
    return `${this.topic}-value`;
  }

  /**
   * Registers the schema (idempotent: the registry returns the existing id). Several instances
   * starting at once race to create a new subject, and the registry may refuse the losers
   * (Apicurio: "A rule named 'COMPATIBILITY' already exists"), so a failure is retried a few
   * times; a schema the registry keeps refusing (incompatible) fails the start.
   */
  private registering: Promise<number> | undefined;

  /** Registers once per codec: concurrent callers share one request (parallel ones race in the registry). */
  register(): Promise<number> {
    this.registering ??= this.registerWithRetries().catch((error: unknown) => {
      this.registering = undefined;
      throw error;
    });
    return this.registering;
  }

  private async registerWithRetries(): Promise<number> {
    const schema = JSON.stringify(loadSchema(this.schemaName));
    const refused = (cause: unknown) => [401, 403].includes((cause as { status?: number }).status ?? 0);
    try {
      const { id } = await withRetry(
        async () => {
          try {
            return await this.registry.register({ type: SchemaType.AVRO, schema }, { subject: this.subject });
          } catch (error) {
            if (!unconfiguredSubject(error)) throw error;
            // a start killed between registering the subject and setting its compatibility leaves
            // it on the registry's default (NONE), and the client refuses that on every later start
            await setSubjectCompatibility(this.registry, this.subject, 'BACKWARD');
            return await this.registry.register({ type: SchemaType.AVRO, schema }, { subject: this.subject });
          }
        },
        REGISTER_RETRY,
        // credentials the registry refuses do not get better with retries
        { stage: 'registry', what: `registering ${this.schemaName}`, retriable: (cause) => !refused(cause) },
      );
      this.schemaId = id;
      return id;
    } catch (cause) {
      const status = (cause as { status?: number }).status;
      if (refused(cause)) {
        throw new SiemStreamError(
          'REGISTRY_REFUSED',
          `registering ${this.schemaName} under ${this.subject}: the schema registry refused the credentials (HTTP ${status})`,
          { cause },
        );
      }
      throw new SiemStreamError(
        'SCHEMA_MISMATCH',
        `registering ${this.schemaName} under ${this.subject} failed after ${REGISTER_RETRY.attempts} attempts: ${(cause as Error).message}`,
        { cause },
      );
    }
  }

  /** A value the schema cannot hold is the record's fault (SCHEMA_MISMATCH → DLQ), not the stage's. */
  async encode(value: T): Promise<Buffer> {
    if (this.schemaId === undefined) await this.register();
    try {
      return await this.registry.encode(this.schemaId as number, value);
    } catch (cause) {
      if (!(cause instanceof ConfluentSchemaRegistryValidationError)) throw cause;
      const paths = cause.paths.map((path: string[]) => path.join('.')).join(', ');
      throw new SiemStreamError('SCHEMA_MISMATCH', `${this.topic}: value does not fit ${this.schemaName} at ${paths || '(root)'}`, {
        cause,
      });
    }
  }

  /** Decodes any registered writer schema of the wire format (schemas are cached by id). */
  async decode(buffer: Buffer | null): Promise<T> {
    if (buffer === null || buffer.length < 5 || buffer[0] !== 0) {
      throw new SiemStreamError('SCHEMA_MISMATCH', `${this.topic}: value is not in the Confluent wire format (magic byte 0 + schema id)`);
    }
    return (await this.registry.decode(buffer)) as T;
  }
}

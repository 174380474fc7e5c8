import { KafkaProtocolError } from './errors.js';
import { type ClusterMetadata, requestClusterMetadata } from './metadata.js';
import { BrokerSession } from './session.js';
import { type ClientSettings, clientSettings, type ProtocolKafkaConfig } from './settings.js';

/** The sessions one admin call needs: one to any broker, and one to each node it must ask itself. */
export class ClusterSessions {
  private bootstrap: BrokerSession | undefined;
  private readonly byNode = new Map<number, BrokerSession>();
  private metadata: ClusterMetadata | undefined;

  constructor(private readonly settings: ClientSettings) {}

  /** The first of the configured brokers that connects (and authenticates). */
  async any(): Promise<BrokerSession> {
    this.bootstrap ??= await this.openFirstReachable();
    return this.bootstrap;
  }

  async node(nodeId: number): Promise<BrokerSession> {
    const open = this.byNode.get(nodeId);
    if (open) return open;
    const any = await this.any();
    const broker = (await this.clusterMetadata()).brokers.find((b) => b.nodeId === nodeId);
    if (!broker) {
      const known = this.metadata?.brokers.map((b) => b.nodeId).join(', ');
      // retriable: a broker that is down drops out of the metadata until it is back
      throw new KafkaProtocolError(`broker ${nodeId} is not among the cluster's live brokers (${known})`, { retriable: true });
    }
    const session = `${broker.host}:${broker.port}` === any.address ? any : await BrokerSession.open(this.settings, broker);
    this.byNode.set(nodeId, session);
    return session;
  }

  /** A broker whose address is known already (a group's coordinator): the session open to it, or a new one. */
  async at(broker: { nodeId: number; host: string; port: number }): Promise<BrokerSession> {
    const address = `${broker.host}:${broker.port}`;
    const open = this.byNode.get(broker.nodeId);
    if (open?.address === address) return open;
    if (open && open !== this.bootstrap) open.close(); // the node moved: its old address is of no use
    const any = await this.any();
    const session = address === any.address ? any : await BrokerSession.open(this.settings, broker);
    this.byNode.set(broker.nodeId, session);
    return session;
  }

  async clusterMetadata(): Promise<ClusterMetadata> {
    this.metadata ??= await requestClusterMetadata(await this.any());
    return this.metadata;
  }

  close(): void {
    for (const session of new Set([this.bootstrap, ...this.byNode.values()])) session?.close();
  }

  /**
   * Brokers are tried in order while they cannot be reached; a refusal that another broker would
   * repeat (a wrong password, an untrusted certificate) ends the search at once.
   */
  private async openFirstReachable(): Promise<BrokerSession> {
    const failures: KafkaProtocolError[] = [];
    for (const broker of this.settings.brokers) {
      try {
        return await BrokerSession.open(this.settings, broker);
      } catch (error) {
        if (!(error instanceof KafkaProtocolError) || !error.retriable) throw error;
        failures.push(error);
      }
    }
    const [only] = failures;
    if (only && failures.length === 1) throw only;
    throw new KafkaProtocolError(`no broker could be reached: ${failures.map((f) => f.message).join('; ')}`, { retriable: true });
  }
}

/** Runs `work` with the sessions of one call, all closed afterwards. */
export async function withCluster<T>(
  config: ProtocolKafkaConfig,
  work: (cluster: ClusterSessions) => Promise<T>,
  overrides: Pick<ClientSettings, 'maxVersions'> = {},
): Promise<T> {
  const cluster = new ClusterSessions({ ...clientSettings(config), ...overrides });
  try {
    return await work(cluster);
  } finally {
    cluster.close();
  }
}

import { CloudWatchLogsClient, DescribeLogGroupsCommand, FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';

export interface StoredLogEvent {
  group: string;
  stream: string;
  timestamp: number;
  message: string;
}

/** A client of the local CloudWatch Logs (moto), with the SDK's own retries. */
export function cloudwatchClient(endpoint: { endpoint: string; region: string; accessKeyId: string; secretAccessKey: string }) {
  return new CloudWatchLogsClient({
    endpoint: endpoint.endpoint,
    region: endpoint.region,
    credentials: { accessKeyId: endpoint.accessKeyId, secretAccessKey: endpoint.secretAccessKey },
    maxAttempts: 5,
  });
}

/** Every event stored in the log groups whose names start with `prefix`, read back through the API. */
export async function storedLogEvents(client: CloudWatchLogsClient, prefix: string): Promise<StoredLogEvent[]> {
  const groups: string[] = [];
  let token: string | undefined;
  do {
    const page = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: prefix, nextToken: token }));
    groups.push(...(page.logGroups ?? []).map((g) => g.logGroupName as string));
    token = page.nextToken;
  } while (token);
  const events: StoredLogEvent[] = [];
  for (const group of groups) {
    let next: string | undefined;
    do {
      const page = await client.send(new FilterLogEventsCommand({ logGroupName: group, nextToken: next }));
      for (const e of page.events ?? [])
        events.push({ group, stream: e.logStreamName as string, timestamp: e.timestamp as number, message: e.message as string });
      next = page.nextToken;
    } while (next);
  }
  return events;
}

/** The EventId inside a stored message (the sink writes the whole event as JSON). */
export const eventIdOfMessage = (message: string) => String((JSON.parse(message) as { EventId: string }).EventId);

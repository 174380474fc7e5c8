import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateLogGroupCommand, DescribeLogGroupsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { afterAll, describe, expect, it } from 'vitest';
import { portInUse } from '../../src/dev/stack/health.js';
import { stackDown, stackStatus, stackUp } from '../../src/dev/stack/index.js';
import { isAlive } from '../../src/dev/stack/process-files.js';
import { cloudwatchClient } from '../support/cloudwatch-logs.js';

// The stack's cloudwatch unit: moto's server mode as a Python process, up with stack up, gone with stack down.
const PORT = 28400 + Number(process.env.SIEM_STREAM_TEST_PORT_OFFSET ?? 0);
const home = mkdtempSync(join(tmpdir(), 'siem-moto-'));

describe('CloudWatch Logs (moto) as a stack unit', () => {
  afterAll(async () => {
    await stackDown({ home });
  });

  it('answers the CloudWatch Logs API once healthy, and stack down stops its process', async () => {
    const endpoints = await stackUp({ home, services: ['cloudwatch'], ports: { cloudwatch: PORT }, onProgress: () => {} });
    const unit = (await stackStatus({ home })).find((s) => s.service === 'cloudwatch');
    expect(unit).toMatchObject({ running: true, healthy: true, endpoint: `http://127.0.0.1:${PORT}` });

    const client = cloudwatchClient(endpoints.cloudwatch);
    await client.send(new CreateLogGroupCommand({ logGroupName: '/probe' }));
    const groups = await client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/probe' }));
    expect(groups.logGroups?.map((g) => g.logGroupName)).toEqual(['/probe']);
    client.destroy();

    await stackDown({ home });
    expect(isAlive(unit?.pid as number)).toBe(false);
    expect(await portInUse(PORT)).toBe(false);
  }, 900_000);
});

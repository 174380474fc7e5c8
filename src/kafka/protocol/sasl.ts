import { API } from './apis.js';
import { brokerAnswer, brokerError, KafkaProtocolError, kafkaErrorName } from './errors.js';
import { ScramClient, type ScramHash } from './scram.js';
import type { BrokerSession } from './session.js';
import type { SaslMechanism, SaslSettings } from './settings.js';

const SCRAM_HASH: Partial<Record<SaslMechanism, ScramHash>> = { 'SCRAM-SHA-256': 'sha256', 'SCRAM-SHA-512': 'sha512' };

/** SaslHandshake v1 names the mechanism; the tokens then go back and forth in SaslAuthenticate requests. */
export async function authenticate(session: BrokerSession, sasl: SaslSettings): Promise<void> {
  await handshake(session, sasl.mechanism);
  const failed = (reason: string, kafkaError?: string) =>
    new KafkaProtocolError(`SASL ${sasl.mechanism} authentication failed for user "${sasl.username}" at ${session.address}: ${reason}`, {
      retriable: false,
      kafkaError,
    });
  const exchange = async (token: string): Promise<string> => {
    const answer = await saslAuthenticate(session, Buffer.from(token, 'utf8'));
    if (answer.errorCode !== 0) throw failed(brokerAnswer(answer.errorCode, answer.errorMessage), kafkaErrorName(answer.errorCode));
    return answer.authBytes.toString('utf8');
  };

  const hash = SCRAM_HASH[sasl.mechanism];
  if (!hash) {
    await exchange(`\u0000${sasl.username}\u0000${sasl.password}`);
    return;
  }
  const scram = new ScramClient(hash, sasl.username, sasl.password);
  const serverFirst = await exchange(scram.clientFirst());
  try {
    scram.verifyServerFinal(await exchange(scram.clientFinal(serverFirst)));
  } catch (error) {
    if (error instanceof KafkaProtocolError) throw error;
    throw failed((error as Error).message);
  }
}

async function handshake(session: BrokerSession, mechanism: SaslMechanism): Promise<void> {
  const answer = await session.call(
    API.saslHandshake,
    (body) => body.string(mechanism),
    (body) => ({ errorCode: body.int16(), mechanisms: body.array(() => body.string()) }),
  );
  if (answer.errorCode !== 0) {
    const enabled = answer.mechanisms.length > 0 ? answer.mechanisms.join(', ') : 'none';
    throw brokerError(`SASL handshake for ${mechanism} with ${session.address} (mechanisms enabled there: ${enabled})`, answer.errorCode);
  }
}

function saslAuthenticate(session: BrokerSession, token: Buffer) {
  return session.call(
    API.saslAuthenticate,
    (body) => body.bytes(token).taggedFields(),
    (body, version) => {
      const answer = { errorCode: body.int16(), errorMessage: body.nullableString(), authBytes: body.bytes() };
      if (version >= 1) body.int64(); // session lifetime: irrelevant to one short admin call
      body.taggedFields();
      return answer;
    },
  );
}

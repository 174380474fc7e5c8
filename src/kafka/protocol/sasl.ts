import { API } from './apis.js';
import { brokerAnswer, brokerError, KafkaProtocolError, kafkaErrorName } from './errors.js';
import { ScramClient, type ScramHash } from './scram.js';
import type { BrokerSession } from './session.js';
import type { SaslMechanism, SaslSettings } from './settings.js';

const SCRAM_HASH: Partial<Record<SaslMechanism, ScramHash>> = { 'SCRAM-SHA-256': 'sha256', 'SCRAM-SHA-512': 'sha512' };

/** SaslHandshake v1 names the mechanism; the tokens then go back and forth in SaslAuthenticate requests. */
export async function authenticate(session: BrokerSession, sasl: SaslSettings): Promise<void> {
  await handshake(session, sasl.mechanism);
  const who = sasl.mechanism === 'OAUTHBEARER' ? `client "${sasl.clientId}"` : `user "${sasl.username}"`;
  const failed = (reason: string, kafkaError?: string) =>
    new KafkaProtocolError(`SASL ${sasl.mechanism} authentication failed for ${who} at ${session.address}: ${reason}`, {
      retriable: false,
      kafkaError,
    });
  const exchange = async (token: string): Promise<string> => {
    const answer = await saslAuthenticate(session, Buffer.from(token, 'utf8'));
    if (answer.errorCode !== 0) throw failed(brokerAnswer(answer.errorCode, answer.errorMessage), kafkaErrorName(answer.errorCode));
    return answer.authBytes.toString('utf8');
  };

  // a refusal by the token endpoint is not the broker's: it keeps its own error (code and message)
  if (sasl.mechanism === 'OAUTHBEARER') return oauthBearer(exchange, await sasl.token(), failed);
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

const KVSEP = '\u0001';

/**
 * RFC 7628: the client's first message carries the token; an empty answer is success. A refused
 * token is answered with an error JSON, which the client acknowledges with a lone separator so
 * the broker ends the exchange with its failure (Kafka's OAuthBearerSaslServer).
 */
async function oauthBearer(
  exchange: (message: string) => Promise<string>,
  token: string,
  failed: (reason: string) => KafkaProtocolError,
): Promise<void> {
  const answer = await exchange(`n,,${KVSEP}auth=Bearer ${token}${KVSEP}${KVSEP}`);
  if (answer === '') return;
  await exchange(KVSEP); // normally throws with the broker's reason
  throw failed(`the broker refused the token: ${answer}`);
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

import { describe, expect, it } from 'vitest';
import { ScramClient } from '../../../src/kafka/protocol/scram.js';

// RFC 7677 section 3: SCRAM-SHA-256 for user "user", password "pencil"
const CLIENT_NONCE = 'rOprNGfwEbeRWgbNEkqO';
const SERVER_FIRST = 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096';
const CLIENT_FINAL = 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=';
const SERVER_FINAL = 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=';

const rfcClient = () => new ScramClient('sha256', 'user', 'pencil', CLIENT_NONCE);

describe('SCRAM client', () => {
  it('reproduces the RFC 7677 exchange and accepts its server signature', () => {
    const scram = rfcClient();
    expect(scram.clientFirst()).toBe('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    expect(scram.clientFinal(SERVER_FIRST)).toBe(CLIENT_FINAL);
    expect(() => scram.verifyServerFinal(SERVER_FINAL)).not.toThrow();
  });

  it('refuses a server signature that is not the one the password gives', () => {
    const scram = rfcClient();
    scram.clientFinal(SERVER_FIRST);
    expect(() => scram.verifyServerFinal('v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=')).toThrow(/signature does not match/);
    expect(() => scram.verifyServerFinal('v=AAAA')).toThrow(/signature does not match/);
    expect(() => scram.verifyServerFinal('e=invalid-proof')).toThrow(/server refused: invalid-proof/);
  });

  it('gives a different proof for another password', () => {
    expect(new ScramClient('sha256', 'user', 'pencil2', CLIENT_NONCE).clientFinal(SERVER_FIRST)).not.toBe(CLIENT_FINAL);
  });

  it('uses the hash it is given: SHA-512 makes a 64-byte proof', () => {
    const scram = new ScramClient('sha512', 'user', 'pencil', CLIENT_NONCE);
    const proof = /,p=(.+)$/.exec(scram.clientFinal(SERVER_FIRST))?.[1] ?? '';
    expect(Buffer.from(proof, 'base64')).toHaveLength(64);
  });

  it('refuses a server-first that does not extend its nonce, lacks the salt, or lowers the iterations', () => {
    expect(() => rfcClient().clientFinal('r=someoneelse,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096')).toThrow(/nonce/);
    expect(() => rfcClient().clientFinal(`r=${CLIENT_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`)).toThrow(/nonce/);
    expect(() => rfcClient().clientFinal(`r=${CLIENT_NONCE}x,i=4096`)).toThrow(/s= attribute/);
    expect(() => rfcClient().clientFinal(`r=${CLIENT_NONCE}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1`)).toThrow(/iteration count 1/);
    expect(() => rfcClient().clientFinal(`m=ext,r=${CLIENT_NONCE}x,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`)).toThrow(/extension/);
    expect(() => rfcClient().verifyServerFinal(SERVER_FINAL)).toThrow(/before client-final/);
  });

  it('escapes "=" and "," in the user name, and makes a fresh nonce each time', () => {
    expect(new ScramClient('sha256', 'a=b,c', 'p', 'n').clientFirst()).toBe('n,,n=a=3Db=2Cc,r=n');
    const nonce = (c: ScramClient) => c.clientFirst().split(',r=')[1];
    expect(nonce(new ScramClient('sha256', 'u', 'p'))).not.toBe(nonce(new ScramClient('sha256', 'u', 'p')));
  });
});

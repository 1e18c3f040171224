import { KafkaPortError } from '../kafka-port.error.js';
import { toPortError } from './platformatic-errors.js';

/** The shapes of @platformatic/kafka's errors: `code` (PLT_KFK_*), protocol errors with `apiId` and `canRetry`. */
const plt = (code: string, message: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(message), { code, ...extra });
const protocol = (apiId: string, canRetry: boolean) => plt('PLT_KFK_PROTOCOL', apiId, { apiId, canRetry });
const multiple = (...errors: Error[]) =>
  Object.assign(new AggregateError(errors, 'failed'), { code: 'PLT_KFK_MULTIPLE' });

describe('platformatic errors in the port terms', () => {
  it.each([
    [protocol('UNKNOWN_TOPIC_OR_PARTITION', true), 'unknown-topic', true, 'UNKNOWN_TOPIC_OR_PARTITION'],
    [plt('PLT_KFK_USER', 'Unknown topic t.'), 'unknown-topic', true, 'UNKNOWN_TOPIC_OR_PARTITION'],
    [multiple(protocol('MESSAGE_TOO_LARGE', false)), 'refused', false, 'MESSAGE_TOO_LARGE'],
    [protocol('REQUEST_TIMED_OUT', true), 'timeout', true, 'REQUEST_TIMED_OUT'],
    [plt('PLT_KFK_TIMEOUT', 'Request timed out'), 'timeout', true, undefined],
    [
      multiple(plt('PLT_KFK_NETWORK', 'ECONNREFUSED'), plt('PLT_KFK_NETWORK', 'ECONNREFUSED')),
      'connection',
      true,
      undefined,
    ],
    [plt('PLT_KFK_USER', 'Client is closed.'), 'closed', false, undefined],
    [new Error('anything'), 'other', true, undefined],
  ])('%s -> %s', (error, kind, retriable, code) => {
    const mapped = toPortError(error);
    expect(mapped).toBeInstanceOf(KafkaPortError);
    expect(mapped).toMatchObject({ kind, retriable, code, cause: error });
  });

  it('takes the last attempt of retries (the latest protocol error)', () => {
    const error = multiple(protocol('NOT_LEADER_OR_FOLLOWER', true), protocol('MESSAGE_TOO_LARGE', false));
    expect(toPortError(error)).toMatchObject({ kind: 'refused', code: 'MESSAGE_TOO_LARGE' });
  });
});

import { openSocketIo } from '../socket/gateway-socket.js';
import { resolveConnectOptions, type ConnectOptions } from './connect-options.js';
import type { DualStreamClient } from './dual-stream-client.js';
import { GatewayClient } from './gateway-client.js';

/**
 * Connects to a dual-stream gateway (socket.io namespace `/events`). Returns at once; subscribe right away:
 * subscriptions are sent when the connection is up and again after every reconnect.
 *
 * @example
 * const client = connect({ url: 'https://gateway.example.com', getToken: () => auth.currentToken() });
 * client.on('status', (status) => banner.show(status));
 * const stop = client.subscribe('events:order:o-1001', { onEvent: (event) => render(event) });
 */
export function connect(options: ConnectOptions): DualStreamClient {
  return new GatewayClient(resolveConnectOptions(options), openSocketIo);
}

/**
 * Resolves on the connection's next `ready`, or after `timeoutMs` (a subscribe then counts as pending and is
 * recovered once subscribed): Redis being down must not hold up whoever subscribes.
 */
export function readyOrTimeout(
  connection: { on(event: 'ready', fn: () => void): unknown; off(event: 'ready', fn: () => void): unknown },
  timeoutMs: number,
): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      connection.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, timeoutMs);
    connection.on('ready', done);
  });
}

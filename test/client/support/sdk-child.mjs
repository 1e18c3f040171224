// An SDK client in its own process, so a test can freeze it (SIGSTOP) like a phone that stops reading.
// argv: gateway URL, token, channel. Reports to the parent over IPC: { status }, { disconnect }, { event }.
import { connect } from '../../../libs/client/dist/index.js';

const [url, token, channel] = process.argv.slice(2);
const client = connect({
  url,
  token,
  reconnectDelayMs: 200,
  reconnectDelayMaxMs: 1000,
  socketOptions: { transports: ['websocket'] },
});
client.on('status', (status) => process.send({ status }));
client.on('disconnect', (reason) => process.send({ disconnect: reason }));
client.on('error', (err) => process.send({ error: `${err.name}: ${err.message}` }));
client.subscribe(channel, {
  onEvent: (event, info) => process.send({ event: { id: event.id, offset: event.offset, origin: info.origin } }),
});
process.on('message', (message) => {
  if (message === 'metrics') process.send({ metrics: client.metrics() });
  if (message === 'close') {
    client.close();
    process.disconnect();
  }
});

/** The hub's running totals; one object shared by the hub, its connections and subscriptions. */
export class HubCounters {
  delivered = 0;
  duplicatesDropped = 0;
  conflated = 0;
  slowDisconnects = 0;
  subscribeRefused = 0;
  replays = 0;
  replaysRecovered = 0;
  replaysNotRecovered = 0;
  replayedEvents = 0;
  recoveries = 0;
  gapMarkers = 0;
  malformedMessages = 0;
  forgedPositions = 0;
  tokenExpiries = 0;
  recoveryNotices = 0;
  sseStreamsOpened = 0;
  sseDelivered = 0;
}

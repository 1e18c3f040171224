/** `publish()` was called after the application began shutting down. */
export class PublisherClosedError extends Error {
  override readonly name = 'PublisherClosedError';

  constructor() {
    super(
      'DualStreamPublisher is closed (the application is shutting down); nothing was published. ' +
        'Publish before app.close(), or from a new application instance.',
    );
  }
}

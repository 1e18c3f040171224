/** Runs an app callback; what it throws goes to `report` instead of breaking delivery. */
export function callHandler(handler: () => void, report: (error: unknown) => void): void {
  try {
    handler();
  } catch (err) {
    report(err);
  }
}

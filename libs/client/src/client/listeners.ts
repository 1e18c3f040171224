type Listener = (value: unknown) => void;

/** A minimal event emitter (the SDK runs in browsers too, so no `node:events`). */
export class Listeners {
  private readonly byEvent = new Map<string, Set<Listener>>();

  add(event: string, listener: Listener): () => void {
    let set = this.byEvent.get(event);
    if (!set) this.byEvent.set(event, (set = new Set()));
    set.add(listener);
    return () => void set.delete(listener);
  }

  count(event: string): number {
    return this.byEvent.get(event)?.size ?? 0;
  }

  /** Calls every listener; one that throws does not stop the others. */
  emit(event: string, value: unknown, onThrow: (error: unknown) => void): void {
    for (const listener of [...(this.byEvent.get(event) ?? [])]) {
      try {
        listener(value);
      } catch (err) {
        onThrow(err);
      }
    }
  }
}

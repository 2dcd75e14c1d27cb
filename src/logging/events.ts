/**
 * A small typed event emitter for the logger's events. Unlike Node's `EventEmitter`, emitting
 * `error` with no listener does not throw (the logger reports failures through `flush()`/`end()`
 * and stderr too), and a listener that throws cannot break the logger: its exception is rethrown
 * on a later tick, as an uncaught exception in the caller's code.
 */

/** A map from event name to the arguments its listeners receive. */
export type EventMap = Record<string, unknown[]>;

/** A listener of event `E`. */
export type Listener<Events extends EventMap, E extends keyof Events> = (...args: Events[E]) => void;

/**
 * Typed emitter: `on`, `off`, `once`, `emit`, `listenerCount`.
 *
 * @example
 * const events = new TypedEmitter<{ ping: [number] }>();
 * events.on("ping", (n) => console.log(n));
 * events.emit("ping", 1);
 */
export class TypedEmitter<Events extends EventMap> {
  readonly #listeners = new Map<keyof Events, Set<Listener<Events, keyof Events>>>();

  /** Adds a listener; returns a function that removes it. */
  on<E extends keyof Events>(event: E, listener: Listener<Events, E>): () => void {
    let set = this.#listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener as Listener<Events, keyof Events>);
    return () => this.off(event, listener);
  }

  /** Adds a listener that is removed after its first call. */
  once<E extends keyof Events>(event: E, listener: Listener<Events, E>): () => void {
    const off = this.on(event, (...args: Events[E]) => {
      off();
      listener(...args);
    });
    return off;
  }

  /** Removes a listener. */
  off<E extends keyof Events>(event: E, listener: Listener<Events, E>): void {
    this.#listeners.get(event)?.delete(listener as Listener<Events, keyof Events>);
  }

  /** Number of listeners of `event`. */
  listenerCount(event: keyof Events): number {
    return this.#listeners.get(event)?.size ?? 0;
  }

  /** Calls every listener of `event`; returns whether there was any. */
  emit<E extends keyof Events>(event: E, ...args: Events[E]): boolean {
    const set = this.#listeners.get(event);
    if (set === undefined || set.size === 0) return false;
    for (const listener of [...set]) {
      try {
        listener(...args);
      } catch (error) {
        setImmediate(() => {
          throw error;
        });
      }
    }
    return true;
  }
}

// The server's notifier: the policy file's notify: targets as last loaded, swapped when a reload changes them.
import type { NotifyTarget } from "../notify/create-notifier.js";
import type { Notifier, NotifyEvent } from "../notify/notifier.js";

/**
 * Sends to the targets of the policy file in use. `retarget` after a reload makes a notifier for new targets and lets
 * the old one deliver what it holds, then stop; unchanged targets keep the same notifier (and its queue).
 * @example const notifier = new ReloadableNotifier(spec.notify ?? [], (targets) => createNotifier(targets, options));
 */
export class ReloadableNotifier implements Notifier {
  readonly #make: (targets: readonly NotifyTarget[]) => Notifier;
  #current: Notifier;
  #targets: string;
  /** Notifiers replaced by a reload, still delivering what they held. */
  readonly #closing = new Set<Promise<void>>();

  constructor(targets: readonly NotifyTarget[], make: (targets: readonly NotifyTarget[]) => Notifier) {
    this.#make = make;
    this.#current = make(targets);
    this.#targets = JSON.stringify(targets);
  }

  /** Sends to `targets` from now on, when they differ from the targets in use. */
  retarget(targets: readonly NotifyTarget[]): void {
    const json = JSON.stringify(targets);
    if (json === this.#targets) return;
    const replaced = this.#current;
    this.#current = this.#make(targets);
    this.#targets = json;
    const closing = replaced.close().finally(() => this.#closing.delete(closing));
    this.#closing.add(closing);
  }

  send(event: NotifyEvent): void {
    this.#current.send(event);
  }

  async close(): Promise<void> {
    await Promise.all([this.#current.close(), ...this.#closing]);
  }
}

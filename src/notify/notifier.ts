/** One event for the policy file's `notify:` targets. */
export interface NotifyEvent {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** Delivers events to the `notify:` targets without ever delaying or failing a decision. */
export interface Notifier {
  /** Queues the event for every target; never throws, never waits. */
  send(event: NotifyEvent): void;
  /** Delivers what is queued (bounded wait), then stops. */
  close(): Promise<void>;
}

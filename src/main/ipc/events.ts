// Main → renderer events. Transports subscribe; services emit without knowing who listens.
import type { EventName, Events } from '../../shared/ipc';

export type EventSink = <E extends EventName>(event: E, payload: Events[E]) => void;

export class EventBus {
  private readonly sinks = new Set<EventSink>();

  emit<E extends EventName>(event: E, payload: Events[E]): void {
    for (const sink of this.sinks) sink(event, payload);
  }

  subscribe(sink: EventSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }
}

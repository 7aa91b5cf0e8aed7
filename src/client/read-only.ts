import { computed, type ReadonlySignal, type Signal } from "@preact/signals-core";

/** A view of a signal that cannot be written, even by a cast: only the SDK's methods change its state. */
export function readOnly<T>(source: Signal<T>): ReadonlySignal<T> {
  return computed(() => source.value);
}

import { h } from "./dom";

const SHOW_AFTER_MS = 1200;

/**
 * "Offline: reconnecting…" while any socket the app needs is down. Shown
 * after a short delay so that a quick reconnect does not flash it.
 */
export class ConnectionBanner {
  readonly element = h("div", { class: "banner", role: "status", hidden: true });
  #timer: ReturnType<typeof setTimeout> | undefined;

  update(connected: boolean, pendingCount: number): void {
    if (connected) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
      this.element.hidden = true;
      return;
    }
    const text = pendingCount > 0 ? `Offline: reconnecting… ${pendingCount} unsent ${pendingCount === 1 ? "message goes" : "messages go"} out when you are back.` : "Offline: reconnecting…";
    this.element.textContent = text;
    if (this.element.hidden && this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.element.hidden = false;
      }, SHOW_AFTER_MS);
    }
  }
}

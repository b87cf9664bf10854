// jsdom lays nothing out: every size is 0, so a virtualised list would show no
// row at all. This gives the message list a fixed viewport and each row a fixed
// height, enough for the virtualiser to pick the rows in view.

export const VIEWPORT_PX = 600;
export const ROW_PX = 60;

type Getter = (this: HTMLElement) => number;

function override(prop: "clientHeight" | "clientWidth" | "offsetHeight" | "scrollHeight", get: (el: HTMLElement, base: () => number) => number) {
  const proto = HTMLElement.prototype;
  const own = Object.getOwnPropertyDescriptor(proto, prop) ?? Object.getOwnPropertyDescriptor(Element.prototype, prop);
  const base = own?.get as Getter | undefined;
  Object.defineProperty(proto, prop, {
    configurable: true,
    get(this: HTMLElement) {
      return get(this, () => (base ? base.call(this) : 0));
    },
  });
}

export function installChatLayout(): void {
  override("clientHeight", (el, base) => (el.classList.contains("message-list") ? VIEWPORT_PX : base()));
  override("clientWidth", (el, base) => (el.classList.contains("message-list") ? 800 : base()));
  override("offsetHeight", (el, base) => (el.classList.contains("message-row") ? ROW_PX : base()));
  override("scrollHeight", (el, base) => {
    if (!el.classList.contains("message-list")) return base();
    const rows = el.querySelector<HTMLElement>(".message-rows");
    return Math.max(VIEWPORT_PX, rows ? parseFloat(rows.style.height) || 0 : 0);
  });
}

// jsdom lays nothing out: every size is 0, so a virtualised list would show no
// row at all. This gives the message list and the task panel a fixed viewport and each row a fixed
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

// The scroll areas that virtualise their rows, the rows, and the element whose height is the whole list's.
const SCROLLERS = ".message-list, .tasks-panel";
const ROWS = ".message-row, .task-list > li";
const CONTENT = ".message-rows, .task-list";

export function installListLayout(): void {
  override("clientHeight", (el, base) => (el.matches(SCROLLERS) ? VIEWPORT_PX : base()));
  override("clientWidth", (el, base) => (el.matches(SCROLLERS) ? 800 : base()));
  override("offsetHeight", (el, base) => (el.matches(ROWS) ? ROW_PX : base()));
  override("scrollHeight", (el, base) => {
    if (!el.matches(SCROLLERS)) return base();
    const content = el.querySelector<HTMLElement>(CONTENT);
    return Math.max(VIEWPORT_PX, content ? parseFloat(content.style.height) || 0 : 0);
  });
}

/** The page's element of this id (index.html has them all); a missing one is a bug in the page. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const e = document.getElementById(id);
  if (!e) throw new Error(`no #${id} in the page`);
  return e as T;
}

/** An element with text and attributes: strings from files reach the page as text only, never as markup. */
export function el(tag: string, attrs: Record<string, string> = {}, text = ''): HTMLElement {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text) e.textContent = text;
  return e;
}

/** Fills a <select> with kernels (value: label), keeping the chosen one when it is still there. */
export function fillSelect(select: HTMLSelectElement, values: readonly string[], texts: readonly string[] = values): void {
  const chosen = select.value;
  select.replaceChildren(...values.map((v, i) => { const o = el('option', { value: v }, texts[i]) as HTMLOptionElement; return o; }));
  if (values.includes(chosen)) select.value = chosen;
}

// The only way the UI builds DOM: elements from tag + properties + children, text always via textContent.
// Nothing here ever assigns innerHTML, so a route named "<img onerror=...>" stays a string on the screen.

/** el('a', {href: '#/routes', className: 'x'}, 'text', childNode, [more]) */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on') && typeof value === 'function') {
      node.addEventListener(key.slice(2), value);
    } else if (key === 'dataset') {
      Object.assign(node.dataset, value);
    } else if (key in node && !key.includes('-')) {
      node[key] = value;
    } else {
      node.setAttribute(key, value === true ? '' : String(value));
    }
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces a container's content. */
export function show(container, ...children) {
  container.replaceChildren();
  append(container, children);
}

/** A table from column headings and rows of cells (a cell: text, a Node, or {text, className}). */
export function table(caption, headings, rows, emptyText = 'Nothing yet') {
  const body = rows.length === 0
    ? [el('tr', {}, el('td', { colSpan: headings.length, className: 'empty' }, emptyText))]
    : rows.map((cells) => el('tr', {}, cells.map(cell)));
  return el('div', { className: 'table-wrap' },
    el('table', {},
      el('caption', { className: 'visually-hidden' }, caption),
      el('thead', {}, el('tr', {}, headings.map((h) => el('th', { scope: 'col' }, h)))),
      el('tbody', {}, body)));
}

function cell(value) {
  if (value instanceof Node) return el('td', {}, value);
  if (value && typeof value === 'object') return el('td', { className: value.className }, value.text ?? '');
  return el('td', {}, value ?? '');
}

/** A list shown as "a, b" or a word when empty. */
export const list = (items, empty = 'any') => (items && items.length ? items.join(', ') : empty);

/** A short status line for loading and errors, announced to screen readers. */
export function notice(text, kind = 'info') {
  return el('p', { className: `notice ${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

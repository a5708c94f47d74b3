// A destructive action asks first, in the page (not window.confirm): the question is announced to screen readers,
// focus moves to the "Yes" button, and Cancel puts the original button back. A refusal shows next to the button.
import { el, show, notice } from './dom.js';

/** label: 'Delete'; question: 'Delete route shop?'; action: async () => {...}; id: the button's id. */
export function confirmButton(label, question, action, id) {
  const holder = el('div', { className: 'confirm' });
  const start = el('button', { type: 'button', id, className: 'danger', onclick: ask }, label);
  function ask() {
    const yes = el('button', { type: 'button', id: `${id}-confirm`, className: 'danger', onclick: run },
      `Yes, ${label.toLowerCase()}`);
    show(holder, el('span', { role: 'alert' }, question), ' ', yes, ' ',
      el('button', { type: 'button', id: `${id}-cancel`, onclick: () => show(holder, start) }, 'Cancel'));
    yes.focus();
  }
  async function run() {
    try {
      await action();
    } catch (e) {
      // e.g. 422 "upstream shop is used by route storefront", or 412 when it changed since the page read it
      show(holder, start, ' ', notice(e.message, 'error'));
    }
  }
  show(holder, start);
  return holder;
}

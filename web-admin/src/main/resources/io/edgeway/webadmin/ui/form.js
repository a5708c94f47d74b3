// The create/edit form of an entity. Create is a POST; edit is a PATCH of the form's fields only (so settings the
// form does not show are kept) with If-Match: the ETag read, so a concurrent change answers 412, not an overwrite.
// An entity whose API has no PATCH (certificates, stream routes: spec.update 'PUT') is replaced whole, If-Match too.
import { api, path, ApiError } from './api.js';
import { el, show, notice } from './dom.js';

/**
 * spec.fields: [{name, label, hint, kind: 'text'|'lines'|'pem'|'select', options, read(entity), write(value)}];
 * a field with writeOnly (a private key) starts empty on edit: the API never answers it.
 */
export async function entityForm(container, spec, name) {
  let existing = null;
  let etag = null;
  if (name) {
    const answer = await api(path`/api/v1/${spec.collection}/${name}`);
    existing = answer.body;
    etag = answer.headers.get('ETag');
  }
  const replace = spec.update === 'PUT';
  const controls = new Map();
  const errors = new Map();
  const summary = el('div', { id: 'form-errors', role: 'alert' });
  const form = el('form', { className: 'entity-form', noValidate: true },
    spec.fields.map((field) => {
      const id = `field-${field.name}`;
      const value = existing ? (field.writeOnly ? '' : field.read(existing[field.name])) : (field.initial ?? '');
      const control = input(field, id, value);
      const error = el('p', { id: `${id}-error`, className: 'field-error', hidden: true });
      const hint = field.hint ? el('p', { id: `${id}-hint`, className: 'hint' }, field.hint) : null;
      control.setAttribute('aria-describedby', [hint ? `${id}-hint` : '', `${id}-error`].join(' ').trim());
      controls.set(field.name, control);
      errors.set(field.name, error);
      return el('div', { className: 'field' }, el('label', { htmlFor: id }, field.label), control, hint, error);
    }),
    summary,
    el('button', { type: 'submit', id: 'save' }, existing ? 'Save changes' : `Create ${spec.singular}`));

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    clearErrors(errors, controls, summary);
    const body = {};
    for (const field of spec.fields) {
      if (existing && field.name === 'name') continue; // renaming is not offered: the name is the key
      const written = field.write(controls.get(field.name).value);
      if (written === null && (!existing || replace)) continue; // the API's default
      body[field.name] = written; // on edit, null removes the setting (PATCH merge)
    }
    try {
      const answer = existing
        ? await api(path`/api/v1/${spec.collection}/${name}`, { method: replace ? 'PUT' : 'PATCH', json: body, ifMatch: etag })
        : await api(`/api/v1/${spec.collection}`, { method: 'POST', json: body });
      location.hash = `#/${spec.collection}/${encodeURIComponent(answer.body.name)}`;
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      showErrors(e, errors, controls, summary, () => entityForm(container, spec, name));
    }
  });

  show(container, el('h1', {}, existing ? `Edit ${spec.singular} ${existing.name}` : `New ${spec.singular}`), form);
  if (existing) controls.get('name').readOnly = true;
}

function input(field, id, value) {
  if (field.kind === 'select') {
    return el('select', { id, name: field.name },
      field.options.map((option) => el('option', { value: option, selected: option === value }, option)));
  }
  if (field.kind === 'lines') {
    return el('textarea', { id, name: field.name, rows: 4, value, spellcheck: false });
  }
  if (field.kind === 'pem') {
    return el('textarea', { id, name: field.name, rows: 8, value, spellcheck: false, autocomplete: 'off', className: 'pem' });
  }
  return el('input', { id, name: field.name, type: 'text', value, spellcheck: false, autocomplete: 'off' });
}

function clearErrors(errors, controls, summary) {
  for (const [name, error] of errors) {
    error.hidden = true;
    error.textContent = '';
    controls.get(name).removeAttribute('aria-invalid');
  }
  show(summary);
}

/** "hosts[0]" and "targets[1].port" belong to the hosts and targets fields; anything else to the form. */
export const fieldOf = (apiField) => String(apiField || '').split(/[[.]/)[0];

function showErrors(e, errors, controls, summary, reload) {
  if (e.status === 412) {
    show(summary, notice('Changed by someone else since you opened it: reload to see their change, then edit again.', 'error'),
      el('button', { type: 'button', id: 'reload', onclick: reload }, 'Reload'));
    return;
  }
  const unplaced = [];
  for (const { field, message } of e.errors) {
    const error = errors.get(fieldOf(field));
    if (!error) {
      unplaced.push(message);
      continue;
    }
    error.textContent = error.textContent ? `${error.textContent}; ${message}` : message;
    error.hidden = false;
    controls.get(fieldOf(field)).setAttribute('aria-invalid', 'true');
  }
  const first = [...errors.values()].find((error) => !error.hidden);
  show(summary, notice(first ? 'The API refused some fields; see the messages next to them.' : e.message, 'error'),
    unplaced.map((message) => notice(message, 'error')));
  if (first) controls.get([...errors.keys()].find((k) => errors.get(k) === first)).focus();
}

// Converters between the API's JSON and the form's text.
export const text = { read: (v) => v ?? '', write: (s) => (s.trim() === '' ? null : s.trim()) };
/** A whole number; anything else is sent as typed so the API's message names the field. */
export const integer = {
  read: (v) => (v === undefined || v === null ? '' : String(v)),
  write: (s) => (s.trim() === '' ? null : /^[0-9]+$/.test(s.trim()) ? Number(s.trim()) : s.trim()),
};
export const commaList = {
  read: (v) => (v || []).join(', '),
  write: (s) => s.split(',').map((x) => x.trim()).filter(Boolean),
};

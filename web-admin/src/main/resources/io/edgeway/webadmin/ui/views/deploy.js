// Deploying a static site from the browser, the way `edgeway-ctl site deploy` does: hash every file here
// (SubtleCrypto SHA-256), send the manifest, upload only the blobs the control plane says it lacks, then
// activate. Files are read by the browser only; nothing in them is ever rendered.
import { api, path, ApiError } from '../api.js';
import { el, show, notice } from '../dom.js';

const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, '0')).join('');

/**
 * A picked folder's files are named by their path inside it (webkitRelativePath without the folder's own name,
 * as the CLI names a build directory's files); picked files by their name.
 */
export const sitePath = (file) => {
  const relative = file.webkitRelativePath || '';
  return relative.includes('/') ? relative.slice(relative.indexOf('/') + 1) : file.name;
};

/** The deploy form; fixedSite: the site's name on its own page, else the operator types one. */
export function deployForm(fixedSite) {
  const site = el('input', { id: 'deploy-site', name: 'site', type: 'text', autocomplete: 'off', spellcheck: false,
    value: fixedSite ?? '', readOnly: !!fixedSite, 'aria-describedby': 'deploy-site-hint deploy-site-error' });
  const folder = el('input', { id: 'deploy-folder', name: 'folder', type: 'file', webkitdirectory: true, multiple: true });
  const files = el('input', { id: 'deploy-files', name: 'files', type: 'file', multiple: true });
  const activate = el('input', { id: 'deploy-activate', name: 'activate', type: 'checkbox', checked: true });
  const siteError = el('p', { id: 'deploy-site-error', className: 'field-error', hidden: true });
  const progress = el('progress', { id: 'deploy-progress', max: 1, value: 0, hidden: true, 'aria-label': 'Deploy progress' });
  const status = el('div', { id: 'deploy-status', role: 'status' });
  const button = el('button', { type: 'submit', id: 'deploy' }, 'Deploy');

  const say = (text, kind) => show(status, notice(text, kind));
  const step = (done, total, text) => {
    progress.hidden = false;
    progress.max = total;
    progress.value = done;
    say(text);
  };

  async function deploy(event) {
    event.preventDefault();
    siteError.hidden = true;
    const name = site.value.trim();
    const picked = [...folder.files, ...files.files];
    if (!name || picked.length === 0) {
      say(!name ? 'Name the site first.' : 'Pick a folder or some files first.', 'error');
      return;
    }
    button.disabled = true;
    try {
      const entries = [];
      for (const [i, file] of picked.entries()) {
        step(i, picked.length * 2, `Hashing ${i + 1} of ${picked.length} files…`);
        const content = await file.arrayBuffer();
        entries.push({ path: sitePath(file), sha256: hex(await crypto.subtle.digest('SHA-256', content)), size: file.size, file });
      }
      const created = (await api(path`/api/v1/sites/${name}/deployments`, { method: 'POST',
        json: { files: entries.map(({ path: p, sha256, size }) => ({ path: p, sha256, size })) } })).body;
      const byHash = new Map(entries.map((e) => [e.sha256, e]));
      let bytes = 0;
      for (const [i, hash] of created.missing.entries()) {
        step(picked.length + i, picked.length + created.missing.length, `Uploading ${i + 1} of ${created.missing.length} files the control plane lacks…`);
        const entry = byHash.get(hash);
        if (!entry) throw new Error(`the control plane asked for ${hash}, which is none of the picked files`);
        await api(path`/api/v1/sites/blobs/${hash}`, { method: 'PUT', text: await entry.file.arrayBuffer(), contentType: 'application/octet-stream' });
        bytes += entry.size;
      }
      const uploaded = `Deployment ${created.id} of ${name}: ${entries.length} files, uploaded ${created.missing.length} (${bytes} bytes), ${byHash.size - created.missing.length} already stored.`;
      if (activate.checked) {
        await api(path`/api/v1/sites/${name}/deployments/${created.id}/activate`, { method: 'POST' });
      }
      progress.value = progress.max;
      show(status, notice(activate.checked ? `${uploaded} It is active.` : uploaded),
        el('a', { href: `#/sites/${encodeURIComponent(name)}`, id: 'deployed-site' }, `Site ${name}`));
    } catch (e) {
      if (!(e instanceof ApiError)) { say(e.message, 'error'); return; }
      const onSite = e.errors.filter((x) => x.field === 'name' || x.field === 'site');
      if (onSite.length) {
        siteError.textContent = onSite.map((x) => x.message).join('; ');
        siteError.hidden = false;
      }
      show(status, notice(e.message, 'error'), el('ul', {}, e.errors.map((x) => el('li', {}, `${x.field}: ${x.message}`))));
    } finally {
      button.disabled = false;
    }
  }

  return el('form', { className: 'entity-form', id: 'deploy-form', 'aria-labelledby': 'deploy-title', onsubmit: deploy },
    el('h2', { id: 'deploy-title' }, fixedSite ? 'Deploy a new version' : 'Deploy a site'),
    el('div', { className: 'field' }, el('label', { htmlFor: 'deploy-site' }, 'Site'), site,
      el('p', { id: 'deploy-site-hint', className: 'hint' }, 'Lower-case letters, digits and dashes, e.g. docs'), siteError),
    el('div', { className: 'field' }, el('label', { htmlFor: 'deploy-folder' }, 'A build folder'), folder),
    el('div', { className: 'field' }, el('label', { htmlFor: 'deploy-files' }, 'Or files'), files),
    el('div', {}, activate, ' ', el('label', { htmlFor: 'deploy-activate' }, 'Serve it once uploaded')),
    button, progress, status);
}

// API keys: list (revoked ones on request), create (the secret is shown once, here), revoke.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ActionButton, Badge, Empty, ErrorNotice, Time, html, toast, useData } from '../ui.js';

const PERMISSIONS = ['report', 'broadcast', 'events:read', 'config:write', 'replay', 'keys:manage', 'admin'];

function keyState(key) {
  if (key.revoked_at) return 'revoked';
  if (key.expires_at && new Date(key.expires_at).getTime() <= Date.now()) return 'expired';
  return 'active';
}

export function KeysPage() {
  const [showRevoked, setShowRevoked] = useState(false);
  const [created, setCreated] = useState(undefined);
  const { data, error, loading, reload } = useData(() => api('GET', `/v1/api-keys?include_revoked=${showRevoked}`), [showRevoked]);
  const keys = data?.api_keys ?? [];

  const create = async (e) => {
    e.preventDefault();
    const formEl = e.currentTarget;
    const form = new FormData(formEl);
    const appIds = String(form.get('app_ids'))
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const permissions = PERMISSIONS.filter((p) => form.get(`perm-${p}`) === 'on');
    const expires = String(form.get('expires_at') ?? '');
    try {
      const result = await api('POST', '/v1/api-keys', {
        ...(String(form.get('name')).trim() ? { name: String(form.get('name')).trim() } : {}),
        app_ids: appIds,
        ...(permissions.length > 0 ? { permissions } : {}),
        ...(expires ? { expires_at: new Date(expires).toISOString() } : {}),
      });
      setCreated(result);
      formEl.reset();
      await reload();
    } catch (err) {
      toast(err.message, 'bad');
    }
  };
  const revoke = async (key) => {
    await api('DELETE', `/v1/api-keys/${key.id}`);
    toast(`key ${key.id} revoked`, 'ok');
    await reload();
  };
  const copy = async (text) => {
    try {
      await navigator.clipboard.writeText(text);
      toast('copied', 'ok');
    } catch {
      toast('copy refused by the browser: select the text instead', 'bad');
    }
  };
  return html`
    <div class="page-head"><h1>API keys</h1><span class="spacer"></span>
      <label class="checks"><input type="checkbox" checked=${showRevoked} onChange=${(e) => setShowRevoked(e.currentTarget.checked)} /> Show revoked</label></div>
    <section class="panel" aria-labelledby="new-key">
      <div class="panel-head"><h2 id="new-key" style=${{ margin: 0 }}>New key</h2></div>
      <form class="filters" onSubmit=${create}>
        <label class="field">Name<input name="name" maxlength="255" autocomplete="off" /></label>
        <label class="field">App ids (* = every app)<input name="app_ids" required autocomplete="off" placeholder="shop, billing or *" /></label>
        <label class="field">Expires (optional)<input type="datetime-local" name="expires_at" /></label>
        <fieldset class="checks" style=${{ gridColumn: '1 / -1', border: 'none', padding: 0, margin: 0 }}>
          <legend class="muted" style=${{ fontSize: '11px', marginBottom: '4px' }}>Permissions (none ticked = report)</legend>
          ${PERMISSIONS.map((p) => html`<label><input type="checkbox" name=${`perm-${p}`} />${p}</label>`)}
        </fieldset>
        <div class="actions"><button class="btn primary" type="submit">Create key</button></div>
      </form>
      ${
        created
          ? html`<div class="panel-body"><div class="notice ok" role="status">
        <strong>Key ${created.api_key.id} created.</strong> Copy its secret now: it is shown this once.
        <div class="row" style=${{ marginTop: '6px' }}><code class="secret" style=${{ userSelect: 'all', overflowWrap: 'anywhere' }}>${created.secret}</code>
          <button type="button" class="btn small" onClick=${() => copy(created.secret)}>Copy</button>
          <button type="button" class="btn small" onClick=${() => setCreated(undefined)}>Done</button></div>
      </div></div>`
          : null
      }
    </section>
    <${ErrorNotice} error=${error} />
    <section class="panel">
      <div class="table-wrap"><table>
        <thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Apps</th><th scope="col">Permissions</th><th scope="col">State</th><th scope="col">Created</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col"></th></tr></thead>
        <tbody>${keys.map(
          (k) => html`<tr key=${k.id} data-key=${k.id}>
          <td class="mono">${k.id}</td>
          <td>${k.name || html`<span class="muted">–</span>`}</td>
          <td class="wrap">${k.app_ids.join(', ')}</td>
          <td class="wrap">${k.permissions.join(', ')}</td>
          <td><${Badge} status=${keyState(k)} /></td>
          <td><${Time} value=${k.created_at} /></td>
          <td><${Time} value=${k.expires_at} /></td>
          <td><${Time} value=${k.last_used_at} /></td>
          <td>${keyState(k) === 'revoked' ? null : html`<${ActionButton} kind="danger" label=${`Revoke key ${k.id}`} confirm=${`Revoke key ${k.id}? Clients using it are refused at once.`} onClick=${() => revoke(k)}>Revoke</${ActionButton}>`}</td>
        </tr>`,
        )}</tbody>
      </table></div>
      ${!loading && keys.length === 0 && error === undefined ? html`<${Empty}>No API keys.</${Empty}>` : null}
    </section>`;
}

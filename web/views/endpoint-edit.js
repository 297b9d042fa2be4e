// Create or edit an endpoint.

import { api, listAll } from '../api.js';
import { h } from '../dom.js';
import { endpointForm } from '../components/endpoint-form.js';
import { pageHeader } from '../components/page.js';
import { toast } from '../components/toast.js';

export async function render(root, params, app) {
  const editing = Boolean(params.id);
  const [endpoint, types] = await Promise.all([editing ? api(`/v1/endpoints/${params.id}`) : null, listAll('/v1/event-types', {}, { cap: 1000 }).catch(() => ({ data: [] }))]);
  root.append(
    pageHeader(editing ? 'Edit endpoint' : 'New endpoint', editing ? endpoint.url : 'Subscribe a URL to events'),
    h(
      'div',
      { class: 'card' },
      endpointForm({
        endpoint,
        eventTypes: types.data,
        isAdmin: app.isAdmin,
        defaults: app.principal.defaults ?? null,
        onCancel: () => app.navigate(editing ? `#/endpoints/${params.id}` : '#/endpoints'),
        onSubmit: async (body) => {
          const saved = editing ? await api(`/v1/endpoints/${params.id}`, { method: 'PATCH', body }) : await api('/v1/endpoints', { method: 'POST', body });
          toast(editing ? 'Endpoint saved.' : 'Endpoint created.', 'ok');
          app.navigate(`#/endpoints/${saved.id}`);
        },
      }),
    ),
  );
}

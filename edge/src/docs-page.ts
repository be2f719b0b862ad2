/** @module `/api/docs`: a self-contained page that renders the OpenAPI document (no CDN, works offline). */

export function apiDocsPage(): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Constellate API</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1d2733;background:#f6f7f9}
main{max-width:960px;margin:0 auto;padding:2rem 1rem}
h1{margin:0 0 .25rem}.route{background:#fff;border:1px solid #dde2e8;border-radius:8px;margin:.75rem 0;padding:.5rem 1rem}
summary{cursor:pointer;display:flex;gap:.75rem;align-items:baseline}
.method{font:600 12px ui-monospace,monospace;padding:.1rem .4rem;border-radius:4px;color:#fff;min-width:3.5rem;text-align:center}
.get{background:#2563a8}.post{background:#1f7a4d}.delete{background:#a8322b}.put{background:#8a5a00}
code,pre{font-family:ui-monospace,monospace;font-size:13px}pre{background:#f2f4f7;padding:.5rem;border-radius:6px;overflow:auto}
</style></head>
<body><main><h1>Constellate API</h1>
<p>Machine-readable: <a href="/api/v1/openapi.json">/api/v1/openapi.json</a>. Errors are always
<code>{"error": {"code", "message"}}</code>. Authenticate with the browser's cookie or <code>Authorization: Bearer cst_...</code>.</p>
<div id="routes">Loading…</div></main>
<script>
fetch('/api/v1/openapi.json').then(r => r.json()).then(doc => {
  const root = document.getElementById('routes'); root.textContent = ''
  const esc = s => String(s).replace(/[&<>"']/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;',"'":'&#39;'}[c]))
  for (const [path, ops] of Object.entries(doc.paths || {})) for (const [method, op] of Object.entries(ops)) {
    const d = document.createElement('details'); d.className = 'route'
    const body = op.requestBody?.content?.['application/json']?.schema
    const responses = Object.entries(op.responses || {}).map(([code, r]) => '<li><b>' + esc(code) + '</b> ' + esc(r.description || '') + '</li>').join('')
    d.innerHTML = '<summary><span class="method ' + esc(method) + '">' + esc(method.toUpperCase()) + '</span><code>' + esc(path) + '</code><span>' + esc(op.summary || '') + '</span></summary>' +
      (body ? '<h4>Request body</h4><pre>' + esc(JSON.stringify(body, null, 2)) + '</pre>' : '') + '<h4>Responses</h4><ul>' + responses + '</ul>'
    root.appendChild(d)
  }
}).catch(e => { document.getElementById('routes').textContent = 'Could not load the OpenAPI document: ' + e })
</script></body></html>`
}

/** The sandbox's phone page: each phone's conversation, live. Plain HTML and a little script, no dependencies. */
export const PHONE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Messaging Gateway sandbox · phones</title>
<style>
  :root { font-family: system-ui, sans-serif; color: #1d2733; background: #eef1f5; }
  body { margin: 0; display: grid; grid-template-columns: 280px 1fr; height: 100vh; }
  aside { background: #fff; border-right: 1px solid #d5dbe3; overflow-y: auto; }
  aside h1 { font-size: 15px; margin: 0; padding: 16px; border-bottom: 1px solid #e3e7ee; }
  aside h1 small { display: block; font-weight: normal; color: #66748a; margin-top: 4px; }
  .phone { padding: 12px 16px; border-bottom: 1px solid #f0f2f6; cursor: pointer; }
  .phone.active { background: #e8f1fe; }
  .phone b { display: block; }
  .phone span { color: #66748a; font-size: 13px; }
  main { display: flex; flex-direction: column; }
  header { padding: 16px 20px; background: #fff; border-bottom: 1px solid #d5dbe3; font-weight: 600; }
  #thread { flex: 1; overflow-y: auto; padding: 20px; display: flex; flex-direction: column; gap: 10px; }
  .msg { max-width: 60%; padding: 10px 14px; border-radius: 14px; background: #fff; box-shadow: 0 1px 2px rgba(0,0,0,.08); white-space: pre-wrap; }
  .msg.inbound { align-self: flex-end; background: #2b7de9; color: #fff; }
  .meta { font-size: 12px; color: #66748a; margin-top: 6px; }
  .inbound .meta { color: #dce9fc; }
  .status { font-weight: 600; }
  .status.delivered, .status.Delivered, .status.SUCCESS { color: #1a8f55; }
  .status.undelivered, .status.failed, .status.Failed, .status.Expired, .status.Rejected, .status.FAILURE { color: #c83232; }
  form { display: flex; gap: 8px; padding: 12px 20px; background: #fff; border-top: 1px solid #d5dbe3; }
  form input { flex: 1; padding: 10px; border: 1px solid #c5cdd8; border-radius: 8px; font: inherit; }
  form button { padding: 10px 18px; border: 0; border-radius: 8px; background: #2b7de9; color: #fff; font: inherit; cursor: pointer; }
  .empty { color: #66748a; margin: auto; }
  #compose { display: grid; gap: 6px; padding: 12px 16px; border-bottom: 1px solid #e3e7ee; background: #f8fafc; }
  #compose label { font-size: 12px; color: #66748a; }
  #compose input, #compose select { width: 100%; box-sizing: border-box; padding: 7px; border: 1px solid #c5cdd8; border-radius: 6px; font: inherit; font-size: 14px; }
  #compose button { padding: 8px; border: 0; border-radius: 6px; background: #2b7de9; color: #fff; font: inherit; cursor: pointer; }
</style>
</head>
<body>
<aside><h1>Sandbox phones<small>Phones the sandbox texted, or that texted it</small></h1>
<form id="compose"><label for="cfrom">Text a sandbox number, as the phone</label><input id="cfrom" value="+33612345678" aria-label="From phone">
<select id="cto" aria-label="To number"></select><input id="ctext" placeholder="Message, e.g. YES" autocomplete="off" aria-label="Message"><button>Send</button></form>
<div id="phones"></div></aside>
<main>
  <header id="title">No messages yet</header>
  <div id="thread"><p class="empty">Send an SMS from n8n to see it arrive here.</p></div>
  <form id="reply" hidden><input id="text" placeholder="Reply as this phone…" autocomplete="off"><button>Send</button></form>
</main>
<script>
let current = null;
const esc = (s) => String(s ?? '').replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const phoneOf = (m) => (m.direction === 'inbound' ? m.from : m.to).replace(/^whatsapp:/, '');
async function refresh() {
  const { messages } = await (await fetch('/__sandbox/messages')).json();
  const byPhone = new Map();
  for (const m of messages) { const p = phoneOf(m); if (!byPhone.has(p)) byPhone.set(p, []); byPhone.get(p).push(m); }
  const phones = [...byPhone.keys()];
  if (!current && phones.length) current = phones[phones.length - 1];
  document.getElementById('phones').innerHTML = phones.map((p) => {
    const last = byPhone.get(p).at(-1);
    return '<div class="phone' + (p === current ? ' active' : '') + '" data-phone="' + esc(p) + '"><b>' + esc(p) + '</b><span>' + esc(last.body).slice(0, 40) + '</span></div>';
  }).join('');
  for (const el of document.querySelectorAll('.phone')) el.onclick = () => { current = el.dataset.phone; refresh(); };
  if (!current) return;
  document.getElementById('title').textContent = current;
  document.getElementById('reply').hidden = false;
  document.getElementById('thread').innerHTML = (byPhone.get(current) || []).map((m) =>
    '<div class="msg ' + (m.direction === 'inbound' ? 'inbound' : '') + '">' + esc(m.body) +
    '<div class="meta">' + esc(m.provider) + ' · ' + esc(m.direction === 'inbound' ? 'to ' + m.to : 'from ' + (m.from ?? '')) +
    ' · <span class="status ' + esc(m.status) + '">' + esc(m.status) + '</span> · ' + new Date(m.createdAt).toLocaleTimeString() + '</div></div>').join('');
}
document.getElementById('reply').onsubmit = async (e) => {
  e.preventDefault();
  const text = document.getElementById('text');
  if (!text.value.trim() || !current) return;
  // To whoever this phone last talked with: the sender of the last message it got, or where it last wrote.
  const { messages } = await (await fetch('/__sandbox/messages')).json();
  const last = messages.filter((m) => phoneOf(m) === current).at(-1);
  const to = last ? (last.direction === 'inbound' ? last.to : last.from) : undefined;
  await fetch('/__sandbox/inbound', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ from: current, body: text.value, ...(to ? { to } : {}) }) });
  text.value = '';
  refresh();
};
async function numbers() {
  const { accounts } = await (await fetch('/__sandbox/config')).json();
  const list = [
    ...[...accounts.twilio.numbers, ...accounts.twilio.serviceNumbers].map((n) => ['Twilio', n]),
    ...accounts.sinch.numbers.map((n) => ['Sinch', n]),
    ...accounts.sns.numbers.map((n) => ['AWS SNS (two-way)', n]),
  ];
  document.getElementById('cto').innerHTML = list.map(([p, n]) => '<option value="' + esc(n) + '">' + esc(n) + ' · ' + esc(p) + '</option>').join('');
}
document.getElementById('compose').onsubmit = async (e) => {
  e.preventDefault();
  const from = document.getElementById('cfrom').value.trim();
  const text = document.getElementById('ctext');
  if (!from || !text.value.trim()) return;
  await fetch('/__sandbox/inbound', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ from, to: document.getElementById('cto').value, body: text.value }) });
  text.value = '';
  current = from;
  refresh();
};
numbers();
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>`;

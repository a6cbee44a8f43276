/**
 * The sandbox's phone page: each phone's conversation, live. Plain HTML and a little script, no dependencies.
 * WhatsApp messages (Twilio's and Sinch's) show in green with their template, media, read receipt and quick-reply
 * buttons; tapping one posts the tap to /__sandbox/inbound as WhatsApp would. Everything shown goes through esc().
 */
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
  .msg.wa { background: #e7fbe0; }
  .msg.wa.inbound { background: #1f9d55; color: #fff; }
  .badge { display: inline-block; font-size: 11px; font-weight: 600; padding: 1px 6px; border-radius: 8px; background: #25d366; color: #fff; margin-right: 4px; }
  .phone .badge { color: #fff; font-size: 11px; }
  .inbound .badge { background: #fff; color: #1f9d55; }
  .template { font-size: 12px; color: #3b6e2e; margin-bottom: 4px; }
  .media { display: block; max-width: 240px; max-height: 240px; border-radius: 8px; margin-bottom: 6px; }
  .inbound a { color: #fff; }
  .buttons { display: flex; flex-wrap: wrap; gap: 6px; margin-top: 8px; }
  .buttons button { padding: 6px 12px; border: 1px solid #25d366; border-radius: 14px; background: #fff; color: #128c4a; font: inherit; font-size: 14px; cursor: pointer; }
  .buttons button.tapped { background: #25d366; color: #fff; }
  .meta { font-size: 12px; color: #66748a; margin-top: 6px; }
  .inbound .meta { color: #dce9fc; }
  .status { font-weight: 600; }
  .status.delivered, .status.Delivered, .status.SUCCESS, .status.DELIVERED { color: #1a8f55; }
  .status.read, .status.READ { color: #2b7de9; }
  .status.undelivered, .status.failed, .status.Failed, .status.Expired, .status.Rejected, .status.FAILURE, .status.FAILED { color: #c83232; }
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
  <div id="thread"><p class="empty">Send an SMS or a WhatsApp message from n8n to see it arrive here.</p></div>
  <form id="reply" hidden><input id="text" placeholder="Reply as this phone…" autocomplete="off"><button>Send</button></form>
</main>
<script>
let current = null;
let byId = new Map();
const esc = (s) => String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
const phoneOf = (m) => (m.direction === 'inbound' ? m.from : m.to).replace(/^whatsapp:/, '');
const isWhatsApp = (m) => m.channel === 'whatsapp' || String(m.to).startsWith('whatsapp:');
// Only http(s) links and images: a message may carry any text as a media URL.
const webUrl = (u) => /^https?:[/][/]/i.test(String(u));
const isImage = (u) => /[.](png|jpe?g|gif|webp)([?#]|$)/i.test(String(u));
const post = (payload) => fetch('/__sandbox/inbound', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
function mediaHtml(m) {
  return (m.mediaUrls || []).filter(webUrl).map((u) => isImage(u)
    ? '<a href="' + esc(u) + '" target="_blank" rel="noopener noreferrer"><img class="media" src="' + esc(u) + '" alt="media"></a>'
    : '<a href="' + esc(u) + '" target="_blank" rel="noopener noreferrer">📎 ' + esc(u.split('/').pop() || u) + '</a><br>').join('');
}
function buttonsHtml(m, messages) {
  const buttons = (m.whatsapp && m.whatsapp.buttons) || [];
  if (m.direction === 'inbound' || !buttons.length) return '';
  const tapped = new Set(messages.filter((r) => r.whatsapp && r.whatsapp.replyTo === m.id && r.whatsapp.buttonPayload !== undefined).map((r) => r.whatsapp.buttonPayload));
  return '<div class="buttons">' + buttons.map((b, i) =>
    '<button type="button" class="qr' + (tapped.has(b.payload) ? ' tapped' : '') + '" data-id="' + esc(m.id) + '" data-index="' + i + '">' + esc(b.title) + '</button>').join('') + '</div>';
}
function messageHtml(m, messages) {
  const wa = isWhatsApp(m);
  const w = m.whatsapp || {};
  const template = w.template ? '<div class="template">Template ' + esc(w.template.name) + ' (' + esc(w.template.language) + ')</div>' : '';
  const tap = w.buttonPayload !== undefined ? ' · tapped ' + esc(w.buttonPayload) : w.replyTo ? ' · reply' : '';
  const status = m.status === 'read' ? 'read ✓✓' : m.status;
  return '<div class="msg' + (m.direction === 'inbound' ? ' inbound' : '') + (wa ? ' wa' : '') + '">' + template + mediaHtml(m) + esc(m.body) + buttonsHtml(m, messages) +
    '<div class="meta">' + (wa ? '<span class="badge">WhatsApp</span>' : '') + esc(m.provider) + ' · ' + esc(m.direction === 'inbound' ? 'to ' + m.to : 'from ' + (m.from ?? '')) + tap +
    ' · <span class="status ' + esc(m.status) + '">' + esc(status) + '</span> · ' + new Date(m.createdAt).toLocaleTimeString() + '</div></div>';
}
/** Whom a reply from this phone goes to, and on which channel: whoever it last talked with, as it last did. */
function replyTarget(messages) {
  const last = messages.filter((m) => phoneOf(m) === current).at(-1);
  if (!last) return {};
  return { to: last.direction === 'inbound' ? last.to : last.from, ...(isWhatsApp(last) ? { channel: 'whatsapp' } : {}) };
}
async function refresh() {
  const { messages } = await (await fetch('/__sandbox/messages')).json();
  byId = new Map(messages.map((m) => [m.id, m]));
  const byPhone = new Map();
  for (const m of messages) { const p = phoneOf(m); if (!byPhone.has(p)) byPhone.set(p, []); byPhone.get(p).push(m); }
  const phones = [...byPhone.keys()];
  if (!current && phones.length) current = phones[phones.length - 1];
  document.getElementById('phones').innerHTML = phones.map((p) => {
    const last = byPhone.get(p).at(-1);
    return '<div class="phone' + (p === current ? ' active' : '') + '" data-phone="' + esc(p) + '"><b>' + esc(p) + '</b><span>' + (isWhatsApp(last) ? '<span class="badge">WhatsApp</span>' : '') + esc(String(last.body ?? '').slice(0, 40)) + '</span></div>';
  }).join('');
  for (const el of document.querySelectorAll('.phone')) el.onclick = () => { current = el.dataset.phone; refresh(); };
  if (!current) return;
  const thread = byPhone.get(current) || [];
  document.getElementById('title').textContent = current;
  document.getElementById('reply').hidden = false;
  document.getElementById('text').placeholder = replyTarget(messages).channel === 'whatsapp' ? 'Reply on WhatsApp as this phone…' : 'Reply as this phone…';
  document.getElementById('thread').innerHTML = thread.map((m) => messageHtml(m, messages)).join('');
}
// A quick-reply tap: the button's title as the text, its payload, and the message it belongs to, sent to whoever sent that message.
document.getElementById('thread').onclick = async (e) => {
  const button = e.target.closest('button.qr');
  if (!button || !current) return;
  const m = byId.get(button.dataset.id);
  const b = m && m.whatsapp && m.whatsapp.buttons && m.whatsapp.buttons[Number(button.dataset.index)];
  if (!b) return;
  await post({ from: current, to: m.from, body: b.title, button: { payload: b.payload, title: b.title }, replyTo: m.id, channel: 'whatsapp' });
  refresh();
};
document.getElementById('reply').onsubmit = async (e) => {
  e.preventDefault();
  const text = document.getElementById('text');
  if (!text.value.trim() || !current) return;
  // To whoever this phone last talked with: the sender of the last message it got, or where it last wrote; on WhatsApp if that was.
  const { messages } = await (await fetch('/__sandbox/messages')).json();
  await fetch('/__sandbox/inbound', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ from: current, body: text.value, ...replyTarget(messages) }) });
  text.value = '';
  refresh();
};
async function numbers() {
  const { accounts } = await (await fetch('/__sandbox/config')).json();
  const list = [
    ...[...accounts.twilio.numbers, ...accounts.twilio.serviceNumbers].map((n) => ['Twilio', n]),
    ...(accounts.twilio.whatsappNumbers || []).map((n) => ['Twilio WhatsApp', 'whatsapp:' + n, 'whatsapp']),
    ...accounts.sinch.numbers.map((n) => ['Sinch', n]),
    ...(accounts.sinch.whatsappNumbers || []).map((n) => ['Sinch WhatsApp', n, 'whatsapp']),
    ...accounts.sns.numbers.map((n) => ['AWS SNS (two-way)', n]),
  ];
  document.getElementById('cto').innerHTML = list.map(([p, n, channel]) => '<option value="' + esc(n) + '"' + (channel ? ' data-channel="' + esc(channel) + '"' : '') + '>' + esc(n) + ' · ' + esc(p) + '</option>').join('');
}
document.getElementById('compose').onsubmit = async (e) => {
  e.preventDefault();
  const from = document.getElementById('cfrom').value.trim();
  const text = document.getElementById('ctext');
  const to = document.getElementById('cto');
  if (!from || !text.value.trim()) return;
  const channel = to.selectedOptions[0] && to.selectedOptions[0].dataset.channel;
  await post({ from, to: to.value, body: text.value, ...(channel ? { channel } : {}) });
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

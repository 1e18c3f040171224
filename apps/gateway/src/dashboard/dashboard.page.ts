// The dashboard is one self-contained page (no build step). Its script avoids template literals so it can
// live inside this TypeScript string unchanged.
export const DASHBOARD_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>dual-stream · live events</title>
<style>
  :root { --bg:#f6f7f9; --panel:#fff; --ink:#1f2328; --muted:#667085; --line:#e4e7ec; --accent:#2563eb;
          --live:#16a34a; --rec:#d97706; --deg:#dc2626; --off:#98a2b3; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif; background:var(--bg); color:var(--ink); }
  header { display:flex; align-items:center; gap:16px; padding:14px 24px; background:var(--panel); border-bottom:1px solid var(--line); }
  header h1 { font-size:17px; margin:0; font-weight:650; letter-spacing:-.01em; }
  header h1 span { color:var(--muted); font-weight:500; }
  .spacer { flex:1; }
  .badge { display:inline-flex; align-items:center; gap:7px; padding:4px 11px; border-radius:999px; font-weight:600; font-size:12.5px;
           background:#f2f4f7; color:var(--muted); text-transform:uppercase; letter-spacing:.04em; }
  .badge i { width:8px; height:8px; border-radius:50%; background:var(--off); }
  .badge.live { color:var(--live); background:#ecfdf3; } .badge.live i { background:var(--live); }
  .badge.recovering { color:var(--rec); background:#fffaeb; } .badge.recovering i { background:var(--rec); }
  .badge.degraded { color:var(--deg); background:#fef3f2; } .badge.degraded i { background:var(--deg); }
  .stat { text-align:right; } .stat b { display:block; font-size:18px; font-variant-numeric:tabular-nums; } .stat small { color:var(--muted); }
  main { display:grid; grid-template-columns:320px 1fr; gap:20px; padding:20px 24px; }
  .panel { background:var(--panel); border:1px solid var(--line); border-radius:10px; padding:16px; }
  .panel h2 { font-size:12px; text-transform:uppercase; letter-spacing:.06em; color:var(--muted); margin:0 0 10px; }
  label { display:block; font-size:12px; color:var(--muted); margin:10px 0 4px; }
  input { width:100%; padding:8px 10px; border:1px solid var(--line); border-radius:7px; font:inherit; background:#fff; }
  input:focus { outline:2px solid #bfd3fe; border-color:var(--accent); }
  button { font:inherit; padding:8px 12px; border-radius:7px; border:1px solid var(--accent); background:var(--accent); color:#fff; cursor:pointer; font-weight:600; }
  button.ghost { background:#fff; color:var(--ink); border-color:var(--line); font-weight:500; }
  .row { display:flex; gap:8px; margin-top:10px; } .row input { flex:1; }
  .hint { color:var(--muted); font-size:12px; margin-top:6px; }
  ul.subs { list-style:none; padding:0; margin:12px 0 0; }
  ul.subs li { display:flex; align-items:center; gap:8px; padding:8px 0; border-top:1px solid var(--line); font-size:13px; }
  ul.subs li code { flex:1; overflow:hidden; text-overflow:ellipsis; white-space:nowrap; }
  ul.subs li small { color:var(--muted); font-variant-numeric:tabular-nums; }
  ul.subs li button { padding:2px 8px; font-size:12px; }
  .error { color:var(--deg); font-size:12.5px; margin-top:8px; min-height:1em; }
  table { width:100%; border-collapse:collapse; font-size:13px; }
  th { text-align:left; font-size:11.5px; text-transform:uppercase; letter-spacing:.05em; color:var(--muted); font-weight:600; padding:0 10px 8px; border-bottom:1px solid var(--line); }
  td { padding:7px 10px; border-bottom:1px solid #f0f2f5; white-space:nowrap; font-variant-numeric:tabular-nums; }
  td.type { font-weight:600; } td.muted { color:var(--muted); }
  tr.fresh td { animation: flash 1.2s ease-out; }
  @keyframes flash { from { background:#eef4ff; } to { background:transparent; } }
  .empty { color:var(--muted); text-align:center; padding:40px 0; }
  code { font-family: ui-monospace,SFMono-Regular,Menlo,monospace; font-size:12.5px; }
</style>
</head>
<body>
<header>
  <h1>dual-stream <span>· live events</span></h1>
  <span id="state" class="badge"><i></i><span>offline</span></span>
  <div class="spacer"></div>
  <div class="stat"><b id="rate">0.0</b><small>events/s</small></div>
  <div class="stat"><b id="total">0</b><small>received</small></div>
</header>
<main>
  <section>
    <div class="panel">
      <h2>Connection</h2>
      <label for="token">Token</label>
      <input id="token" placeholder="JWT (filled from /dev/token when enabled)" autocomplete="off">
      <div class="row"><button id="connect">Connect</button><button id="reconnect" class="ghost" title="Drop the connection and resume from the last position">Reconnect</button></div>
      <div id="connError" class="error"></div>
    </div>
    <div class="panel" style="margin-top:16px">
      <h2>Subscriptions</h2>
      <form id="subForm" class="row"><input id="target" placeholder="order:o-1  or  events:order:*" autocomplete="off"><button>Add</button></form>
      <div class="hint">A source <code>type:id</code> resumes gap-free from Kafka; a pattern <code>events:…*</code> is live only.</div>
      <div id="subError" class="error"></div>
      <ul id="subs" class="subs"></ul>
    </div>
  </section>
  <section class="panel">
    <h2>Events</h2>
    <table><thead><tr><th>Time</th><th>Channel</th><th>Type</th><th>Id</th><th>Position</th></tr></thead>
    <tbody id="events"><tr><td colspan="5" class="empty">No events yet: subscribe to a source or a pattern.</td></tr></tbody></table>
  </section>
</main>
<script src="/socket.io/socket.io.min.js"></script>
<script>
(function () {
  var MAX_ROWS = 200;
  var socket = null, serverState = 'live', pending = 0, total = 0, arrivals = [];
  var subs = {}; // key -> { channel | pattern, last: position, count }
  var $ = function (id) { return document.getElementById(id); };

  function setBadge(state) {
    var el = $('state'); el.className = 'badge ' + state; el.lastElementChild.textContent = state;
    document.body.dataset.state = state;
  }
  function refreshState() {
    if (!socket || !socket.connected) return setBadge('offline');
    if (serverState === 'degraded') return setBadge('degraded');
    setBadge(pending > 0 || serverState === 'recovering' ? 'recovering' : 'live');
  }
  function toTarget(text) {
    text = text.trim();
    if (text.indexOf('*') >= 0) return { pattern: text.indexOf('events:') === 0 ? text : 'events:' + text };
    return { channel: text.indexOf('events:') === 0 ? text : 'events:' + text };
  }
  function keyOf(t) { return t.pattern ? 'p:' + t.pattern : 'c:' + t.channel; }

  function renderSubs() {
    var ul = $('subs'); ul.textContent = '';
    Object.keys(subs).forEach(function (key) {
      var s = subs[key], li = document.createElement('li'), code = document.createElement('code'), small = document.createElement('small'), btn = document.createElement('button');
      code.textContent = s.pattern || s.channel;
      small.textContent = s.count + (s.last ? ' · @' + s.last.partition + ':' + s.last.offset : '');
      btn.className = 'ghost'; btn.textContent = '×'; btn.title = 'Unsubscribe';
      btn.onclick = function () { if (socket) socket.emit('unsubscribe', s.pattern ? { pattern: s.pattern } : { channel: s.channel }); delete subs[key]; renderSubs(); };
      li.appendChild(code); li.appendChild(small); li.appendChild(btn); ul.appendChild(li);
    });
  }
  function addRow(msg) {
    var tbody = $('events');
    if (total === 1) tbody.textContent = '';
    var e = msg.event, tr = document.createElement('tr'); tr.className = 'fresh';
    var cells = [new Date(e.time).toLocaleTimeString(), msg.channel.replace(/^events:/, ''), e.type, e.id, e.partition + ':' + e.offset];
    cells.forEach(function (text, i) {
      var td = document.createElement('td'); td.textContent = text;
      if (i === 2) td.className = 'type'; if (i === 0 || i === 4) td.className = 'muted';
      tr.appendChild(td);
    });
    tbody.insertBefore(tr, tbody.firstChild);
    while (tbody.children.length > MAX_ROWS) tbody.removeChild(tbody.lastChild);
  }
  function subscribe(target) {
    var key = keyOf(target), known = subs[key], request = {};
    if (target.pattern) request.pattern = target.pattern; else request.channel = target.channel;
    if (known && known.last && !target.pattern) request.from = known.last;
    pending++; refreshState();
    socket.emit('subscribe', request, function (ack) {
      pending--; 
      if (!ack || !ack.ok) { $('subError').textContent = (ack && ack.error) || 'subscribe failed'; if (!known) delete subs[key]; }
      else { $('subError').textContent = ''; if (!subs[key]) subs[key] = { channel: target.channel, pattern: target.pattern, last: null, count: 0 }; }
      renderSubs(); refreshState();
    });
    if (!subs[key]) subs[key] = { channel: target.channel, pattern: target.pattern, last: null, count: 0 };
  }
  function connect() {
    if (socket) { socket.removeAllListeners(); socket.disconnect(); }
    $('connError').textContent = '';
    socket = io('/events', { auth: { token: $('token').value.trim() }, transports: ['websocket'] });
    socket.on('connect', function () {
      serverState = 'live'; refreshState();
      // Resume every subscription from the last position we hold: the gateway replays the gap from Kafka.
      Object.keys(subs).forEach(function (key) { var s = subs[key]; subscribe(s.pattern ? { pattern: s.pattern } : { channel: s.channel }); });
    });
    socket.on('disconnect', refreshState);
    socket.on('connect_error', function (err) { $('connError').textContent = err.message; refreshState(); });
    socket.on('status', function (s) { serverState = s.state; refreshState(); });
    socket.on('server_disconnect', function (m) { $('connError').textContent = 'disconnected by the server: ' + m.reason; });
    socket.on('event', function (msg) {
      var s = subs[msg.pattern ? 'p:' + msg.pattern : 'c:' + msg.channel];
      if (s) { s.count++; if (!msg.pattern) s.last = { topic: msg.event.topic, partition: msg.event.partition, offset: msg.event.offset }; }
      total++; arrivals.push(Date.now()); $('total').textContent = total; addRow(msg); renderSubs();
    });
  }
  setInterval(function () {
    var cutoff = Date.now() - 5000; while (arrivals.length && arrivals[0] < cutoff) arrivals.shift();
    $('rate').textContent = (arrivals.length / 5).toFixed(1);
  }, 500);

  $('connect').onclick = connect;
  $('reconnect').onclick = function () { if (socket) { socket.disconnect(); setTimeout(function () { socket.connect(); }, 300); } };
  $('subForm').onsubmit = function (ev) {
    ev.preventDefault();
    var text = $('target').value; if (!text.trim()) return;
    if (!socket) connect();
    subscribe(toTarget(text)); $('target').value = '';
  };
  refreshState();
  var fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) { $('token').value = fromHash; connect(); }
  else fetch('/dev/token').then(function (r) { return r.ok ? r.json() : null; }).then(function (body) {
    if (body && body.token) { $('token').value = body.token; connect(); }
  }).catch(function () {});
})();
</script>
</body>
</html>
`;

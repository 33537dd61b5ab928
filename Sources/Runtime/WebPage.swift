/// The coordinator's page at `/`: one self-contained HTML document.
///
/// Why self-contained: clusters run offline, and people reach the page
/// through `kubectl port-forward`; every style, script and drawing is inline
/// (SVG built by the script), nothing is fetched from elsewhere. The current
/// snapshot is inlined too, so the first paint needs no request and a
/// headless browser's `--dump-dom` shows the cluster as served. The script
/// then polls `/api/snapshot` once a second (see `CoordinatorWeb` for why
/// polling) and keeps the offset plot's history itself.
///
/// Everything the page shows carries `data-` attributes (`data-ordinal`,
/// `data-aspect`, `data-state`, `data-status`, `data-code`), so tests read
/// the rendered DOM rather than its styling.
public enum WebPage {
    /// The page with `snapshot` (`WebSnapshot`) and `history`
    /// (`OffsetHistory.json`) inlined.
    public static func html(snapshot: String, history: String) -> String {
        var page = ""
        page.reserveCapacity(before.utf8.count + snapshot.utf8.count + history.utf8.count + after.utf8.count + 64)
        page += before
        page += "{\"snapshot\":"
        appendForScript(snapshot, to: &page)
        page += ",\"history\":"
        appendForScript(history, to: &page)
        page += "}"
        page += after
        return page
    }

    private static let parts = template.split(separator: "__FIRST__", maxSplits: 1, omittingEmptySubsequences: false)
    private static let before = String(parts[0])
    private static let after = String(parts[1])

    /// Inside <script>, "</" could close the element: JSON allows "<\/".
    static func appendForScript(_ json: String, to page: inout String) {
        let bytes = Array(json.utf8)
        var start = 0
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == UInt8(ascii: "<") && bytes[i + 1] == UInt8(ascii: "/") {
                page += String(decoding: bytes[start...i], as: UTF8.self)
                page += "\\"
                start = i + 1
            }
            i += 1
        }
        page += String(decoding: bytes[start...], as: UTF8.self)
    }

    static let template = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>junction</title>
<style>
:root { --bg:#11151a; --panel:#1a2028; --text:#dde3ea; --dim:#8a96a3; --line:#2c3440;
        --red:#ff3b30; --amber:#ffb000; --green:#2fd158; --off:#2a2f36; --bad:#ff5ac8; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--text); font:14px/1.4 system-ui, -apple-system, "DejaVu Sans", sans-serif; }
body.stale main { opacity:.55; }
header { display:flex; align-items:baseline; gap:1.5em; padding:.8em 1.2em; border-bottom:1px solid var(--line); flex-wrap:wrap; }
header h1 { font-size:1.3em; margin:0; letter-spacing:.04em; }
header .facts span { margin-right:1.2em; color:var(--dim); }
header .facts b { color:var(--text); font-weight:600; }
main { display:grid; grid-template-columns: minmax(360px, 1fr) minmax(360px, 1fr); gap:1em; padding:1em 1.2em; }
section { background:var(--panel); border:1px solid var(--line); border-radius:8px; padding:.8em 1em; min-width:0; }
section.wide { grid-column: 1 / -1; }
h2 { font-size:.85em; text-transform:uppercase; letter-spacing:.08em; color:var(--dim); margin:0 0 .6em; font-weight:600; }
table { border-collapse:collapse; width:100%; font-variant-numeric: tabular-nums; }
th, td { text-align:left; padding:.25em .6em .25em 0; border-bottom:1px solid var(--line); white-space:nowrap; }
th { color:var(--dim); font-weight:500; font-size:.85em; }
td.num { text-align:right; }
.pill { display:inline-block; padding:0 .5em; border-radius:1em; font-size:.85em; background:var(--off); }
.state-locked { background:#1f4d2c; } .state-holdover { background:#5a4a12; } .state-flash { background:#6b1f1f; }
.state-locking { background:#233c5c; } .state-unsynced { background:#3a3f46; }
.status-silent, .status-frozen { color:var(--bad); font-weight:600; }
.swatch { display:inline-block; width:.8em; height:.8em; border-radius:50%; margin-right:.35em; vertical-align:-1px; background:var(--off); }
ol#events, ol.events { list-style:none; padding:0; margin:0; max-height:26em; overflow:auto; font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size:12px; }
ol.events li, ol#events li { padding:.15em 0; border-bottom:1px solid var(--line); white-space:nowrap; overflow:hidden; text-overflow:ellipsis; }
ol.events time, ol#events time { color:var(--dim); margin-right:.6em; }
ol.events code, ol#events code { display:inline-block; min-width:11em; }
.c-green { color:var(--green); } .c-amber { color:var(--amber); } .c-red { color:var(--red); } .c-coord { color:#6cb6ff; } .c-warn { color:var(--bad); }
svg text { fill:var(--text); font-size:11px; font-family: system-ui, "DejaVu Sans", sans-serif; }
svg text.dim { fill:var(--dim); }
.lamp { fill:var(--off); }
.lamp.on.red { fill:var(--red); } .lamp.on.amber { fill:var(--amber); } .lamp.on.green { fill:var(--green); }
.lamp.on { filter: drop-shadow(0 0 4px currentColor); }
.lamp.flash { animation: blink 1s steps(1, end) infinite; }
@keyframes blink { 50% { fill:var(--off); } }
.housing { fill:#0b0d10; stroke:#3c4654; stroke-width:1.5; }
.head.silent .housing, .head.frozen .housing { stroke:var(--bad); stroke-dasharray:4 3; stroke-width:2; }
.head.silent .lamp { opacity:.35; }
.mark { fill:var(--bad); font-weight:700; font-size:10px; }
footer { padding:.4em 1.2em 1em; color:var(--dim); font-size:.85em; }
@media (max-width: 900px) { main { grid-template-columns: 1fr; } }
</style>
</head>
<body>
<header>
  <h1>junction</h1>
  <div class="facts" id="summary"></div>
</header>
<main>
  <section class="wide" id="junctions-section"><h2>Junctions: every head, live</h2><div id="junctions"></div></section>
  <section id="coordinator-section"><h2>Coordinator</h2><div id="coordinator"></div></section>
  <section id="plot-section"><h2>Agents' offsets and error bounds, last 5 minutes</h2><div id="plot"></div></section>
  <section class="wide" id="agents-section"><h2>Agents</h2>
    <table id="agents"><thead><tr><th>#</th><th>board</th><th>head</th><th>aspect</th><th>state</th><th>offset (s)</th>
      <th>error bound</th><th>plan</th><th>following</th><th>last report</th><th>address</th></tr></thead><tbody></tbody></table></section>
  <section class="wide" id="timing-section"><h2>Plan: one cycle, cursor at now</h2><div id="timing"></div></section>
  <section class="wide" id="events-section"><h2>Recent events</h2><ol id="events"></ol></section>
</main>
<footer id="footer"></footer>
<script id="first" type="application/json">__FIRST__</script>
<script>
"use strict";
const first = JSON.parse(document.getElementById("first").textContent);
const viewer = Math.random().toString(36).slice(2, 14);
const WINDOW_NS = 300e9;
let snap = first.snapshot, receivedAt = performance.now(), history = new Map();
const esc = s => String(s ?? "").replace(/[&<>"']/g, c => ({"&":"&amp;","<":"&lt;",">":"&gt;","\"":"&quot;","'":"&#39;"}[c]));
const colourOf = a => a == null ? "" : a.includes("green") ? "green" : a === "red-amber" ? "amber" : a.includes("amber") ? "amber" : a.includes("red") ? "red" : "";
const hue = o => (o * 137.508) % 360;
const fmtMicros = ns => ns == null ? "–" : ns < 1e6 ? (ns / 1e3).toFixed(0) + " µs" : (ns / 1e6).toFixed(2) + " ms";
const fmtSeconds = ns => ns == null ? "–" : (ns / 1e9).toFixed(6);
const clockOf = ns => ns == null ? "–" : new Date(ns / 1e6).toISOString().slice(11, 23);
const mod = (a, b) => ((a % b) + b) % b;

function seedHistory(h) {
  for (const [t, points] of (h && h.samples) || []) for (const [o, off, bound] of points) addPoint(o, t, off, bound);
}
function addPoint(o, t, off, bound) {
  let line = history.get(o);
  if (!line) { line = []; history.set(o, line); }
  if (line.length && t - line[line.length - 1][0] < 1e9) return;
  line.push([t, off, bound]);
  while (line.length && line[0][0] < t - WINDOW_NS) line.shift();
}

function lampsOf(aspect) {
  switch (aspect) {
    case "red": case "flashing-red": return {red: true};
    case "red-amber": return {red: true, amber: true};
    case "amber": case "flashing-amber": return {amber: true};
    case "green": return {green: true};
    default: return {};
  }
}

function headSVG(a, x) {
  const lit = lampsOf(a.aspect), flashing = (a.aspect || "").startsWith("flashing");
  const cls = ["head", a.status === "silent" ? "silent" : "", a.status === "frozen" ? "frozen" : ""].join(" ").trim();
  let s = `<g class="${cls}" transform="translate(${x},26)" data-ordinal="${a.ordinal}" data-head="${esc(a.junction)}/${esc(a.group)}"` +
          ` data-aspect="${esc(a.aspect ?? "none")}" data-state="${esc(a.state ?? "none")}" data-status="${esc(a.status)}">`;
  s += `<title>agent ${a.ordinal} ${esc(a.board)}: ${esc(a.aspect)} (${esc(a.state)}, ${esc(a.status)})</title>`;
  s += `<rect class="housing" x="24" y="0" width="40" height="104" rx="9"/>`;
  ["red", "amber", "green"].forEach((c, i) => {
    s += `<circle class="lamp ${c}${lit[c] ? " on" : ""}${lit[c] && flashing ? " flash" : ""}" cx="44" cy="${18 + i * 34}" r="13"/>`;
  });
  s += `<text x="44" y="122" text-anchor="middle">${esc(a.group ?? "–")}</text>`;
  s += `<text x="44" y="136" text-anchor="middle" class="dim">#${a.ordinal} ${esc(a.state ?? "")}</text>`;
  if (a.status === "silent" || a.status === "frozen") s += `<text class="mark" x="44" y="150" text-anchor="middle">${a.status.toUpperCase()}</text>`;
  return s + "</g>";
}

function renderJunctions() {
  const byJunction = new Map();
  for (const a of snap.agents) {
    const j = a.junction ?? "(no head)";
    if (!byJunction.has(j)) byJunction.set(j, []);
    byJunction.get(j).push(a);
  }
  const flashing = new Set(snap.coordinator.flashing);
  let html = "";
  for (const [name, heads] of byJunction) {
    const width = Math.max(200, heads.length * 92 + 8);
    html += `<svg class="junction" data-junction="${esc(name)}" width="${width}" height="184" viewBox="0 0 ${width} 184" role="img" aria-label="junction ${esc(name)}">`;
    html += `<rect x="1" y="1" width="${width - 2}" height="182" rx="8" fill="none" stroke="#2c3440"/>`;
    html += `<text x="10" y="16" style="font-weight:600">${esc(name)}</text>`;
    if (flashing.has(name)) html += `<text x="${width - 10}" y="16" text-anchor="end" class="mark">COMMANDED TO FLASH</text>`;
    heads.forEach((a, i) => { html += headSVG(a, 4 + i * 92); });
    html += "</svg> ";
  }
  document.getElementById("junctions").innerHTML = html || "<p>No agents heard yet.</p>";
}

function renderSummary() {
  const c = snap.coordinator, p = snap.plan;
  const states = {};
  for (const a of snap.agents) states[a.state ?? "unheard"] = (states[a.state ?? "unheard"] || 0) + 1;
  document.getElementById("summary").innerHTML =
    `<span>plan <b>${esc(p ? p.name : "none")}</b></span><span>coordinator <b data-phase="${esc(c.phase)}">${esc(c.phase)}</b>, term <b>${c.term}</b></span>` +
    `<span>agents <b>${snap.agents.length}</b> (${Object.entries(states).map(([k, v]) => `${v} ${esc(k)}`).join(", ")})</span>` +
    `<span>timebase <b>${clockOf(nowNanos())}</b> UTC</span>`;
}

function renderCoordinator() {
  const c = snap.coordinator;
  let html = `<table id="coordinator-facts" data-id="${esc(c.id)}" data-phase="${esc(c.phase)}" data-term="${c.term}">`;
  const row = (k, v) => { html += `<tr><th>${k}</th><td>${v}</td></tr>`; };
  row("id", esc(c.id));
  row("phase", `<span class="pill">${esc(c.phase)}</span>${c.leading ? " (leading)" : ""}`);
  row("term", c.term);
  row("followers", `${c.followers} of ${c.agentsKnown} agents`);
  row("timebase − own clock", fmtSeconds(c.offsetNanos) + " s");
  row("flashing junctions", c.flashing.length ? esc(c.flashing.join(", ")) : "none");
  let others = c.others.map(o => `<span data-other="${esc(o.id)}">${esc(o.id)} (term ${o.term}, ${o.agents} agent${o.agents === 1 ? "" : "s"})</span>`).join(", ");
  row("other coordinators heard", others || "none");
  if (snap.plan && snap.plan.pending) row("pending plan", `${esc(snap.plan.pending.name)} from ${clockOf(snap.plan.pending.activationNanos)}`);
  row("viewers", `${snap.viewers} of at most ${snap.maximumViewers}`);
  html += "</table><h2 style=\"margin-top:1em\">This coordinator's own events</h2><ol id=\"coordinator-events\" class=\"events\">" +
    (snap.coordinatorEvents || []).slice().reverse().map(eventItem).join("") + "</ol>";
  document.getElementById("coordinator").innerHTML = html;
}

function renderAgents() {
  let html = "";
  for (const a of snap.agents) {
    const colour = colourOf(a.aspect);
    html += `<tr data-ordinal="${a.ordinal}" data-aspect="${esc(a.aspect ?? "none")}" data-state="${esc(a.state ?? "none")}" data-status="${esc(a.status)}">` +
      `<td>${a.ordinal}</td><td>${esc(a.board || "–")}</td><td>${a.junction ? esc(a.junction + "/" + a.group) : "–"}</td>` +
      `<td><span class="swatch" style="background:var(--${colour || "off"})"></span>${esc(a.aspect ?? "–")}</td>` +
      `<td><span class="pill state-${esc(a.state)}">${esc(a.state ?? "unheard")}</span>` +
      `${a.status === "silent" || a.status === "frozen" ? ` <span class="status-${a.status}">${a.status}</span>` : ""}</td>` +
      `<td class="num">${fmtSeconds(a.offsetNanos)}</td><td class="num">${fmtMicros(a.errorBoundNanos)}</td>` +
      `<td>${esc(a.plan ?? "–")}</td><td>${a.source && a.source !== "0" ? esc(a.source) + " t" + a.term : "–"}</td>` +
      `<td class="num">${a.ageMillis} ms</td><td>${esc(a.address)}</td></tr>`;
  }
  document.querySelector("#agents tbody").innerHTML = html;
}

function renderPlot() {
  const W = 640, H = 150, L = 56, now = snap.now;
  const lines = [...history.entries()].sort((a, b) => a[0] - b[0]).slice(0, 64);
  const panel = (title, y0, value, unit) => {
    let lo = Infinity, hi = -Infinity;
    for (const [, pts] of lines) for (const p of pts) { const v = value(p, pts); if (v != null) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }
    if (!isFinite(lo)) { lo = 0; hi = 1; }
    if (hi - lo < 1e-9) { hi += 1; lo -= 1; }
    const X = t => L + (W - L - 8) * (1 - (now - t) / WINDOW_NS), Y = v => y0 + H - 14 - (H - 28) * (v - lo) / (hi - lo);
    let s = `<text x="${L}" y="${y0 + 10}" class="dim">${title}</text>`;
    s += `<line x1="${L}" y1="${y0 + H - 14}" x2="${W - 8}" y2="${y0 + H - 14}" stroke="#2c3440"/>`;
    s += `<text x="${L - 4}" y="${Y(hi) + 4}" text-anchor="end" class="dim">${hi.toFixed(hi - lo < 10 ? 1 : 0)}</text>`;
    s += `<text x="${L - 4}" y="${Y(lo) + 4}" text-anchor="end" class="dim">${lo.toFixed(hi - lo < 10 ? 1 : 0)}</text>`;
    s += `<text x="${L}" y="${y0 + H}" class="dim">−5 min</text><text x="${W - 8}" y="${y0 + H}" text-anchor="end" class="dim">now (${unit})</text>`;
    for (const [o, pts] of lines) {
      const d = pts.map(p => [p, value(p, pts)]).filter(([, v]) => v != null).map(([p, v]) => `${X(p[0]).toFixed(1)},${Y(v).toFixed(1)}`).join(" ");
      if (d) s += `<polyline data-ordinal="${o}" fill="none" stroke="hsl(${hue(o)},70%,60%)" stroke-width="1.4" points="${d}"/>`;
    }
    return s;
  };
  let svg = `<svg id="offset-plot" width="100%" viewBox="0 0 ${W} ${2 * H + 10}" data-agents="${lines.length}">`;
  svg += panel("offset change since the window's start (ms)", 0, (p, pts) => (p[1] - pts[0][1]) / 1e6, "ms");
  svg += panel("error bound (µs)", H + 10, p => p[2] == null ? null : p[2] / 1e3, "µs");
  document.getElementById("plot").innerHTML = svg + "</svg>";
}

function renderTiming() {
  const p = snap.plan;
  if (!p) { document.getElementById("timing").innerHTML = "<p>No plan.</p>"; return; }
  const rows = [];
  const junctions = p.junctions.slice(0, 8);
  p.groups.forEach((g, gi) => junctions.forEach(j => rows.push({label: (junctions.length > 1 ? j.name + " " : "") + g, gi, offset: j.offsetNanos})));
  const L = 150, W = 900, RH = 22, cycle = p.cycleNanos, X = pos => L + (W - L - 10) * pos / cycle;
  let s = `<svg id="timing-diagram" width="100%" viewBox="0 0 ${W} ${rows.length * RH + 30}" data-cycle="${cycle}">`;
  rows.forEach((r, i) => {
    const segs = p.timelines[r.gi], y = 6 + i * RH;
    s += `<text x="${L - 8}" y="${y + 14}" text-anchor="end">${esc(r.label)}</text>`;
    // Segments are positions in the junction's own cycle; shift by its offset.
    for (let k = 0; k < segs.length; k++) {
      const start = segs[k][0], end = k + 1 < segs.length ? segs[k + 1][0] : cycle, colour = colourOf(segs[k][1]) || "off";
      const a = mod(start + r.offset, cycle), len = end - start, first = Math.min(len, cycle - a);
      // Red-amber: amber with a red upper half.
      const rect = (from, to) => `<rect x="${X(from).toFixed(1)}" y="${y}" width="${(X(to) - X(from)).toFixed(1)}" height="${RH - 6}" fill="var(--${colour})" data-aspect="${esc(segs[k][1])}"/>` +
        (segs[k][1] === "red-amber" ? `<rect x="${X(from).toFixed(1)}" y="${y}" width="${(X(to) - X(from)).toFixed(1)}" height="${(RH - 6) / 2}" fill="var(--red)"/>` : "");
      s += rect(a, a + first);
      if (first < len) s += rect(0, len - first);
    }
  });
  const secs = cycle / 1e9;
  for (let t = 0; t <= secs; t += secs > 120 ? 30 : 10) s += `<text x="${X(t * 1e9)}" y="${rows.length * RH + 22}" text-anchor="middle" class="dim">${t}s</text>`;
  s += `<line id="cursor" x1="0" x2="0" y1="0" y2="${rows.length * RH + 8}" stroke="#fff" stroke-width="2"/>`;
  document.getElementById("timing").innerHTML = s + "</svg>";
  moveCursor();
}

function nowNanos() { return snap.now + (performance.now() - receivedAt) * 1e6; }

function moveCursor() {
  const p = snap.plan, cursor = document.getElementById("cursor");
  if (!p || !cursor) return;
  const L = 150, W = 900, pos = mod(nowNanos() - p.anchorNanos, p.cycleNanos);
  const x = L + (W - L - 10) * pos / p.cycleNanos;
  cursor.setAttribute("x1", x.toFixed(1));
  cursor.setAttribute("x2", x.toFixed(1));
  cursor.setAttribute("data-position-nanos", Math.round(pos));
}

const eventClass = e => e.code === 1 ? "c-green" : e.code === 8 || e.code === 200 ? "c-amber" : e.code === 10 ? "c-red"
  : e.code >= 212 && e.code <= 218 && e.code !== 215 && e.code !== 216 ? "c-coord" : e.code === 173 || e.code === 215 || e.code === 250 ? "c-warn" : "";
const eventItem = e =>
  `<li data-seq="${e.seq}" data-code="${e.code}" data-agent="${e.agent ?? ""}" data-param="${e.param}"><time>${clockOf(e.time)}</time>` +
  `<code class="${eventClass(e)}">${e.code} ${esc(e.name)}</code> ${e.head !== "-" ? esc(e.head) + " " : ""}${e.agent != null ? "#" + e.agent + " " : ""}` +
  `<span class="dim">${esc(e.note)}</span></li>`;

function renderEvents() {
  document.getElementById("events").innerHTML = snap.events.slice().reverse().map(eventItem).join("");
}

function render() {
  for (const a of snap.agents) if (a.state === "locked" || a.state === "holdover") addPoint(a.ordinal, snap.now, a.offsetNanos, a.errorBoundNanos);
  renderSummary(); renderJunctions(); renderCoordinator(); renderAgents(); renderPlot(); renderTiming(); renderEvents();
  document.body.dataset.snapshotNanos = String(snap.now);
}

async function poll() {
  let delay = 1000;
  try {
    const r = await fetch("/api/snapshot?viewer=" + viewer, {cache: "no-store"});
    if (r.status === 503) { delay = 10000; footer(await r.text()); }
    else if (!r.ok) { delay = 2000; footer("coordinator answered " + r.status); }
    else { snap = await r.json(); receivedAt = performance.now(); document.body.classList.remove("stale"); render(); footer(""); }
  } catch (e) { delay = 2000; document.body.classList.add("stale"); footer("coordinator unreachable; retrying"); }
  setTimeout(poll, delay);
}
function footer(text) {
  document.getElementById("footer").textContent = (text ? text + " · " : "") +
    "updated once a second from /api/snapshot · events: /events · status: /status · metrics: /metrics";
}

seedHistory(first.history);
render();
footer("");
setInterval(moveCursor, 200);
setTimeout(poll, 1000);
</script>
</body>
</html>
"""#
}

// crtnet serve page: plain JavaScript, no build step, no network beyond this server.
// User-supplied text (file names, error lines) is only ever set with textContent.
"use strict";

const $ = (id) => document.getElementById(id);
const CLASS_NAMES = {
  NORM: "normal ECG", MI: "myocardial infarction", STTC: "ST/T change",
  CD: "conduction disturbance", HYP: "hypertrophy",
  N: "normal / bundle branch", S: "supraventricular ectopic", V: "ventricular ectopic",
  F: "fusion", Q: "unclassifiable",
};
const ROWS_3X4 = [["I", "aVR", "V1", "V4"], ["II", "aVL", "V2", "V5"], ["III", "aVF", "V3", "V6"]];
const ALIASES = { II: ["II", "MLII"], I: ["I", "MLI"] };
// Facts about how a page was read, expected on a 3x4 printout: shown, but not a warning.
const INFO_FLAGS = [/^leads shown only in part/, /^limb leads derived/, / used as /];
const isInfo = (f) => INFO_FLAGS.some((re) => re.test(f));
const state = { token: sessionStorage.getItem("crtnet-token") || "", current: null, signal: null,
  layout: "3x4+II", calipers: [], geom: null, zoom: 1, overlayUrl: null };

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

// ---------------------------------------------------------------- API with the token
async function askToken() {
  const dlg = $("token-dialog");
  $("token-input").value = "";
  dlg.showModal();
  await new Promise((resolve) => dlg.addEventListener("close", resolve, { once: true }));
  state.token = $("token-input").value.trim();
  sessionStorage.setItem("crtnet-token", state.token);
}

function authHeaders() {
  return state.token ? { Authorization: "Bearer " + state.token } : {};
}

async function api(path, opts = {}) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const r = await fetch(path, { ...opts, headers: { ...authHeaders(), ...(opts.headers || {}) } });
    if (r.status === 401) { await askToken(); continue; }
    return r;
  }
  throw new Error("not authorised");
}

// ---------------------------------------------------------------- upload
function upload(files) {
  const fd = new FormData();
  for (const f of files) fd.append("file", f, f.name);
  $("upload-error").classList.add("hidden");
  $("progress").classList.remove("hidden");
  const bar = $("progress-bar"), label = $("progress-label");
  bar.parentElement.classList.remove("busy");
  bar.style.width = "0%";
  label.textContent = "Uploading…";
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/analyses");
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
    let timer = null;
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) bar.style.width = (100 * e.loaded / e.total).toFixed(0) + "%";
    };
    xhr.upload.onload = () => {
      const t0 = Date.now();
      bar.parentElement.classList.add("busy");
      const tick = () => {
        label.textContent = `Analysing: reading the page, classifying… ${((Date.now() - t0) / 1000).toFixed(0)} s`;
      };
      tick();
      timer = setInterval(tick, 500);
    };
    xhr.onload = async () => {
      clearInterval(timer);
      $("progress").classList.add("hidden");
      if (xhr.status === 401) { await askToken(); resolve(upload(files)); return; }
      let body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = { detail: xhr.responseText }; }
      if (xhr.status === 200 && body.batch && body.analyses) {
        await loadHistory();
        const first = body.analyses.find((a) => a.status === "ok") || body.analyses[0];
        if (first) show(first);
        const bad = body.analyses.filter((a) => a.status !== "ok").length;
        if (bad) showError(`${bad} of ${body.analyses.length} files in the zip could not be read (see History).`);
      } else if (xhr.status === 200) {
        await loadHistory();
        show(body);
      } else {
        showError(`${xhr.status}: ${body.detail || "the upload failed"}`);
        loadHistory();
      }
      resolve();
    };
    xhr.onerror = () => {
      clearInterval(timer);
      $("progress").classList.add("hidden");
      showError("The server could not be reached.");
      resolve();
    };
    xhr.send(fd);
  });
}

function showError(msg) {
  const e = $("upload-error");
  e.textContent = msg;
  e.classList.remove("hidden");
}

// ---------------------------------------------------------------- history
async function loadHistory() {
  const r = await api("/api/analyses");
  if (!r.ok) return;
  const { analyses } = await r.json();
  const ul = $("history");
  ul.replaceChildren();
  $("history-empty").classList.toggle("hidden", analyses.length > 0);
  for (const a of analyses) {
    const li = el("li");
    li.dataset.id = a.id;
    if (state.current && state.current.id === a.id) li.classList.add("on");
    const main = el("div", "h-main");
    main.append(el("div", "h-name", a.name));
    const sub = el("div", "h-sub");
    const when = new Date(a.created * 1000).toLocaleString();
    if (a.status === "ok") {
      sub.textContent = `${a.predicted.join(", ") || "no class"}` +
        (a.heart_rate_bpm ? ` · ${Math.round(a.heart_rate_bpm)} bpm` : "") + ` · ${when} `;
      if (a.flags) sub.append(el("span", "badge flag", `${a.flags} flag${a.flags > 1 ? "s" : ""}`));
    } else {
      sub.textContent = `${when} `;
      sub.append(el("span", "badge " + (a.status === "failed" ? "failed" : ""), a.status));
    }
    if (a.batch) {
      const b = el("span", "badge", "zip batch");
      b.title = `uploaded in one zip (batch ${a.batch.slice(0, 8)})`;
      sub.append(" ", b);
    }
    main.append(sub);
    li.append(main);
    const del = el("button", "del", "×");
    del.type = "button";
    del.title = "delete this analysis and its files";
    del.setAttribute("aria-label", "delete");
    del.addEventListener("click", async (ev) => {
      ev.stopPropagation();
      if (!confirm(`Delete ${a.name} and its files?`)) return;
      await api(`/api/analyses/${a.id}`, { method: "DELETE" });
      if (state.current && state.current.id === a.id) {
        state.current = null;
        $("reading").classList.add("hidden");
        $("empty").classList.remove("hidden");
      }
      loadHistory();
    });
    li.append(del);
    li.addEventListener("click", async () => {
      const r2 = await api(`/api/analyses/${a.id}`);
      if (r2.ok) show(await r2.json());
    });
    ul.append(li);
  }
}

// ---------------------------------------------------------------- reading view
async function show(a) {
  state.current = a;
  clearCalipers();
  document.querySelectorAll("#history li").forEach((li) => li.classList.toggle("on", li.dataset.id === a.id));
  $("empty").classList.add("hidden");
  $("reading").classList.remove("hidden");
  $("r-name").textContent = a.name;
  const meta = [];
  if (a.model) meta.push(`model ${a.model.name} v${a.model.version}`);
  if (a.quality && a.quality.source) meta.push(a.quality.source === "digitized" ? `digitized page, layout ${a.quality.layout || "?"}` : "signal file");
  meta.push(new Date(a.created * 1000).toLocaleString());
  $("r-meta").textContent = meta.join(" · ");
  renderDownloads(a);
  if (a.status !== "ok") {
    renderFailed(a);
    return;
  }
  renderBanner(a);
  renderDiagnosis(a);
  renderMeasurements(a.measurements);
  renderRhythm(a.rhythm);
  renderQuality(a.quality);
  $("ecg-card").classList.remove("hidden");
  state.signal = null;
  const r = await api(a.files.signal);
  state.signal = r.ok ? await r.json() : null;
  drawPaper();
  await renderOverlay(a);
}

function renderFailed(a) {
  for (const id of ["diagnosis", "rhythm", "quality"]) $(id).replaceChildren();
  $("measurements").replaceChildren();
  const b = $("flag-banner");
  b.className = "banner";
  b.textContent = `This file could not be analysed: ${a.error || a.status}`;
  $("ecg-card").classList.add("hidden");
  $("page-card").classList.add("hidden");
}

function renderDownloads(a) {
  const d = $("downloads");
  d.replaceChildren();
  const labels = { report: "HTML report", wfdb: "WFDB", csv: "CSV" };
  for (const [k, label] of Object.entries(labels)) {
    if (!a.files || !a.files[k]) continue;
    const b = el("button", "", label);
    b.type = "button";
    b.dataset.download = k;
    b.addEventListener("click", () => download(a.files[k]));
    d.append(b);
  }
}

async function download(url) {
  const r = await api(url);
  if (!r.ok) { showError(`download failed (${r.status})`); return; }
  const cd = r.headers.get("content-disposition") || "";
  const m = /filename="([^"]+)"/.exec(cd);
  const blob = await r.blob();
  const a = el("a");
  a.href = URL.createObjectURL(blob);
  a.download = m ? m[1] : "download";
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 5000);
}

function renderBanner(a) {
  const flags = ((a.quality && a.quality.flags) || []).filter((f) => !isInfo(f));
  const b = $("flag-banner");
  const lowConf = a.quality && a.quality.digitization_confidence !== null &&
    a.quality.digitization_confidence !== undefined && a.quality.digitization_confidence < 0.5;
  if (!flags.length && !lowConf) {
    b.className = "banner ok";
    b.textContent = "No quality problems found. Still compare every trace with the paper.";
    $("quality-card").classList.remove("flagged");
    return;
  }
  b.className = "banner";
  b.textContent = "Flagged: check this reading against the paper before using it.";
  const ul = el("ul");
  if (lowConf) ul.append(el("li", "", `low digitization confidence (${a.quality.digitization_confidence})`));
  for (const f of flags) ul.append(el("li", "", f));
  b.append(ul);
  $("quality-card").classList.add("flagged");
}

function renderDiagnosis(a) {
  const box = $("diagnosis");
  box.replaceChildren();
  const p = el("p", "predicted", "Predicted: ");
  p.append(el("b", "", a.predicted.length ? a.predicted.join(", ") : "no class above threshold"));
  box.append(p);
  const t = el("table", "probs");
  for (const c of a.classes) {
    const prob = a.probabilities[c];
    const thr = a.thresholds ? a.thresholds[c] : null;
    const tr = el("tr", a.predicted.includes(c) ? "pos" : "");
    const td1 = el("td", "cls", c);
    if (CLASS_NAMES[c]) td1.append(el("small", "", CLASS_NAMES[c]));
    const td2 = el("td");
    const bar = el("div", "pbar");
    const fill = el("span");
    fill.style.width = `${(100 * (prob || 0)).toFixed(1)}%`;
    bar.append(fill);
    if (thr !== null && thr !== undefined) {
      const mark = el("i");
      mark.style.left = `${(100 * thr).toFixed(1)}%`;
      mark.title = `threshold ${thr}`;
      bar.append(mark);
    }
    td2.append(bar);
    tr.append(td1, td2, el("td", "num", prob === null ? "n/a" : prob.toFixed(2)));
    t.append(tr);
  }
  box.append(t);
  if (a.thresholds) box.append(el("p", "notes", "Bar: probability. Black mark: the class threshold (chosen on validation data)."));
}

function fmt(v, unit, digits = 0) {
  return v === null || v === undefined ? "n/a" : `${Number(v).toFixed(digits)} ${unit}`;
}

function renderMeasurements(m) {
  const t = $("measurements");
  t.replaceChildren();
  if (!m) return;
  const rows = [
    ["Heart rate", fmt(m.heart_rate_bpm, "bpm")],
    ["RR", fmt(m.rr_ms, "ms")],
    ["PR", fmt(m.pr_ms, "ms")],
    ["QRS", fmt(m.qrs_ms, "ms")],
    ["QT", fmt(m.qt_ms, "ms")],
    ["QTc Bazett", fmt(m.qtc_bazett_ms, "ms")],
    ["QTc Fridericia", fmt(m.qtc_fridericia_ms, "ms")],
    ["P / QRS / T axis", [m.p_axis_deg, m.qrs_axis_deg, m.t_axis_deg].map((v) => (v === null || v === undefined ? "n/a" : `${Math.round(v)}°`)).join(" / ")],
  ];
  for (const [k, v] of rows) {
    const tr = el("tr");
    tr.append(el("th", "", k), el("td", "", v));
    tr.dataset.key = k;
    t.append(tr);
  }
  const box = t.parentElement;
  box.querySelectorAll(".notes").forEach((n) => n.remove());
  const note = el("p", "notes", "Automatic (neurokit2 delineation); verify with the calipers." +
    (m.notes && m.notes.length ? " " + m.notes.join("; ") + "." : ""));
  box.append(note);
}

function renderRhythm(r) {
  const box = $("rhythm");
  box.replaceChildren();
  if (!r) { box.append(el("p", "muted", "No rhythm lead.")); return; }
  const t = el("table", "kv");
  const rows = [
    ["Lead", r.lead || "n/a"],
    ["Heart rate", fmt(r.heart_rate_bpm, "bpm")],
    ["Range", r.hr_min_bpm ? `${Math.round(r.hr_min_bpm)}–${Math.round(r.hr_max_bpm)} bpm` : "n/a"],
    ["Mean RR", fmt(r.rr_mean_ms, "ms")],
    ["RR SDNN", fmt(r.rr_sdnn_ms, "ms")],
    ["Beats", r.n_beats],
  ];
  for (const [k, v] of rows) {
    const tr = el("tr");
    tr.append(el("th", "", k), el("td", "", v));
    t.append(tr);
  }
  box.append(t);
  if (r.beat_labels && r.beat_labels.length) {
    const counts = Object.entries(r.beat_counts || {}).filter(([, n]) => n).map(([c, n]) => `${c} ${n}`).join(", ");
    box.append(el("p", "notes", `Per-beat labels (${counts}):`));
    const strip = el("div", "beats");
    r.beat_labels.forEach((lab, i) => {
      const s = el("span", lab === "N" ? "" : "ab", lab);
      s.title = `beat ${i + 1} at ${r.r_peaks_s[i]} s: ${CLASS_NAMES[lab] || lab}`;
      strip.append(s);
    });
    box.append(strip);
  }
}

function renderQuality(q) {
  const box = $("quality");
  box.replaceChildren();
  if (!q) return;
  const flags = el("ul", "flags");
  const all = q.flags || [];
  if (!all.filter((f) => !isInfo(f)).length) flags.append(el("li", "ok", "no quality problems found"));
  for (const f of all) flags.append(el("li", isInfo(f) ? "info" : "", f));
  box.append(flags);
  const t = el("table", "kv");
  const rows = [["Source", q.source]];
  if (q.source === "digitized") {
    rows.push(["Layout", q.layout || "?"]);
    rows.push(["Confidence (mean)", q.digitization_confidence ?? "n/a"]);
  }
  if (q.duration_s) rows.push(["Duration", `${q.duration_s} s`]);
  for (const [k, v] of rows) {
    const tr = el("tr");
    tr.append(el("th", "", k), el("td", "", v));
    t.append(tr);
  }
  box.append(t);
  // coverage x page confidence (the digitizer's cross-checks); coverage for older results
  const conf = q.lead_confidence || (q.digitization && q.digitization.confidence) || null;
  const cov = q.lead_coverage || {};
  const per = conf || cov;
  const label = conf ? "Per-lead digitization confidence" : "Per-lead coverage";
  if (Object.keys(per).length) {
    box.append(el("p", "notes", label));
    const g = el("div", "conf");
    for (const [ld, v] of Object.entries(per)) {
      const bar = el("div", "pbar" + (v < 0.5 ? " low" : ""));
      const fill = el("span");
      fill.style.width = `${Math.max(0, Math.min(1, v)) * 100}%`;
      bar.append(fill);
      g.append(el("span", "", ld), bar, el("span", "num", Number(v).toFixed(2)));
    }
    box.append(g);
  }
}

async function renderOverlay(a) {
  const card = $("page-card");
  if (state.overlayUrl) { URL.revokeObjectURL(state.overlayUrl); state.overlayUrl = null; }
  if (!a.files.overlay) { card.classList.add("hidden"); return; }
  const r = await api(a.files.overlay);
  if (!r.ok) { card.classList.add("hidden"); return; }
  state.overlayUrl = URL.createObjectURL(await r.blob());
  $("overlay").src = state.overlayUrl;
  state.zoom = 1;
  applyZoom();
  card.classList.remove("hidden");
}

function applyZoom() {
  $("overlay").style.width = `${state.zoom * 100}%`;
}

// ---------------------------------------------------------------- ECG paper + calipers
function leadIndex(name) {
  const names = ALIASES[name] || [name];
  for (const n of names) {
    const i = state.signal.leads.indexOf(n);
    if (i >= 0) return i;
  }
  return -1;
}

function panels() {
  // Each panel: lead, the seconds it shows, and where it sits on the paper (mm).
  const s = state.signal;
  const dur = Math.min(10, s.seconds);
  const out = [];
  if (state.layout === "3x4+II" && s.leads.length >= 6) {
    const colS = dur / 4, rowH = 25;
    ROWS_3X4.forEach((row, r) => row.forEach((ld, c) => out.push({
      lead: ld, t0: c * colS, t1: (c + 1) * colS, x: 10 + c * colS * 25, y0: 15 + r * rowH, sep: c > 0,
    })));
    out.push({ lead: "II", t0: 0, t1: dur, x: 10, y0: 15 + 3 * rowH, sep: false, rhythm: true });
    return { panels: out, widthMm: 10 + dur * 25 + 5, heightMm: 15 + 4 * rowH - 5 };
  }
  const rowH = s.leads.length > 6 ? 18 : 30;
  s.leads.forEach((ld, r) => out.push({ lead: ld, t0: 0, t1: dur, x: 10, y0: 12 + r * rowH, sep: false }));
  return { panels: out, widthMm: 10 + dur * 25 + 5, heightMm: 12 + s.leads.length * rowH - 4 };
}

function drawPaper() {
  const cv = $("paper");
  if (!state.signal) return;
  const geo = panels();
  const cssW = cv.parentElement.clientWidth || 800;
  const pxmm = cssW / geo.widthMm;
  const cssH = Math.round(geo.heightMm * pxmm);
  const dpr = window.devicePixelRatio || 1;
  cv.width = Math.round(cssW * dpr);
  cv.height = Math.round(cssH * dpr);
  cv.style.height = `${cssH}px`;
  state.geom = { pxmm, geo };
  const g = cv.getContext("2d");
  g.setTransform(dpr, 0, 0, dpr, 0, 0);
  g.fillStyle = "#fffafa";
  g.fillRect(0, 0, cssW, cssH);
  // grid: 1 mm minor, 5 mm major
  for (let mm = 0; mm <= geo.widthMm; mm += 1) {
    g.strokeStyle = mm % 5 === 0 ? "#f0a8a8" : "#fbe0e0";
    g.lineWidth = mm % 5 === 0 ? 0.9 : 0.5;
    g.beginPath(); g.moveTo(mm * pxmm, 0); g.lineTo(mm * pxmm, cssH); g.stroke();
  }
  for (let mm = 0; mm <= geo.heightMm; mm += 1) {
    g.strokeStyle = mm % 5 === 0 ? "#f0a8a8" : "#fbe0e0";
    g.lineWidth = mm % 5 === 0 ? 0.9 : 0.5;
    g.beginPath(); g.moveTo(0, mm * pxmm); g.lineTo(cssW, mm * pxmm); g.stroke();
  }
  const s = state.signal;
  g.lineJoin = "round";
  for (const p of geo.panels) {
    const li = leadIndex(p.lead);
    const yBase = p.y0 * pxmm;
    // 1 mV, 200 ms calibration pulse at the start of each row
    if (!p.sep) {
      g.strokeStyle = "#222"; g.lineWidth = 1.2;
      g.beginPath();
      const x0 = 2 * pxmm;
      g.moveTo(x0, yBase); g.lineTo(x0 + pxmm, yBase); g.lineTo(x0 + pxmm, yBase - 10 * pxmm);
      g.lineTo(x0 + 6 * pxmm, yBase - 10 * pxmm); g.lineTo(x0 + 6 * pxmm, yBase); g.lineTo(x0 + 7 * pxmm, yBase);
      g.stroke();
    }
    g.fillStyle = "#111";
    g.font = `600 ${Math.max(10, 3.2 * pxmm)}px system-ui, sans-serif`;
    g.fillText(p.lead, p.x * pxmm + 1.2 * pxmm, yBase - 6 * pxmm);
    if (p.sep) {
      g.strokeStyle = "#333"; g.lineWidth = 1;
      g.beginPath(); g.moveTo(p.x * pxmm, yBase - 4 * pxmm); g.lineTo(p.x * pxmm, yBase + 4 * pxmm); g.stroke();
    }
    if (li < 0) {
      g.fillStyle = "#999";
      g.fillText("not available", (p.x + 8) * pxmm, yBase);
      continue;
    }
    const row = s.signal[li];
    const i0 = Math.round(p.t0 * s.fs), i1 = Math.min(row.length, Math.round(p.t1 * s.fs));
    g.strokeStyle = "#0b0b0b"; g.lineWidth = 1.1;
    g.beginPath();
    let pen = false;
    for (let i = i0; i < i1; i++) {
      const v = row[i];
      if (v === null) { pen = false; continue; }
      const x = (p.x + (i / s.fs - p.t0) * 25) * pxmm;
      const y = yBase - v * 10 * pxmm;
      if (pen) g.lineTo(x, y); else { g.moveTo(x, y); pen = true; }
    }
    g.stroke();
    if (p.rhythm) drawBeatLabels(g, p, pxmm);
  }
  drawCalipers(g);
}

function drawBeatLabels(g, p, pxmm) {
  const r = state.current && state.current.rhythm;
  if (!r || !r.beat_labels || !r.r_peaks_s) return;
  g.font = `${Math.max(9, 2.6 * pxmm)}px system-ui, sans-serif`;
  r.r_peaks_s.forEach((t, i) => {
    if (t < p.t0 || t > p.t1) return;
    const lab = r.beat_labels[i];
    g.fillStyle = lab === "N" ? "#5f6b7a" : "#a3261b";
    g.fillText(lab, (p.x + (t - p.t0) * 25) * pxmm - 3, (p.y0 + 9) * pxmm);
  });
}

function drawCalipers(g) {
  const { pxmm } = state.geom;
  g.strokeStyle = "#1f5fae"; g.fillStyle = "#1f5fae"; g.lineWidth = 1.5;
  for (const c of state.calipers) {
    g.beginPath(); g.arc(c.x, c.y, 3.5, 0, 2 * Math.PI); g.fill();
    g.beginPath(); g.setLineDash([4, 3]); g.moveTo(c.x, c.y - 12 * pxmm); g.lineTo(c.x, c.y + 12 * pxmm); g.stroke();
    g.setLineDash([]);
  }
  if (state.calipers.length === 2) {
    const [a, b] = state.calipers;
    g.beginPath(); g.moveTo(a.x, a.y); g.lineTo(b.x, b.y); g.stroke();
  }
}

function clearCalipers() {
  state.calipers = [];
  const out = $("caliper-readout");
  out.textContent = "–";
  delete out.dataset.dtMs;
  delete out.dataset.dvMv;
}

function caliperClick(ev) {
  if (!state.geom) return;
  const rect = $("paper").getBoundingClientRect();
  const pt = { x: ev.clientX - rect.left, y: ev.clientY - rect.top };
  if (state.calipers.length >= 2) state.calipers = [];
  state.calipers.push(pt);
  const out = $("caliper-readout");
  if (state.calipers.length === 2) {
    const { pxmm } = state.geom;
    const [a, b] = state.calipers;
    const dtMs = Math.abs(b.x - a.x) / pxmm * 40;   // 25 mm/s → 1 mm = 40 ms
    const dvMv = (a.y - b.y) / pxmm * 0.1;          // 10 mm/mV → 1 mm = 0.1 mV
    out.dataset.dtMs = dtMs.toFixed(1);
    out.dataset.dvMv = dvMv.toFixed(3);
    out.textContent = `Δt ${dtMs.toFixed(0)} ms (${(60000 / dtMs).toFixed(0)} bpm) · ΔV ${dvMv.toFixed(2)} mV`;
  } else {
    out.textContent = "first point set; click the second";
    delete out.dataset.dtMs;
    delete out.dataset.dvMv;
  }
  drawPaper();
}

// ---------------------------------------------------------------- wiring
function init() {
  const drop = $("drop");
  $("file-input").addEventListener("change", (e) => {
    if (e.target.files.length) upload(e.target.files).then(() => { e.target.value = ""; });
  });
  ["dragenter", "dragover"].forEach((t) => drop.addEventListener(t, (e) => {
    e.preventDefault(); drop.classList.add("over");
  }));
  ["dragleave", "drop"].forEach((t) => drop.addEventListener(t, (e) => {
    e.preventDefault(); drop.classList.remove("over");
  }));
  drop.addEventListener("drop", (e) => { if (e.dataTransfer.files.length) upload(e.dataTransfer.files); });
  document.querySelectorAll("[data-layout]").forEach((b) => b.addEventListener("click", () => {
    state.layout = b.dataset.layout;
    clearCalipers();
    document.querySelectorAll("[data-layout]").forEach((x) => x.classList.toggle("on", x === b));
    drawPaper();
  }));
  $("paper").addEventListener("click", caliperClick);
  $("caliper-clear").addEventListener("click", () => { clearCalipers(); drawPaper(); });
  $("zoom-in").addEventListener("click", () => { state.zoom = Math.min(6, state.zoom * 1.5); applyZoom(); });
  $("zoom-out").addEventListener("click", () => { state.zoom = Math.max(1, state.zoom / 1.5); applyZoom(); });
  $("zoom-fit").addEventListener("click", () => { state.zoom = 1; applyZoom(); });
  $("refresh").addEventListener("click", loadHistory);
  let resizeTimer = null;
  window.addEventListener("resize", () => {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(() => { clearCalipers(); drawPaper(); }, 150);
  });
  loadHistory();
}

init();

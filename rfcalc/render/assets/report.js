// rfcalc report: the picture of one unit's exact input support.
// The page's data holds, per layer and axis, the units of the layer below that each
// output unit reads (rfcalc.engine.unit.reads_table: repeats are paths, borders
// included); this script only sums path counts along them, like unit_support.
(() => {
  "use strict";
  const data = JSON.parse(document.getElementById("rfcalc-data").textContent);
  const layers = data.layers;
  const index = new Map(layers.map((l, i) => [l.name, i]));
  const ndim = data.input.length;
  const OUT_PX = 260; // the output map's target width, CSS pixels
  const IN_PX = 560; // the input's
  const SAFE = 2 ** 53;

  const $ = (id) => document.getElementById(id);
  const outCanvas = $("out");
  const shade = $("in-shade");
  const over = $("in-over");
  const info = $("info");
  const pixelInfo = $("pixel");
  const controls = $("controls");

  const state = { layer: layers.length - 1, unit: null, slice: 0, counts: null, max: 0 };

  function sizeOf(name) {
    return name === "input" ? data.input : layers[index.get(name)].size;
  }
  function product(dims) {
    return dims.reduce((a, b) => a * b, 1);
  }
  function offset(coords, dims) {
    let k = 0;
    for (let a = 0; a < dims.length; a++) k = k * dims[a] + coords[a];
    return k;
  }
  function filled(n, big) {
    return big ? new Array(n).fill(0n) : new Float64Array(n);
  }

  // Row u of a table stored as runs [first, count, step, row] (rfcalc.render.report.runs):
  // row first + k is row with k * step added to each value; null where no row.
  function rowAt(runs, u) {
    let lo = 0;
    let hi = runs.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (runs[mid][0] <= u) lo = mid;
      else hi = mid - 1;
    }
    const [first, count, step, row] = runs[lo];
    if (row === null || u < first || u >= first + count) return null;
    const k = u - first;
    return k === 0 ? row : row.map((v) => v + k * step);
  }

  // One axis of a layer: a map of shape `dims` (output) to the layer below (`n` units
  // on that axis); `table` null: unit u reads unit u.
  function alongAxis(values, dims, axis, table, n, big) {
    const m = dims[axis];
    const outer = product(dims.slice(0, axis));
    const inner = product(dims.slice(axis + 1));
    const moved = filled(outer * n * inner, big);
    const zero = big ? 0n : 0;
    for (let o = 0; o < outer; o++) {
      for (let u = 0; u < m; u++) {
        const from = (o * m + u) * inner;
        let any = false;
        for (let t = 0; t < inner; t++) {
          if (values[from + t] !== zero) {
            any = true;
            break;
          }
        }
        if (!any) continue;
        const reads = table === null ? [u] : rowAt(table, u) || [];
        for (const v of reads) {
          if (v < 0 || v >= n) continue;
          const to = (o * n + v) * inner;
          for (let t = 0; t < inner; t++) moved[to + t] += values[from + t];
        }
      }
    }
    return moved;
  }

  // Add `values` (shape `dims`) into `into` (shape `target`): the same unit, dropped
  // where a branch's map is smaller (the linter reports such merges).
  function addInto(into, target, values, dims) {
    const same = dims.length === target.length && dims.every((d, a) => d === target[a]);
    if (same) {
      for (let k = 0; k < values.length; k++) into[k] += values[k];
      return;
    }
    const coords = new Array(dims.length).fill(0);
    for (let k = 0; k < values.length; k++) {
      let rest = k;
      for (let a = dims.length - 1; a >= 0; a--) {
        coords[a] = rest % dims[a];
        rest = Math.floor(rest / dims[a]);
      }
      if (coords.every((c, a) => c < target[a])) into[offset(coords, target)] += values[k];
    }
  }

  // The paths from every input pixel to `unit` of layer `at` (a flat array over the
  // input, row-major), in doubles or in BigInt; null when doubles would round (some
  // count on the way reaches 2^53).
  function support(at, unit, big) {
    const pending = new Map();
    const start = layers[at];
    const first = filled(product(start.size), big);
    first[offset(unit, start.size)] = big ? 1n : 1;
    pending.set(start.name, first);
    const send = (src, values, dims) => {
      const target = sizeOf(src);
      if (!pending.has(src)) pending.set(src, filled(product(target), big));
      addInto(pending.get(src), target, values, dims);
    };
    for (let i = at; i >= 0; i--) {
      const layer = layers[i];
      const here = pending.get(layer.name);
      if (here === undefined) continue;
      pending.delete(layer.name);
      if (layer.reads === "merge") {
        // a branch broadcast over an axis (one unit for every input) is read at unit 0
        layer.inputs.forEach((src, b) => {
          let values = here;
          const dims = layer.size.slice();
          for (const axis of (layer.broadcast || [])[b] || []) {
            const table = [[0, dims[axis], 0, [0]]]; // every unit reads unit 0
            values = alongAxis(values, dims, axis, table, 1, big);
            dims[axis] = 1;
          }
          send(src, values, dims);
        });
        continue;
      }
      const below = sizeOf(layer.inputs[0]);
      let values = here;
      const dims = layer.size.slice();
      for (let axis = 0; axis < dims.length; axis++) {
        values = alongAxis(values, dims, axis, layer.reads[axis], below[axis], big);
        dims[axis] = below[axis];
      }
      if (!big && values.some((v) => v >= SAFE)) return null;
      send(layer.inputs[0], values, dims);
    }
    const found = pending.get("input") || filled(product(data.input), big);
    return !big && found.some((v) => v >= SAFE) ? null : found;
  }

  function compute() {
    const layer = layers[state.layer];
    let counts = support(state.layer, state.unit, false);
    let max = 0;
    if (counts === null) {
      counts = support(state.layer, state.unit, true);
      max = counts.reduce((a, b) => (b > a ? b : a), 0n);
    } else {
      for (const c of counts) if (c > max) max = c;
    }
    state.counts = counts;
    state.max = max;
    state.field = layer.regions.map((spans, a) =>
      spans === null ? null : rowAt(spans, state.unit[a]),
    );
  }

  // --- geometry: a 2-D view (1-D: one row; 3-D: the slice state.slice of axis 0)
  function view() {
    const rows = ndim === 1 ? 1 : data.input[ndim - 2];
    const cols = data.input[ndim - 1];
    const layer = layers[state.layer];
    const margin = (axis, n) => {
      const spans = layer.regions[axis];
      let before = 0;
      let after = 0;
      if (spans !== null) {
        // a run's regions move by its step: its extremes are at its ends
        for (const [first, count] of spans) {
          for (const u of [first, first + count - 1]) {
            const s = rowAt(spans, u);
            if (s === null) continue;
            before = Math.max(before, -s[0]);
            after = Math.max(after, s[1] - (n - 1));
          }
        }
      }
      return [Math.min(before, n), Math.min(after, n)];
    };
    const [mc0, mc1] = margin(ndim - 1, cols);
    const [mr0, mr1] = ndim === 1 ? [0, 0] : margin(ndim - 2, rows);
    const totalCols = cols + mc0 + mc1;
    const totalRows = rows + mr0 + mr1;
    const cell = Math.max(1, Math.floor(IN_PX / Math.max(totalCols, ndim === 1 ? 1 : totalRows)));
    const cellH = ndim === 1 ? Math.max(cell, 24) : cell;
    return { rows, cols, mr0, mc0, totalRows, totalCols, cellW: cell, cellH };
  }

  function css(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function at(r, c) {
    // the count at view pixel (r, c) of the input
    const coords = ndim === 1 ? [c] : ndim === 2 ? [r, c] : [state.slice, r, c];
    return state.counts[offset(coords, data.input)];
  }

  function inField(r, c) {
    const f = state.field;
    const axes = ndim === 1 ? [[0, c]] : ndim === 2 ? [[0, r], [1, c]] : [[0, state.slice], [1, r], [2, c]];
    for (const [a, x] of axes) {
      if (f[a] === null || f[a] === undefined) return false;
      if (x < f[a][0] || x > f[a][1]) return false;
    }
    return true;
  }

  function ratio(c) {
    return typeof c === "bigint" ? Number((c * 1000n) / state.max) / 1000 : c / state.max;
  }

  function drawInput() {
    const g = view();
    shade.width = g.totalCols * g.cellW;
    shade.height = g.totalRows * g.cellH;
    Object.assign(shade.dataset, {
      cellW: g.cellW,
      cellH: g.cellH,
      marginRows: g.mr0,
      marginCols: g.mc0,
      rows: g.rows,
      cols: g.cols,
    });
    // read back by tests and scripts; a CPU canvas also suits thousands of fillRect
    const ctx = shade.getContext("2d", { willReadFrequently: true });
    ctx.fillStyle = css("--pad");
    ctx.fillRect(0, 0, shade.width, shade.height);
    const unseen = css("--unseen");
    const hole = css("--hole");
    const rgb = css("--shade");
    const zero = typeof state.max === "bigint" ? 0n : 0;
    for (let r = 0; r < g.rows; r++) {
      for (let c = 0; c < g.cols; c++) {
        const n = at(r, c);
        const x = (c + g.mc0) * g.cellW;
        const y = (r + g.mr0) * g.cellH;
        if (n === zero) {
          ctx.fillStyle = inField(r, c) ? hole : unseen;
          ctx.fillRect(x, y, g.cellW, g.cellH);
          continue;
        }
        ctx.fillStyle = unseen;
        ctx.fillRect(x, y, g.cellW, g.cellH);
        ctx.fillStyle = `rgba(${rgb}, ${0.15 + 0.85 * ratio(n)})`;
        ctx.fillRect(x, y, g.cellW, g.cellH);
      }
    }
    drawOverlay(g);
  }

  function drawOverlay(g) {
    const scale = window.devicePixelRatio || 1;
    over.width = Math.round(shade.width * scale);
    over.height = Math.round(shade.height * scale);
    over.style.width = `${shade.width}px`;
    over.style.height = `${shade.height}px`;
    const ctx = over.getContext("2d");
    ctx.setTransform(scale, 0, 0, scale, 0, 0);
    const X = (c) => (c + g.mc0) * g.cellW;
    const Y = (r) => (r + g.mr0) * g.cellH;
    ctx.lineWidth = 1;
    ctx.strokeStyle = css("--muted");
    ctx.strokeRect(X(0) + 0.5, Y(0) + 0.5, g.cols * g.cellW - 1, g.rows * g.cellH - 1);
    // ERF contours: boundaries between pixels above and below t of the largest count
    const levels = [
      [data.thresholds[0], css("--c20")],
      [data.thresholds[1], css("--c50")],
      [data.thresholds[2], css("--c99")],
    ];
    const zero = typeof state.max === "bigint" ? 0n : 0;
    if (state.max !== zero) {
      const above = (r, c, t) => r >= 0 && c >= 0 && r < g.rows && c < g.cols && ratio(at(r, c)) > t;
      ctx.lineWidth = 1.5;
      for (const [t, colour] of levels) {
        ctx.strokeStyle = colour;
        ctx.beginPath();
        for (let r = 0; r <= g.rows; r++) {
          for (let c = 0; c <= g.cols; c++) {
            const here = above(r, c, t);
            if (here !== above(r, c - 1, t)) {
              ctx.moveTo(X(c), Y(r));
              ctx.lineTo(X(c), Y(r + 1));
            }
            if (here !== above(r - 1, c, t)) {
              ctx.moveTo(X(c), Y(r));
              ctx.lineTo(X(c + 1), Y(r));
            }
          }
        }
        ctx.stroke();
      }
    }
    // the unit's receptive field, dashed (clipped to the canvas)
    const f = state.field;
    const rowAxis = ndim - 2;
    const colAxis = ndim - 1;
    if (f[colAxis] && (ndim === 1 || f[rowAxis])) {
      const r0 = ndim === 1 ? 0 : f[rowAxis][0];
      const r1 = ndim === 1 ? 0 : f[rowAxis][1];
      ctx.strokeStyle = css("--rf");
      ctx.setLineDash([4, 3]);
      ctx.lineWidth = 1.5;
      ctx.strokeRect(X(f[colAxis][0]), Y(r0), (f[colAxis][1] - f[colAxis][0] + 1) * g.cellW, (r1 - r0 + 1) * g.cellH);
      ctx.setLineDash([]);
    }
    // the central unit: the window holding 95 % of the paths (the engine's numbers)
    const erf = data.erf[layers[state.layer].name];
    if (erf && erf.unit && erf.unit.every((u, a) => u === state.unit[a])) {
      const span = (a) => {
        const half = (erf.axes[a].widths[2] - 1) / 2;
        return [erf.axes[a].centre - half, erf.axes[a].centre + half + 1];
      };
      const [c0, c1] = span(colAxis);
      const [r0, r1] = ndim === 1 ? [0, 1] : span(rowAxis);
      ctx.strokeStyle = css("--e95");
      ctx.setLineDash([1, 2]);
      ctx.lineWidth = 2;
      ctx.strokeRect(X(c0), Y(r0), (c1 - c0) * g.cellW, (r1 - r0) * g.cellH);
      ctx.setLineDash([]);
    }
  }

  // --- the output map: units coloured by phase where phases differ
  function outView() {
    const size = layers[state.layer].size;
    const rows = ndim === 1 ? 1 : size[ndim - 2];
    const cols = size[ndim - 1];
    const cell = Math.max(1, Math.floor(OUT_PX / Math.max(cols, ndim === 1 ? 1 : rows)));
    return { rows, cols, cellW: cell, cellH: ndim === 1 ? Math.max(cell, 16) : cell };
  }

  function drawOutput() {
    const layer = layers[state.layer];
    const g = outView();
    outCanvas.width = g.cols * g.cellW;
    outCanvas.height = g.rows * g.cellH;
    Object.assign(outCanvas.dataset, { cellW: g.cellW, cellH: g.cellH, rows: g.rows, cols: g.cols });
    const ctx = outCanvas.getContext("2d");
    const periods = layer.period;
    const phased = periods.some((p) => p > 1);
    const unit = state.unit;
    for (let r = 0; r < g.rows; r++) {
      for (let c = 0; c < g.cols; c++) {
        const coords = ndim === 1 ? [c] : ndim === 2 ? [r, c] : [unit[0], r, c];
        let phase = 0;
        for (let a = 0; a < ndim; a++) phase = phase * periods[a] + (coords[a] % periods[a]);
        const hue = (phase * 137) % 360;
        ctx.fillStyle = phased ? `hsl(${hue} 45% 62%)` : css("--unseen");
        ctx.fillRect(c * g.cellW, r * g.cellH, g.cellW, g.cellH);
      }
    }
    if (g.cellW >= 6) {
      ctx.strokeStyle = css("--rule");
      ctx.lineWidth = 1;
      for (let c = 0; c <= g.cols; c++) {
        ctx.beginPath();
        ctx.moveTo(c * g.cellW + 0.5, 0);
        ctx.lineTo(c * g.cellW + 0.5, outCanvas.height);
        ctx.stroke();
      }
      for (let r = 0; r <= g.rows; r++) {
        ctx.beginPath();
        ctx.moveTo(0, r * g.cellH + 0.5);
        ctx.lineTo(outCanvas.width, r * g.cellH + 0.5);
        ctx.stroke();
      }
    }
    const r = ndim === 1 ? 0 : unit[ndim - 2];
    const c = unit[ndim - 1];
    ctx.fillStyle = css("--fg");
    ctx.fillRect(c * g.cellW, r * g.cellH, g.cellW, g.cellH);
  }

  // --- text
  function describe() {
    const layer = layers[state.layer];
    const unit = state.unit;
    const zero = typeof state.max === "bigint" ? 0n : 0;
    let pixels = 0;
    let paths = 0n; // exact: the sum of exact counts can pass 2^53
    for (const c of state.counts) {
      if (c !== zero) {
        pixels += 1;
        paths += BigInt(c);
      }
    }
    const names = ndim === 1 ? ["units"] : ndim === 2 ? ["rows", "columns"] : ["slices", "rows", "columns"];
    const field = state.field
      .map((s, a) => (s ? `${names[a]} ${s[0]}..${s[1]} (${s[1] - s[0] + 1})` : `${names[a]} not stated`))
      .join(", ");
    const periods = layer.period;
    const phase = periods.some((p) => p > 1)
      ? ` · phase (${unit.map((u, a) => u % periods[a]).join(", ")}) of (${periods.join(", ")})`
      : "";
    let holes = 0;
    const g = view();
    for (let r = 0; r < g.rows; r++) for (let c = 0; c < g.cols; c++) if (at(r, c) === zero && inField(r, c)) holes += 1;
    info.textContent =
      `unit (${unit.join(", ")}) of ${layer.name}${phase} · field ${field} · reads ${pixels} ` +
      `input pixels along ${paths} paths, at most ${state.max} to one · ` +
      `holes in its field${ndim === 3 ? " on this slice" : ""}: ${holes}`;
  }

  function describeErf() {
    const layer = layers[state.layer];
    const erf = data.erf[layer.name];
    const box = $("erf");
    box.textContent = "";
    const title = document.createElement("h2");
    title.textContent = "effective receptive field (central unit, every weight 1)";
    box.append(title);
    if (!erf) {
      const p = document.createElement("p");
      p.className = "quiet";
      p.textContent = "not computed (rfcalc report --no-erf)";
      box.append(p);
      return;
    }
    if (erf.reason) {
      const p = document.createElement("p");
      p.className = "quiet";
      p.textContent = erf.reason;
      box.append(p);
      return;
    }
    const dl = document.createElement("dl");
    const add = (k, v) => {
      const dt = document.createElement("dt");
      dt.textContent = k;
      const dd = document.createElement("dd");
      dd.textContent = v;
      dl.append(dt, dd);
    };
    add("unit", `(${erf.unit.join(", ")}), ${erf.paths} paths`);
    data.shares.forEach((s, k) => add(`width holding ${s}`, erf.axes.map((a) => a.widths[k]).join(" × ")));
    add("standard deviation", erf.axes.map((a) => a.std).join(" × "));
    add("95 % width / RF", erf.axes.map((a) => a.ratio95 ?? "–").join(" × "));
    erf.areas.forEach((v, k) => add(`field above ${data.thresholds[k] * 100} % of max`, v));
    erf.squares.forEach((q, k) =>
      add(`RepLKNet square, ${data.squareShares[k]}`, q === null ? "none" : `side ${q[0]}, ${q[1]} of the input`),
    );
    box.append(dl);
  }

  // --- controls
  function buildControls() {
    controls.textContent = "";
    const layer = layers[state.layer];
    const names = ndim === 1 ? ["unit"] : ndim === 2 ? ["row", "column"] : ["slice", "row", "column"];
    layer.size.forEach((n, a) => {
      const label = document.createElement("label");
      label.textContent = `${names[a]} `;
      const input = document.createElement("input");
      Object.assign(input, { type: "number", min: 0, max: n - 1, value: 0, id: `unit-${a}` });
      input.addEventListener("change", () => {
        const v = Math.min(n - 1, Math.max(0, Number.parseInt(input.value, 10) || 0));
        const next = state.unit.slice();
        next[a] = v;
        setUnit(next);
      });
      label.append(input);
      controls.append(label);
    });
    if (ndim === 3) {
      const label = document.createElement("label");
      label.textContent = "input slice ";
      const input = document.createElement("input");
      Object.assign(input, { type: "number", min: 0, max: data.input[0] - 1, value: state.slice, id: "slice" });
      input.addEventListener("change", () => {
        state.slice = Math.min(data.input[0] - 1, Math.max(0, Number.parseInt(input.value, 10) || 0));
        drawInput();
        describe();
      });
      label.append(input);
      controls.append(label);
    }
  }

  function syncControls() {
    state.unit.forEach((u, a) => {
      const input = $(`unit-${a}`);
      if (input) input.value = u;
    });
    const slice = $("slice");
    if (slice) slice.value = state.slice;
  }

  function setUnit(unit) {
    if (state.unit && unit.every((u, a) => u === state.unit[a])) return;
    state.unit = unit;
    compute();
    if (ndim === 3 && state.field[0]) {
      state.slice = Math.min(data.input[0] - 1, Math.max(0, Math.floor((state.field[0][0] + state.field[0][1]) / 2)));
    }
    syncControls();
    drawOutput();
    drawInput();
    describe();
  }

  function selectLayer(i) {
    state.layer = i;
    const layer = layers[i];
    for (const row of document.querySelectorAll("#layers tbody tr")) {
      row.setAttribute("aria-selected", row.dataset.layer === layer.name ? "true" : "false");
    }
    $("picture-title").textContent = `${layer.name}: output ${layer.size.join(" × ")}, input ${data.input.join(" × ")}`;
    state.unit = null;
    buildControls();
    const erf = data.erf[layer.name];
    setUnit(erf && erf.unit ? erf.unit.slice() : layer.size.map((n) => Math.floor(n / 2)));
    describeErf();
  }

  // --- events
  const rows = () => Array.from(document.querySelectorAll("#layers tbody tr"));
  for (const row of rows()) {
    const pick = () => {
      if (row.dataset.layer !== "input") selectLayer(index.get(row.dataset.layer));
    };
    row.addEventListener("click", pick);
    row.addEventListener("keydown", (e) => {
      const all = rows();
      const k = all.indexOf(row);
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        pick();
      } else if (e.key === "ArrowDown" && k + 1 < all.length) {
        e.preventDefault();
        all[k + 1].focus();
      } else if (e.key === "ArrowUp" && k > 0) {
        e.preventDefault();
        all[k - 1].focus();
      }
    });
  }
  for (const button of document.querySelectorAll("button.show")) {
    button.addEventListener("click", () => {
      selectLayer(index.get(button.dataset.layer));
      outCanvas.focus();
    });
  }

  let queued = null;
  outCanvas.addEventListener("mousemove", (e) => {
    const g = outView();
    const rect = outCanvas.getBoundingClientRect();
    const c = Math.floor(((e.clientX - rect.left) * (outCanvas.width / rect.width)) / g.cellW);
    const r = Math.floor(((e.clientY - rect.top) * (outCanvas.height / rect.height)) / g.cellH);
    if (c < 0 || r < 0 || c >= g.cols || r >= g.rows) return;
    const unit = ndim === 1 ? [c] : ndim === 2 ? [r, c] : [state.unit[0], r, c];
    if (queued === null) {
      requestAnimationFrame(() => {
        setUnit(queued);
        queued = null;
      });
    }
    queued = unit;
  });
  outCanvas.addEventListener("keydown", (e) => {
    const size = layers[state.layer].size;
    const unit = state.unit.slice();
    const move = (axis, by) => {
      unit[axis] = Math.min(size[axis] - 1, Math.max(0, unit[axis] + by));
    };
    const col = ndim - 1;
    const row = ndim - 2;
    const keys = {
      ArrowLeft: () => move(col, -1),
      ArrowRight: () => move(col, 1),
      ArrowUp: () => ndim > 1 && move(row, -1),
      ArrowDown: () => ndim > 1 && move(row, 1),
      PageUp: () => ndim === 3 && move(0, -1),
      PageDown: () => ndim === 3 && move(0, 1),
      Home: () => size.forEach((n, a) => (unit[a] = Math.floor(n / 2))),
    };
    if (keys[e.key]) {
      e.preventDefault();
      keys[e.key]();
      setUnit(unit);
    }
  });
  shade.parentElement.addEventListener("mousemove", (e) => {
    const g = view();
    const rect = shade.getBoundingClientRect();
    const c = Math.floor(((e.clientX - rect.left) * (shade.width / rect.width)) / g.cellW) - g.mc0;
    const r = Math.floor(((e.clientY - rect.top) * (shade.height / rect.height)) / g.cellH) - g.mr0;
    const where = ndim === 1 ? `${c}` : ndim === 2 ? `${r}, ${c}` : `${state.slice}, ${r}, ${c}`;
    if (c < 0 || c >= g.cols || r < 0 || r >= g.rows) {
      pixelInfo.textContent = `(${where}): padding, beyond the input`;
      return;
    }
    const n = at(r, c);
    const zero = typeof n === "bigint" ? 0n : 0;
    pixelInfo.textContent =
      n !== zero ? `pixel (${where}): ${n} path${n === 1 || n === 1n ? "" : "s"}` : inField(r, c) ? `pixel (${where}): a hole in the unit's field` : `pixel (${where}): not read`;
  });

  const theme = $("theme");
  const dark = () => {
    const set = document.documentElement.dataset.theme;
    return set ? set === "dark" : window.matchMedia("(prefers-color-scheme: dark)").matches;
  };
  const label = () => {
    theme.textContent = dark() ? "light theme" : "dark theme";
    theme.setAttribute("aria-pressed", dark() ? "true" : "false");
  };
  theme.addEventListener("click", () => {
    document.documentElement.dataset.theme = dark() ? "light" : "dark";
    label();
    drawOutput();
    drawInput();
  });
  label();

  // for tests and scripts: the current unit's counts, as strings, by input pixel
  window.rfcalcReport = {
    select: (name) => selectLayer(index.get(name)),
    unit: (unit) => setUnit(unit),
    support: () => {
      const out = [];
      const dims = data.input;
      state.counts.forEach((c, k) => {
        if (c === 0 || c === 0n) return;
        const coords = [];
        let rest = k;
        for (let a = dims.length - 1; a >= 0; a--) {
          coords.unshift(rest % dims[a]);
          rest = Math.floor(rest / dims[a]);
        }
        out.push([coords, String(c)]);
      });
      return out;
    },
    state: () => ({ layer: layers[state.layer].name, unit: state.unit.slice(), slice: state.slice }),
  };

  if (layers.length) selectLayer(layers.length - 1);
})();

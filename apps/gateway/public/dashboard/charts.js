// Two small canvas charts, no library: events per second per channel (lines) and each event's publish →
// screen latency (dots, log scale). Both cover the last WINDOW_SECONDS.
import { WINDOW_SECONDS } from './dashboard-model.js';

/** Same order as the .c0…c7 classes of dashboard.css. */
export const PALETTE = ['#2563eb', '#16a34a', '#d97706', '#9333ea', '#0891b2', '#db2777', '#65a30d', '#64748b'];
const AXIS = '#98a2b3';
const GRID = '#eef0f3';
const PAD = { left: 44, right: 10, top: 10, bottom: 22 };

/** Sizes the canvas to its CSS box (sharp on high-DPI screens) and returns a context in CSS pixels. */
function prepare(canvas) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth || canvas.width;
  const height = canvas.clientHeight || canvas.height;
  if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
  }
  const ctx = canvas.getContext('2d');
  ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = '11px system-ui, sans-serif';
  return { ctx, width, height, plotW: width - PAD.left - PAD.right, plotH: height - PAD.top - PAD.bottom };
}

function timeAxis({ ctx, height, plotW }) {
  ctx.fillStyle = AXIS;
  ctx.textAlign = 'center';
  for (const ago of [60, 45, 30, 15, 0]) {
    const x = PAD.left + plotW * (1 - ago / WINDOW_SECONDS);
    ctx.fillText(ago === 0 ? 'now' : `-${ago}s`, x, height - 6);
  }
}

function gridLine(ctx, y, label, plotW) {
  ctx.strokeStyle = GRID;
  ctx.beginPath();
  ctx.moveTo(PAD.left, y);
  ctx.lineTo(PAD.left + plotW, y);
  ctx.stroke();
  ctx.fillStyle = AXIS;
  ctx.textAlign = 'right';
  ctx.fillText(label, PAD.left - 6, y + 4);
}

function emptyNote({ ctx, width, height }, text) {
  ctx.fillStyle = AXIS;
  ctx.textAlign = 'center';
  ctx.fillText(text, width / 2, height / 2);
}

/** A "nice" upper bound for a y axis (1, 2, 5 × 10^n). */
function niceMax(value) {
  if (value <= 1) return 1;
  const step = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * step).find((v) => v >= value);
}

/**
 * @param {HTMLCanvasElement} canvas
 * @param {{ colour: number, values: number[] }[]} series events per second, oldest first, WINDOW_SECONDS each
 */
export function drawRateChart(canvas, series) {
  const box = prepare(canvas);
  const { ctx, plotW, plotH } = box;
  const max = niceMax(Math.max(0, ...series.flatMap((s) => s.values)));
  for (const fraction of [0, 0.5, 1]) {
    gridLine(ctx, PAD.top + plotH * (1 - fraction), String(+(max * fraction).toFixed(1)), plotW);
  }
  timeAxis(box);
  if (series.length === 0) return emptyNote(box, 'no subscription');
  const step = plotW / (WINDOW_SECONDS - 1);
  ctx.lineWidth = 1.6;
  ctx.lineJoin = 'round';
  for (const { colour, values } of series) {
    ctx.strokeStyle = PALETTE[colour];
    ctx.beginPath();
    values.forEach((v, i) => {
      const x = PAD.left + i * step;
      const y = PAD.top + plotH * (1 - v / max);
      if (i === 0) ctx.moveTo(x, y);
      else ctx.lineTo(x, y);
    });
    ctx.stroke();
  }
}

/**
 * @param {HTMLCanvasElement} canvas
 * @param {{ colour: number, points: { t: number, ms: number }[] }[]} series
 * @param {number} nowMs
 */
export function drawLatencyChart(canvas, series, nowMs) {
  const box = prepare(canvas);
  const { ctx, plotW, plotH } = box;
  const highest = Math.max(10, ...series.flatMap((s) => s.points.map((p) => p.ms)));
  const decades = Math.max(2, Math.ceil(Math.log10(highest)));
  const yOf = (ms) => PAD.top + plotH * (1 - Math.log10(Math.max(1, ms)) / decades);
  for (let d = 0; d <= decades; d++) {
    const ms = 10 ** d;
    gridLine(ctx, yOf(ms), ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`, plotW);
  }
  timeAxis(box);
  const count = series.reduce((n, s) => n + s.points.length, 0);
  if (count === 0) return emptyNote(box, 'no events in the last minute');
  const start = nowMs - WINDOW_SECONDS * 1000;
  for (const { colour, points } of series) {
    ctx.fillStyle = PALETTE[colour];
    for (const { t, ms } of points) {
      const x = PAD.left + (plotW * (t - start)) / (WINDOW_SECONDS * 1000);
      ctx.beginPath();
      ctx.arc(x, yOf(ms), 2.2, 0, Math.PI * 2);
      ctx.fill();
    }
  }
}

/**
 * Line charts drawn at build time with d3-scale and d3-shape: the page gets plain SVG and
 * no chart JavaScript. Pure functions returning what the chart component draws.
 */
import { scaleLinear, scaleUtc } from 'd3-scale';
import { line } from 'd3-shape';

export interface ChartInput {
  /** [first day, last day] of the x axis (YYYY-MM-DD). */
  from: string;
  to: string;
  yMax: number;
  /** Unit after the y-axis numbers, e.g. %. */
  yUnit?: string;
  /** Solid lines with dots (reported values). */
  values: { date: string; value: number }[];
  /** A dashed path (the straight target path from the baseline); empty when there is no baseline. */
  path: { date: string; value: number }[];
  /** Square markers (targets). */
  targets: { date: string; value: number }[];
  /** Vertical lines (milestones). */
  marks: { date: string; label: string }[];
}

export interface ChartGeometry {
  width: number;
  height: number;
  plot: { left: number; right: number; top: number; bottom: number };
  valueLine: string | null;
  valueDots: { x: number; y: number }[];
  pathLine: string | null;
  targetMarks: { x: number; y: number }[];
  vlines: { x: number; label: string }[];
  yTicks: { y: number; label: string }[];
}

const W = 640;
const H = 320;
const M = { top: 16, right: 44, bottom: 48, left: 72 };
const day = (d: string) => new Date(`${d}T00:00:00Z`);

export function chartGeometry(c: ChartInput): ChartGeometry {
  const x = scaleUtc().domain([day(c.from), day(c.to)]).range([M.left, W - M.right]);
  const y = scaleLinear().domain([0, c.yMax]).nice(4).range([H - M.bottom, M.top]);
  const pt = (p: { date: string; value: number }) => ({ x: Math.round(x(day(p.date)) * 10) / 10, y: Math.round(y(p.value) * 10) / 10 });
  const draw = line<{ x: number; y: number }>().x((p) => p.x).y((p) => p.y);
  const values = c.values.map(pt);
  const path = c.path.map(pt);
  return {
    width: W,
    height: H,
    plot: { left: M.left, right: W - M.right, top: M.top, bottom: H - M.bottom },
    valueLine: values.length > 1 ? draw(values) : null,
    valueDots: values,
    pathLine: path.length > 1 ? draw(path) : null,
    targetMarks: c.targets.map(pt),
    vlines: c.marks.map((m) => ({ x: pt({ date: m.date, value: 0 }).x, label: m.label })),
    yTicks: y.ticks(4).map((v) => ({ y: Math.round(y(v) * 10) / 10, label: `${v}${c.yUnit === '%' ? '%' : ''}` })),
  };
}

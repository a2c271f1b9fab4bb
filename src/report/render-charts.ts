/**
 * Vega-Lite → Vega → SVG in Node (no browser, no canvas), and SVG → PNG with resvg for email,
 * because mail clients such as Gmail drop inline SVG.
 */
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { ChartSpec } from './chart-specs';

export interface RenderedChart extends Omit<ChartSpec, 'spec'> {
  svg: string;
}

export async function renderSvg(chart: ChartSpec): Promise<RenderedChart> {
  const view = new vega.View(vega.parse(compile(chart.spec).spec), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return { id: chart.id, title: chart.title, caption: chart.caption, svg };
  } finally {
    view.finalize();
  }
}

export function svgToPng(svg: string, zoom = 2): Buffer {
  const resvg = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: zoom },
    background: 'white',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return resvg.render().asPng();
}

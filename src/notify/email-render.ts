import Handlebars from 'handlebars';
import type { Digest } from './digest';
import { messageIdFor } from './digest';
import { buildDigestView, type RenderOptions } from './digest-view';
import { HTML_TEMPLATE, TEXT_TEMPLATE } from './email-templates';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  /** `<hash@vigil>`, derived from the sorted alert ids: stable across resends */
  messageId: string;
}

const SEVERITY_COLORS: Record<string, string> = {
  low: '#1a7f37',
  medium: '#9a6700',
  high: '#bc4c00',
  critical: '#cf222e',
};

// One isolated Handlebars environment; only built-in helpers are allowed.
const hbs = Handlebars.create();
const renderHtml = hbs.compile(HTML_TEMPLATE, { knownHelpersOnly: true });
const renderText = hbs.compile(TEXT_TEMPLATE, { knownHelpersOnly: true, noEscape: true });

/** Renders one digest as an email with HTML and plain-text parts. */
export function renderEmail(digest: Digest, options: RenderOptions = {}): RenderedEmail {
  const view = buildDigestView(digest, options);
  const context = {
    ...view,
    findings: view.findings.map((f) => ({ ...f, color: SEVERITY_COLORS[f.severity] ?? '#57606a' })),
  };
  return {
    subject: view.subject,
    html: renderHtml(context),
    text: renderText(context),
    messageId: messageIdFor(view.alertIds),
  };
}

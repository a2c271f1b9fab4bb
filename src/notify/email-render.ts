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

type Render = (context: object) => string;
let templates: { html: Render; text: Render } | undefined;

/**
 * The compiled templates, in one isolated Handlebars environment where only built-in helpers are
 * allowed. Handlebars is loaded at the first email rendered, not at start-up.
 */
function compiledTemplates(): { html: Render; text: Render } {
  if (!templates) {
    const hbs = (require('handlebars') as typeof import('handlebars')).create();
    templates = {
      html: hbs.compile(HTML_TEMPLATE, { knownHelpersOnly: true }),
      text: hbs.compile(TEXT_TEMPLATE, { knownHelpersOnly: true, noEscape: true }),
    };
  }
  return templates;
}

/** Renders one digest as an email with HTML and plain-text parts. */
export function renderEmail(digest: Digest, options: RenderOptions = {}): RenderedEmail {
  const view = buildDigestView(digest, options);
  const context = {
    ...view,
    findings: view.findings.map((f) => ({ ...f, color: SEVERITY_COLORS[f.severity] ?? '#57606a' })),
  };
  const { html, text } = compiledTemplates();
  return {
    subject: view.subject,
    html: html(context),
    text: text(context),
    messageId: messageIdFor(view.alertIds),
  };
}

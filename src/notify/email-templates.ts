/**
 * Handlebars templates for the email digest. `{{x}}` HTML-escapes; triple-stash `{{{x}}}` is
 * never used in the HTML template. The text template is compiled with escaping off (it is not
 * HTML), and its values are already stripped of controls and capped by buildDigestView.
 * Styles are inline because most mail clients drop <style>; the layout is one narrow column so
 * it reads on a phone.
 */
export const HTML_TEMPLATE = `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{subject}}</title>
</head>
<body style="margin:0;padding:0;background:#f4f5f7;font-family:-apple-system,Segoe UI,Roboto,Helvetica,Arial,sans-serif;color:#1f2328;">
<div style="max-width:640px;margin:0 auto;padding:16px;">
{{#if test}}
<div style="background:#fff8c5;border:1px solid #d4a72c;padding:12px;margin-bottom:12px;font-weight:bold;">TEST MESSAGE — sent by vigil test-alert. No action is needed.</div>
{{/if}}
<h1 style="font-size:20px;margin:0 0 4px 0;">{{subject}}</h1>
<p style="margin:0 0 16px 0;color:#57606a;">{{summary}}</p>
{{#each findings}}
<div style="background:#ffffff;border:1px solid #d0d7de;border-left:6px solid {{color}};border-radius:6px;padding:12px 14px;margin-bottom:14px;">
  <div style="font-size:12px;font-weight:bold;color:{{color}};letter-spacing:0.05em;">{{severityUpper}} · {{rule}}</div>
  <h2 style="font-size:17px;margin:4px 0 8px 0;">{{title}}</h2>
  <table role="presentation" style="border-collapse:collapse;font-size:14px;width:100%;">
    <tr><td style="padding:2px 8px 2px 0;color:#57606a;vertical-align:top;white-space:nowrap;">Entity</td><td style="padding:2px 0;word-break:break-all;">{{#each entity}}<code>{{field}}</code> = <strong>{{value}}</strong>{{#unless @last}}<br>{{/unless}}{{else}}(all events){{/each}}</td></tr>
    <tr><td style="padding:2px 8px 2px 0;color:#57606a;vertical-align:top;white-space:nowrap;">Value</td><td style="padding:2px 0;"><strong>{{value}}</strong>{{#if recovered}} &lt; {{threshold}} (below the threshold, {{schedule}}){{else}} (threshold {{threshold}}, {{schedule}}){{/if}}</td></tr>
    {{#if firingSince}}<tr><td style="padding:2px 8px 2px 0;color:#57606a;vertical-align:top;white-space:nowrap;">Firing since</td><td style="padding:2px 0;">{{firingSince}}</td></tr>{{/if}}
    {{#if baseline}}<tr><td style="padding:2px 8px 2px 0;color:#57606a;vertical-align:top;white-space:nowrap;">Baseline</td><td style="padding:2px 0;">{{baseline}}</td></tr>{{/if}}
    {{#if anomaly}}<tr><td style="padding:2px 8px 2px 0;color:#57606a;vertical-align:top;white-space:nowrap;">Why</td><td style="padding:2px 0;">{{anomaly}}</td></tr>{{/if}}
    <tr><td style="padding:2px 8px 2px 0;color:#57606a;vertical-align:top;white-space:nowrap;">Window</td><td style="padding:2px 0;">{{window}}</td></tr>
  </table>
  {{#if description}}<p style="margin:10px 0 4px 0;white-space:pre-line;">{{description}}</p>{{/if}}
  {{#if remediation}}<p style="margin:6px 0 4px 0;white-space:pre-line;"><strong>What to do:</strong> {{remediation}}</p>{{/if}}
  {{#if samples.length}}
  <div style="margin-top:8px;font-size:12px;color:#57606a;">Sample events</div>
  {{#each samples}}
  <div style="font-family:SFMono-Regular,Consolas,monospace;font-size:12px;background:#f6f8fa;border-radius:4px;padding:6px 8px;margin-top:4px;word-break:break-all;">{{#each fields}}<span style="color:#57606a;">{{field}}:</span> {{value}}{{#unless @last}}<br>{{/unless}}{{/each}}</div>
  {{/each}}
  {{/if}}
  {{#if discoverUrl}}<p style="margin:10px 0 0 0;"><a href="{{discoverUrl}}" style="color:#0969da;">Open in Kibana Discover</a></p>{{/if}}
</div>
{{/each}}
{{#if omittedNote}}<p style="color:#57606a;">{{omittedNote}}</p>{{/if}}
<p style="font-size:12px;color:#8c959f;">Sent by vigil. Alert ids: {{#each alertIds}}{{this}}{{#unless @last}}, {{/unless}}{{/each}}</p>
</div>
</body>
</html>
`;

export const TEXT_TEMPLATE = `{{#if test}}*** TEST MESSAGE — sent by vigil test-alert. No action is needed. ***

{{/if}}{{subject}}
{{summary}}
{{#each findings}}

== {{severityUpper}}: {{title}} ({{rule}})
Entity:    {{entityText}}
Value:     {{value}}{{#if recovered}} < {{threshold}} (below the threshold, {{schedule}}){{else}} (threshold {{threshold}}, {{schedule}}){{/if}}
{{#if firingSince}}Firing since: {{firingSince}}
{{/if}}{{#if baseline}}Baseline:  {{baseline}}
{{/if}}{{#if anomaly}}Why:       {{anomaly}}
{{/if}}Window:    {{window}}
{{#if description}}

{{description}}
{{/if}}{{#if remediation}}
What to do: {{remediation}}
{{/if}}{{#if samples.length}}
Sample events:
{{#each samples}}  - {{#each fields}}{{field}}: {{value}}{{#unless @last}}; {{/unless}}{{/each}}
{{/each}}{{/if}}{{#if discoverUrl}}
Kibana: {{discoverUrl}}
{{/if}}{{/each}}
{{#if omittedNote}}
{{omittedNote}}
{{/if}}
-- 
Sent by vigil. Alert ids: {{#each alertIds}}{{this}}{{#unless @last}}, {{/unless}}{{/each}}
`;

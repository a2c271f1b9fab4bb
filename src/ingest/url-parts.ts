/**
 * `url.*` from the request target, as Filebeat's uri_parts processor gives them: path and query
 * percent-decoded, the path's extension, and the domain (from an absolute URL, else the virtual
 * host the line names). A target that does not decode keeps its raw text.
 */
const ABSOLUTE = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)(.*)$/s;

function decode(text: string): string {
  if (!text.includes('%')) return text;
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export function urlParts(original: string, domain?: string): Record<string, unknown> {
  const url: Record<string, unknown> = { original };
  let rest = original;
  const abs = ABSOLUTE.exec(original);
  if (abs) {
    url.scheme = abs[1].toLowerCase();
    const hostPort = /^(?:[^@]*@)?(\[[^\]]*\]|[^:]*)(?::(\d{1,5}))?$/.exec(abs[2]);
    if (hostPort?.[1]) url.domain = hostPort[1];
    if (hostPort?.[2]) url.port = Number(hostPort[2]);
    rest = abs[3];
  } else if (domain) url.domain = domain;
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    url.fragment = decode(rest.slice(hash + 1));
    rest = rest.slice(0, hash);
  }
  const q = rest.indexOf('?');
  const path = q >= 0 ? rest.slice(0, q) : rest;
  if (q >= 0) url.query = decode(rest.slice(q + 1));
  if (path) {
    url.path = decode(path);
    const last = path.slice(path.lastIndexOf('/') + 1);
    const dot = last.lastIndexOf('.');
    if (dot > 0 && dot < last.length - 1) url.extension = decode(last.slice(dot + 1)).toLowerCase();
  }
  return url;
}

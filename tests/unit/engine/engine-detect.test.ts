/**
 * Telling Elasticsearch from OpenSearch and refusing engines older than vigil supports (pure), and
 * keeping an engine's reason when its error body is a string (OpenSearch's 406, for one).
 */
import { errors } from '@elastic/elasticsearch';
import { esReason, mapEsError } from '../../../src/collect/client';
import { describeEngine, type EngineInfo, parseEngine, unsupportedReason } from '../../../src/collect/engine';

const root = (number: string, distribution?: string) => ({ version: { number, distribution } });

describe('parseEngine', () => {
  it('reads OpenSearch from version.distribution', () => {
    expect(parseEngine(root('2.19.6', 'opensearch'))).toEqual({
      product: 'opensearch',
      version: '2.19.6',
      major: 2,
      minor: 19,
    });
  });

  it('reads Elasticsearch from GET / and, where / is missing, from a node version', () => {
    expect(parseEngine(root('7.17.29'))).toMatchObject({ product: 'elasticsearch', major: 7, minor: 17 });
    expect(parseEngine(undefined, '9.2.4')).toMatchObject({ product: 'elasticsearch', version: '9.2.4' });
  });

  it('gives nothing for an answer without a version', () => {
    expect(parseEngine({})).toBeUndefined();
    expect(parseEngine(undefined, 'unknown')).toBeUndefined();
  });
});

describe('unsupportedReason', () => {
  const engine = (product: EngineInfo['product'], version: string) =>
    parseEngine(root(version, product === 'opensearch' ? 'opensearch' : undefined)) as EngineInfo;

  it.each([
    ['elasticsearch', '7.17.0'],
    ['elasticsearch', '8.4.3'],
    ['elasticsearch', '9.2.4'],
    ['opensearch', '2.0.1'],
    ['opensearch', '3.3.2'],
  ] as const)('accepts %s %s', (product, version) => {
    expect(unsupportedReason(engine(product, version), 'Elasticsearch')).toBeUndefined();
  });

  it('refuses Elasticsearch 7.16 and 6.8, naming the minimum', () => {
    expect(unsupportedReason(engine('elasticsearch', '7.16.3'), 'Elasticsearch')).toBe(
      'Elasticsearch 7.16.3 is older than the oldest vigil supports, Elasticsearch 7.17: upgrade it',
    );
    expect(unsupportedReason(engine('elasticsearch', '6.8.23'), undefined)).toMatch(
      /^Elasticsearch 6\.8\.23 is older/,
    );
  });

  it('refuses OpenSearch 1.x, and points at compatibility mode when "Elasticsearch 7.10" sends no product header', () => {
    expect(unsupportedReason(engine('opensearch', '1.3.19'), undefined)).toMatch(
      /^OpenSearch 1\.3\.19 is older than the oldest vigil supports, OpenSearch 2\.0/,
    );
    expect(unsupportedReason(engine('elasticsearch', '7.10.2'), undefined)).toMatch(
      /compatibility\.override_main_response_version/,
    );
  });

  it('names engines as users know them', () => {
    expect(describeEngine({ product: 'opensearch', version: '3.3.2' })).toBe('OpenSearch 3.3.2');
  });
});

describe('engine error reasons', () => {
  const responseError = (statusCode: number, body: unknown) =>
    new errors.ResponseError({
      body,
      statusCode,
      headers: {},
      warnings: null,
      meta: {} as never,
    });

  it("keeps OpenSearch's string error of a 406, not a bare status", () => {
    const e = responseError(406, {
      error: 'Content-Type header [application/vnd.elasticsearch+json; compatible-with=8] is not supported',
      status: 406,
    });
    expect(esReason(e)).toBe(
      'HTTP 406: Content-Type header [application/vnd.elasticsearch+json; compatible-with=8] is not supported',
    );
    expect(mapEsError(e, 'reading mappings of logs-*').message).toMatch(
      /^Elasticsearch rejected reading mappings of logs-\* \(406\): HTTP 406: Content-Type header/,
    );
  });

  it('keeps a plain-text body, bounded', () => {
    expect(esReason(responseError(400, `bad request ${'x'.repeat(1000)}`))).toHaveLength(
      'HTTP 400: '.length + 300,
    );
  });

  it('still reads the structured reason', () => {
    const e = responseError(400, {
      error: { type: 'illegal_argument_exception', reason: "specified fields can't be null or empty" },
    });
    expect(esReason(e)).toBe("illegal_argument_exception: specified fields can't be null or empty");
  });
});

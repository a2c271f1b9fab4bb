#!/usr/bin/python3
"""
npm run bench:peer runs ElastAlert 0.2.4 (Debian's `elastalert` package) through this script, once
per round, over a fixed interval. It patches two things at run time, in this process only (no
system file is changed):

1. `--start/--end` exits before the first query (upstream issue 2666): `start()` computes the next
   run as now + run_every, finds it past `--end` and calls exit(0). Here the rules run once each,
   from `--start` to `--end`, through ElastAlert's own `handle_rule_execution`, which is what its
   scheduler calls on every tick (segmenting, scrolling, the rule type, silences, alerting and the
   writeback all stay ElastAlert's).
2. `use_terms_query` crashes with Debian's python3-elasticsearch 7.17 (`deprecated_search() got an
   unexpected keyword argument 'headers'`): the client's `query_params` decorator now passes
   `headers`, which ElastAlert's `deprecated_search` does not take. The same method, taking and
   forwarding `headers` and declaring JSON as the client's own `search` does, replaces it.

Matches are recorded by the alerters: `MatchFileAlerter` (an ordinary alert type, for the runs
without --debug) and `alert: debug` under --debug both append the match's query_key value to the
file named by PEER_MATCH_FILE, one per line.

Usage: elastalert_runner.py --config config.yaml --start ISO --end ISO [--debug]
"""
import os
import sys

from elastalert import ElasticSearchClient
from elastalert.alerts import Alerter, DebugAlerter
from elastalert.util import lookup_es_key, ts_to_dt


def _record(rule, matches):
    path = os.environ.get('PEER_MATCH_FILE')
    if not path:
        return
    qk = rule.get('query_key')
    with open(path, 'a') as f:
        for m in matches:
            f.write('%s\n' % (lookup_es_key(m, qk) if qk else ''))


class MatchFileAlerter(Alerter):
    """ An alert type that writes each match's query_key value to PEER_MATCH_FILE. """

    def alert(self, matches):
        _record(self.rule, matches)

    def get_info(self):
        return {'type': 'match_file'}


def _patch_debug_alerter():
    original = DebugAlerter.alert

    def alert(self, matches):
        original(self, matches)
        _record(self.rule, matches)

    DebugAlerter.alert = alert


def _patch_deprecated_search():
    from elasticsearch.client import _make_path, query_params

    def deprecated_search(self, index=None, doc_type=None, body=None, params=None, headers=None):
        if 'from_' in params:
            params['from'] = params.pop('from_')
        if not index:
            index = '_all'
        res = self.transport.perform_request(
            'GET', _make_path(index, doc_type, '_search'), params=params, headers=headers, body=body
        )
        if type(res) == list or type(res) == tuple:
            return res[1]
        return res

    # as the client's own search(): JSON in and out (without them ES 7.17 answers 406)
    ElasticSearchClient.deprecated_search = query_params(
        *_SEARCH_PARAMS, request_mimetypes=['application/json'], response_mimetypes=['application/json']
    )(deprecated_search)


# the query parameters ElastAlert 0.2.4 declares for deprecated_search
_SEARCH_PARAMS = (
    '_source', '_source_exclude', '_source_excludes', '_source_include', '_source_includes',
    'allow_no_indices', 'allow_partial_search_results', 'analyze_wildcard', 'analyzer',
    'batched_reduce_size', 'default_operator', 'df', 'docvalue_fields', 'expand_wildcards', 'explain',
    'from_', 'ignore_unavailable', 'lenient', 'max_concurrent_shard_requests', 'pre_filter_shard_size',
    'preference', 'q', 'rest_total_hits_as_int', 'request_cache', 'routing', 'scroll', 'search_type',
    'seq_no_primary_term', 'size', 'sort', 'stats', 'stored_fields', 'suggest_field', 'suggest_mode',
    'suggest_size', 'suggest_text', 'terminate_after', 'timeout', 'track_scores', 'track_total_hits',
    'typed_keys', 'version',
)


def main(argv):
    from elastalert.elastalert import ElastAlerter

    _patch_deprecated_search()
    _patch_debug_alerter()
    ea = ElastAlerter(argv + ['--pin_rules'])
    start = ts_to_dt(ea.args.start)
    for rule in ea.rules:
        rule['initial_starttime'] = start
        ea.handle_rule_execution(rule)
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))

#!/usr/bin/env node

/**
 * npm run es:up [-- --secure] [-- --name <name>]   start a real Elasticsearch; last line is ELASTICSEARCH_URL=...
 * npm run es:down [-- --name <name>]              stop it (all clusters this harness started when no name is given)
 */
const harness = require('./es-harness');

function parseArgs(argv) {
  const args = { cmd: argv[0], secure: false, name: undefined };
  for (let i = 1; i < argv.length; i++) {
    if (argv[i] === '--secure') args.secure = true;
    else if (argv[i] === '--name') args.name = argv[++i];
    else if (argv[i] === '--help' || argv[i] === '-h') args.help = true;
    else throw new harness.HarnessError(`unknown option ${argv[i]} (try --help)`);
  }
  return args;
}

const HELP = `usage: node scripts/es.js up [--secure] [--name NAME]
       node scripts/es.js down [--name NAME]
       node scripts/es.js fetch

up     starts a real Elasticsearch or OpenSearch (ELASTICSEARCH_URL if set, else Testcontainers if Docker answers,
       else Elastic's test distribution from Maven Central) and prints ELASTICSEARCH_URL=... last.
       --secure turns on x-pack security: a user, a password and TLS from a generated CA.
       VIGIL_ENGINE picks the engine and version: elasticsearch:<x.y.z> or opensearch:<x.y.z>
       (default elasticsearch:${harness.DEFAULT_VERSION}; tested: elasticsearch:7.17.29, 8.19.21, 9.2.4,
       opensearch:2.19.6, 3.3.2). --secure is Elasticsearch only.
down   stops the cluster(s) this harness started and removes their data.
fetch  downloads and unpacks the test distribution into the cache, without starting it.`;

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.help || !['up', 'down', 'fetch'].includes(args.cmd)) {
    console.log(HELP);
    process.exit(args.help ? 0 : 2);
  }
  if (args.cmd === 'fetch') {
    const engine = harness.engineSpec();
    const home = harness.ensureDistribution(engine.version, engine.product);
    console.log(`${harness.engineName(engine)} distribution ready in ${home}`);
    return;
  }
  if (args.cmd === 'down') {
    const names = args.name ? [args.name] : harness.listClusters();
    for (const n of names) {
      if (await harness.stop(n)) console.log(`stopped ${n}`);
    }
    if (names.length === 0) console.log('no cluster was running');
    return;
  }
  const c = await harness.start({ secure: args.secure, name: args.name });
  const how = {
    ELASTICSEARCH_URL: 'the cluster named by ELASTICSEARCH_URL',
    testcontainers: `Testcontainers (Docker), ${harness.engineName(c)}`,
    local: `the test distribution of ${harness.engineName(c)} from Maven Central, Java at ${c.java}`,
  }[c.source];
  console.log(`source: ${how}${c.reused ? ' (already running)' : ''}`);
  if (c.username) {
    console.log(`ELASTIC_USER=${c.username}`);
    console.log(`ELASTIC_PASSWORD=${c.password}`);
    if (c.caFile) console.log(`ELASTIC_CA_FILE=${c.caFile}`);
  }
  console.log(`stop it with: npm run es:down${args.name ? ` -- --name ${args.name}` : ''}`);
  console.log(`ELASTICSEARCH_URL=${c.url}`);
}

main().catch((e) => {
  console.error(`es: ${e instanceof harness.HarnessError ? e.message : e?.message ? e.message : e}`);
  process.exit(1);
});

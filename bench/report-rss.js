/**
 * Preloaded (`node --require bench/report-rss.js`) into a benchmarked process: at exit it writes
 * its peak resident set size (KiB, from the kernel through getrusage) to VIGIL_BENCH_RSS_FILE.
 */
const fs = require('node:fs');

process.on('exit', () => {
  if (process.env.VIGIL_BENCH_RSS_FILE)
    fs.writeFileSync(process.env.VIGIL_BENCH_RSS_FILE, String(process.resourceUsage().maxRSS));
});

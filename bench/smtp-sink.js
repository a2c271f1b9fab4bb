/**
 * A loopback SMTP server in a process of its own, for the benchmarks: the RSS a benchmark
 * measures is then vigil's, not the receiver's. Prints `port <n>` once listening, then one JSON
 * line per accepted mail: {"at": <ms>, "ips": [source.ip values named in the mail]}.
 */
const { SMTPServer } = require('smtp-server');

const server = new SMTPServer({
  logger: false,
  disableReverseLookup: true,
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  onData(stream, _session, callback) {
    let text = '';
    stream.on('data', (c) => {
      if (text.length < 200_000) text += c.toString('latin1');
    });
    stream.on('end', () => {
      // the text part is quoted-printable: undo soft line breaks and the escaped "="
      const plain = text.replace(/=\r?\n/g, '').replace(/=3D/g, '=');
      const ips = [...plain.matchAll(/source\.ip=([0-9.]+)/g)].map((m) => m[1]);
      process.stdout.write(`${JSON.stringify({ at: Date.now(), ips: [...new Set(ips)] })}\n`);
      callback();
    });
  },
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`port ${server.server.address().port}\n`));
process.on('SIGTERM', () => server.close(() => process.exit(0)));

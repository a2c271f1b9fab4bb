import { type ConsoleLevel, createConsoleLog } from '../../../src/cli/console-log';
import { captureStream } from '../../helpers/capture-stream';
import { makeAlert } from '../notify/alert-fixtures';

const emitAll = (level: ConsoleLevel, secrets: string[] = []) => {
  const { lines, stream } = captureStream();
  const log = createConsoleLog(level, secrets, stream);
  log.error('e-msg');
  log.warn('w-msg');
  log.info('i-msg');
  log.debug('d-msg');
  log.alert(makeAlert());
  return lines;
};

describe('console log: levels, format, masking', () => {
  it.each([
    ['error', ['e-msg']],
    ['warn', ['e-msg', 'w-msg']],
    ['info', ['e-msg', 'w-msg', 'i-msg', 'alert']],
    ['debug', ['e-msg', 'w-msg', 'i-msg', 'd-msg', 'alert']],
  ] as const)('at %s it prints %j', (level, expected) => {
    const printed = emitAll(level).map((l) =>
      /ssh_bruteforce/.test(l) ? 'alert' : (l.match(/\w-msg/)?.[0] ?? l),
    );
    expect(printed).toEqual(expected);
  });

  it('one line each: time, a severity tag, the message', () => {
    const lines = emitAll('debug');
    expect(lines[0]).toMatch(/^\d{2}:\d{2}:\d{2} error e-msg$/);
    expect(lines[1]).toMatch(/^\d{2}:\d{2}:\d{2} warn {2}w-msg$/);
    expect(lines[2]).toMatch(/^\d{2}:\d{2}:\d{2} info {2}i-msg$/);
    expect(lines[3]).toMatch(/^\d{2}:\d{2}:\d{2} debug d-msg$/);
  });

  it('an alert is one line with severity, status, rule, entity and value against threshold', () => {
    const { lines, stream } = captureStream();
    createConsoleLog('info', [], stream).alert(makeAlert({ value: 42, threshold: 8, schedule: 'off_hours' }));
    expect(lines).toEqual([
      expect.stringMatching(
        /^\d{2}:\d{2}:\d{2} HIGH new ssh_bruteforce source\.ip=203\.0\.113\.5 42 ≥ 8 \(off-hours\)$/,
      ),
    ]);
  });

  it('masks configured secrets and URL credentials', () => {
    const { lines, stream } = captureStream();
    const log = createConsoleLog('info', ['hunter22-pw'], stream);
    log.error('auth failed with hunter22-pw at https://elastic:other-pw@es:9200');
    expect(lines).toEqual([
      expect.stringMatching(/error auth failed with \[REDACTED\] at https:\/\/elastic:\[REDACTED\]@es:9200$/),
    ]);
  });
});

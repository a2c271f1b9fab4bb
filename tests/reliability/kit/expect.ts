import type { MailTally } from './scenario';

/**
 * The delivery contract as a receiver sees it: every attacking IP is named by exactly one alert
 * id, and every alert id travelled under exactly one Message-ID. A resend after a crash repeats
 * a Message-ID (at least once; receivers drop it) and is not a duplicate alert.
 */
export function expectEachIpAlertedOnce(attacked: readonly string[], tally: MailTally): void {
  const missing = attacked.filter((ip) => !tally.ipAlerts.has(ip));
  const duplicated = [...tally.ipAlerts].filter(([, ids]) => ids.size !== 1).map(([ip]) => ip);
  const multiMessage = [...tally.alertMessages].filter(([, mids]) => mids.size !== 1).map(([id]) => id);
  const unexpected = [...tally.ipAlerts.keys()].filter((ip) => !attacked.includes(ip));
  expect({ missing, duplicated, multiMessage, unexpected }).toEqual({
    missing: [],
    duplicated: [],
    multiMessage: [],
    unexpected: [],
  });
}
